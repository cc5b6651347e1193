// containerd's containers service: the container object (spec, runtime, labels, snapshot) that a
// task is made from. nerdctl keeps its nerdctl/* settings in its labels.
import type { Spec } from '../oci/types.js';
import type { ContainerdClient } from './client.js';
import { isNotFound } from './errors.js';

// The Any type URLs containerd's typeurl registers for the OCI runtime spec types.
export const SPEC_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Spec';
export const PROCESS_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';
// The shim nerdctl uses by default on Linux.
export const RUNC_V2_RUNTIME = 'io.containerd.runc.v2';

// proto-loader keeps google.protobuf.Any's field names as written (`type_url`), unlike other messages.
export interface AnyMessage {
  type_url: string;
  value: Buffer;
}

export interface ContainerObject {
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime: { name: string };
  spec?: AnyMessage;
  snapshotter: string;
  snapshotKey: string;
}

// containerd marshals OCI types as JSON inside the Any.
export function jsonAny(typeUrl: string, value: unknown): AnyMessage {
  return { type_url: typeUrl, value: Buffer.from(JSON.stringify(value)) };
}

export async function createContainerObject(client: ContainerdClient, c: ContainerObject): Promise<void> {
  await client.unary('containers', 'Create', { container: c });
}

export async function getContainerObject(client: ContainerdClient, id: string): Promise<ContainerObject | undefined> {
  try {
    return (await client.unary<{ container: ContainerObject }>('containers', 'Get', { id })).container;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

// Replace the spec only (start rewrites the netns path of container: mode).
export async function updateContainerSpec(client: ContainerdClient, id: string, spec: Spec): Promise<void> {
  await client.unary('containers', 'Update', { container: { id, spec: jsonAny(SPEC_TYPE_URL, spec) }, updateMask: { paths: ['spec'] } });
}

// False when it did not exist.
export async function deleteContainerObject(client: ContainerdClient, id: string): Promise<boolean> {
  try {
    await client.unary('containers', 'Delete', { id });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
