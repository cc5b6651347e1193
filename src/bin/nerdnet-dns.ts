// The DNS responder's process: `nerdnet-dns --run-dir DIR`, started detached by ensureDnsResponder
// (src/lib/dns/process.ts). Reports readiness as one JSON line on fd 3 when that fd is open.
import { closeSync, fstatSync, writeSync } from 'node:fs';
import { DnsService } from '../lib/dns/process.js';
import type { Readiness } from '../lib/dns/process.js';

const READY_FD = 3;

function report(r: Readiness): void {
  try {
    fstatSync(READY_FD);
  } catch {
    return;
  }
  writeSync(READY_FD, `${JSON.stringify(r)}\n`);
  closeSync(READY_FD);
}

async function main(argv: readonly string[]): Promise<number> {
  const at = argv.indexOf('--run-dir');
  const runDir = at >= 0 ? argv[at + 1] : undefined;
  if (runDir === undefined || runDir === '') {
    process.stderr.write('usage: nerdnet-dns --run-dir DIR\n');
    return 2;
  }
  const log = (level: string, message: string): void => void process.stderr.write(`${new Date().toISOString()} ${level} ${message}\n`);
  const service = new DnsService({ runDir, logger: log });
  // Before anything else: SIGHUP's default action would end the process.
  process.on('SIGHUP', () => void service.reload());
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => void service.stop());
  let ready: Readiness;
  try {
    ready = await service.start();
  } catch (err) {
    ready = { state: 'error', message: (err as Error).message };
  }
  report(ready);
  if (ready.state === 'error') log('warn', `dns: ${ready.message}`);
  await service.done;
  return ready.state === 'error' ? 1 : 0;
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
