// Run inside a test's netns (`ip netns exec NS node --import tsx dns-netns-client.ts JSON`): starts a
// test upstream on the given address, sends each query from its given source address to the
// responder, prints the answers and what the upstream received as one JSON line, and ends.
import { answerData, queryFrom, rcodeOf, TestUpstream } from './dns.js';
import type { RecordType } from 'dns-packet';

interface Input {
  upstream: { host: string; port: number };
  responder: { host: string; port: number };
  queries: Array<{ from: string; name: string; type: RecordType }>;
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const up = new TestUpstream('nxdomain');
await up.start(input.upstream.host, input.upstream.port);
try {
  const answers: Array<{ rcode: string; data: string[] }> = [];
  for (const q of input.queries) {
    const r = await queryFrom(q.from, input.responder, q.name, q.type);
    answers.push({ rcode: rcodeOf(r), data: answerData(r) });
  }
  process.stdout.write(`${JSON.stringify({ answers, received: up.received.map((r) => r.name) })}\n`);
} finally {
  await up.stop();
}
