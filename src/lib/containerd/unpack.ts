// Unpack an image's layers into a snapshotter the way containerd's unpacker does: one committed
// snapshot per layer named by its chain ID (OCI image-spec identity.ChainID), each prepared on its
// parent under an `extract-<unique> <chainID>` key, the layer applied by the diff service and its
// diff ID checked; then the config blob gets `containerd.io/gc.ref.snapshot.<snapshotter>` so the
// garbage collector keeps the snapshots as long as the image.
import { randomBytes } from 'node:crypto';
import { NerdnetError } from '../errors.js';
import { sha256Digest } from '../image/digest.js';
import type { ContainerdClient } from './client.js';
import { setContentLabels } from './content.js';
import { applyLayer } from './diff.js';
import { isAlreadyExists } from './errors.js';
import { DEFAULT_SNAPSHOTTER, commitSnapshot, prepareSnapshot, removeSnapshot, statSnapshot } from './snapshots.js';
import { LABELS, type Descriptor } from './types.js';

// chain[0] = diffID[0]; chain[i] = sha256(chain[i-1] + " " + diffID[i]).
export function chainIDs(diffIDs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIDs) out.push(out.length === 0 ? d : sha256Digest(`${out[out.length - 1]} ${d}`));
  return out;
}

export interface LayerToUnpack {
  // The blob in the content store (compressed or not, as its media type says).
  blob: Descriptor;
  diffID: string;
}

export interface UnpackOptions {
  snapshotter?: string;
  lease?: string;
}

// Returns the chain ID of the top layer ("" for an image without layers).
export async function unpackLayers(client: ContainerdClient, layers: readonly LayerToUnpack[], opts: UnpackOptions = {}): Promise<string> {
  const snapshotter = opts.snapshotter ?? DEFAULT_SNAPSHOTTER;
  const chain = chainIDs(layers.map((l) => l.diffID));
  let parent = '';
  for (const [i, layer] of layers.entries()) {
    const chainID = chain[i] as string;
    if (!(await statSnapshot(client, chainID, { snapshotter }))) await unpackOne(client, layer, chainID, parent, snapshotter, opts.lease);
    parent = chainID;
  }
  return parent;
}

async function unpackOne(client: ContainerdClient, layer: LayerToUnpack, chainID: string, parent: string, snapshotter: string, lease: string | undefined): Promise<void> {
  const key = `extract-${process.hrtime.bigint() % 1_000_000_000n}-${randomBytes(6).toString('base64url')} ${chainID}`;
  const labels = { [LABELS.snapshotRef]: chainID };
  const mounts = await prepareSnapshot(client, key, parent, { snapshotter, labels, lease });
  try {
    const applied = await applyLayer(client, layer.blob, mounts, { lease });
    if (applied.digest !== layer.diffID) {
      throw new NerdnetError('ERR_INVALID_ARG', `layer ${layer.blob.digest}: uncompressed content has digest ${applied.digest} but the image config says ${layer.diffID} (corrupt or tampered image)`);
    }
    try {
      await commitSnapshot(client, chainID, key, { snapshotter, labels, lease });
    } catch (err) {
      // Unpacked by someone else meanwhile: theirs is the same layer.
      if (!isAlreadyExists(err)) throw err;
      await removeSnapshot(client, key, { snapshotter });
    }
  } catch (err) {
    await removeSnapshot(client, key, { snapshotter }).catch(() => {});
    throw err;
  }
}

// Unpack and label the config blob with the top chain ID (containerd's unpacker does the same).
export async function unpackImage(client: ContainerdClient, config: Descriptor, layers: readonly LayerToUnpack[], opts: UnpackOptions = {}): Promise<string> {
  const snapshotter = opts.snapshotter ?? DEFAULT_SNAPSHOTTER;
  const top = await unpackLayers(client, layers, opts);
  if (top !== '') await setContentLabels(client, config.digest, { [LABELS.gcRefSnapshot(snapshotter)]: top }, { lease: opts.lease });
  return top;
}
