// Pull progress as Docker shows it: on a terminal one line per layer redrawn in place (cli-progress),
// else one plain line per layer status change; nothing at all with -q.
import { MultiBar, type SingleBar } from 'cli-progress';
import { humanSize } from '../lib/image/listing.js';
import type { LayerStatus, PullEvent } from '../lib/registry/pull.js';
import type { PushEvent } from '../lib/registry/push.js';

const WORDS: Record<LayerStatus, string> = {
  waiting: 'Waiting',
  exists: 'Already exists',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  done: 'Pull complete',
};

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export interface PullReporter {
  onProgress: (e: PullEvent) => void;
  // Stop redrawing (also after a failure).
  stop(): void;
}

export function pullReporter(stream: NodeJS.WriteStream, opts: { quiet: boolean }): PullReporter {
  if (opts.quiet) return { onProgress: () => {}, stop: () => {} };
  return stream.isTTY ? ttyReporter(stream) : plainReporter(stream);
}

const resolvedLine = (e: Extract<PullEvent, { type: 'resolved' }>) => `${e.reference}: resolved ${e.digest} (${e.platform})\n`;
const doneLines = (e: Extract<PullEvent, { type: 'done' }>) => `Digest: ${e.digest}\nStatus: Downloaded ${e.reference}\n`;

function plainReporter(stream: NodeJS.WriteStream): PullReporter {
  const last = new Map<string, LayerStatus>();
  return {
    onProgress: (e) => {
      if (e.type === 'resolved') stream.write(resolvedLine(e));
      else if (e.type === 'layer') {
        if (last.get(e.digest) === e.status) return;
        last.set(e.digest, e.status);
        stream.write(`${short(e.digest)}: ${WORDS[e.status]}${e.status === 'downloading' ? ` ${humanSize(e.total)}` : ''}\n`);
      } else if (e.type === 'done') stream.write(doneLines(e));
    },
    stop: () => {},
  };
}

function ttyReporter(stream: NodeJS.WriteStream): PullReporter {
  const bars = new MultiBar(
    { stream, format: '{id}: {status} {bar} {done}/{size} {rate}', barsize: 30, hideCursor: true, clearOnComplete: false, stopOnComplete: false, fps: 10, autopadding: true },
    { barCompleteChar: '=', barIncompleteChar: ' ', format: '' },
  );
  const byDigest = new Map<string, { bar: SingleBar; started: number }>();
  return {
    onProgress: (e) => {
      if (e.type === 'resolved') bars.log(resolvedLine(e));
      if (e.type === 'done') {
        bars.stop();
        stream.write(doneLines(e));
      }
      if (e.type !== 'layer') return;
      let entry = byDigest.get(e.digest);
      if (!entry) {
        entry = { bar: bars.create(Math.max(1, e.total), 0, { id: short(e.digest), status: WORDS[e.status], done: '0B', size: humanSize(e.total), rate: '' }), started: Date.now() };
        byDigest.set(e.digest, entry);
      }
      const secs = Math.max(0.001, (Date.now() - entry.started) / 1000);
      const rate = e.status === 'downloading' ? `${humanSize(e.current / secs)}/s` : '';
      entry.bar.update(e.status === 'exists' ? Math.max(1, e.total) : e.current, { status: WORDS[e.status], done: humanSize(e.current), rate });
    },
    stop: () => bars.stop(),
  };
}

// Push: plain lines on a terminal too (Docker's words).
export function pushReporter(stream: NodeJS.WriteStream, opts: { quiet: boolean }): (e: PushEvent) => void {
  const words = { exists: 'Layer already exists', uploading: 'Pushing', pushed: 'Pushed' };
  return (e) => {
    if (opts.quiet) return;
    if (e.type === 'blob') stream.write(`${short(e.digest)}: ${words[e.status]}${e.status === 'uploading' ? ` ${humanSize(e.size)}` : ''}\n`);
  };
}
