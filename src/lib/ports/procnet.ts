// /proc/net/{tcp,tcp6,udp,udp6} parsing: the local address of every
// socket, which the kernel prints as 32-bit words in host byte order (`0100007F:1F90` = 127.0.0.1:8080 on x86).
import { endianness } from 'node:os';
import { ipFromValue } from '../ip/index.js';
import type { IP } from '../ip/index.js';

export type ProcNetFile = 'tcp' | 'tcp6' | 'udp' | 'udp6';

export interface ProcNetSocket {
  readonly ip: IP;
  readonly port: number;
  // The `st` column: TCP state (0A = LISTEN) or 07 for an unconnected UDP socket.
  readonly state: number;
}

export const TCP_TIME_WAIT = 0x06;
export const TCP_CLOSE_WAIT = 0x08;

const HOST_LITTLE_ENDIAN = endianness() === 'LE';

// One 8-hex-digit word as the kernel printed it → the 4 address bytes in network order.
function wordValue(hex: string, littleEndian: boolean): bigint {
  const n = Number.parseInt(hex, 16);
  if (!littleEndian) return BigInt(n);
  return BigInt((((n & 0xff) << 24) | ((n & 0xff00) << 8) | ((n >>> 8) & 0xff00) | (n >>> 24)) >>> 0);
}

/** `0100007F:1F90` → 127.0.0.1 port 8080; undefined for text that is not such an address. */
export function parseProcNetAddress(text: string, littleEndian = HOST_LITTLE_ENDIAN): { ip: IP; port: number } | undefined {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!m) return undefined;
  const [, addr = '', portHex = ''] = m;
  let value = 0n;
  for (let i = 0; i < addr.length; i += 8) value = (value << 32n) | wordValue(addr.slice(i, i + 8), littleEndian);
  return { ip: ipFromValue(addr.length === 8 ? 4 : 6, value), port: Number.parseInt(portHex, 16) };
}

/** Every socket line of one /proc/net file; the header and malformed lines are skipped. */
export function parseProcNet(text: string, littleEndian = HOST_LITTLE_ENDIAN): ProcNetSocket[] {
  const out: ProcNetSocket[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    // fields: "sl:" local_address rem_address st ...
    const local = fields[1] === undefined ? undefined : parseProcNetAddress(fields[1], littleEndian);
    const state = Number.parseInt(fields[3] ?? '', 16);
    if (!local || Number.isNaN(state)) continue;
    out.push({ ...local, state });
  }
  return out;
}
