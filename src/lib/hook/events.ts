// The OCI hook's two events (nerdctl's createRuntime and postStop), run by runc as `nerdnet …
// internal oci-hook <event>` with the OCI state on stdin: the hook adapter over the attachment
// service. createRuntime attaches the container's networks; postStop detaches them and releases its
// hosts record and port reserver. Nothing here prints: `log` is given.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AttachResult } from '../cni/attach.js';
import { NerdnetError } from '../errors.js';
import { faultPoint } from '../fault.js';
import { attachContainer } from '../attachment/attach.js';
import { detachContainer, releaseContainer } from '../attachment/detach.js';
import { isCniMode } from '../attachment/networks.js';
import type { AttachmentEnv, ContainerNetworking } from '../attachment/types.js';
import { readLifecycle, rfc3339Nano, writeLifecycle } from './lifecycle.js';
import type { OciState } from './state.js';

export interface HookInput {
  state: OciState;
  ann: ContainerNetworking;
}

function netnsOf(input: HookInput): string {
  if (input.ann.netnsPath) {
    if (!existsSync(input.ann.netnsPath)) throw new NerdnetError('ERR_INVALID_ARG', `network namespace ${input.ann.netnsPath} (annotation nerdctl/network-namespace) does not exist`);
    return input.ann.netnsPath;
  }
  if (!input.state.pid) throw new NerdnetError('ERR_INVALID_ARG', 'both state.Pid and the netNs annotation are unset: the hook must run at createRuntime, when the container process exists');
  return `/proc/${input.state.pid}/ns/net`;
}

export async function onCreateRuntime(env: AttachmentEnv, input: HookInput): Promise<AttachResult | undefined> {
  const { ann } = input;
  await mkdir(ann.stateDir, { recursive: true, mode: 0o700 });
  let failed = false;
  try {
    if (!isCniMode(ann.networks)) return undefined;
    return await attachContainer(env, ann, input.state.id, netnsOf(input));
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await writeLifecycle(ann.stateDir, { started_at: rfc3339Nano(new Date()), create_error: failed });
  }
}

export async function onPostStop(env: AttachmentEnv, input: HookInput): Promise<void> {
  const { state, ann } = input;
  // runc calls postStop after a failed createRuntime; that one already cleaned up (#3357).
  const life = await readLifecycle(ann.stateDir);
  if (life?.create_error) {
    await writeLifecycle(ann.stateDir, { ...life, create_error: false });
    return;
  }
  if (!isCniMode(ann.networks)) return;
  faultPoint('hook-poststop-before-del');
  const network = { ...env.network, namespace: ann.namespace, log: env.log };
  await detachContainer({ cni: env.cni, netconfPath: env.network.netconfPath, log: env.log }, network, ann, state.id);
  faultPoint('hook-poststop-after-del');
  // host/none keep their hosts-store entry until rm (create took it).
  await releaseContainer(env, ann.namespace, state.id);
}
