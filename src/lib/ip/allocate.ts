// Subnet auto-allocation: nerdctl's "first free /24 from 10.4.1.0/24 upward" walk (pkg/netutil/subnet).
import { NerdnetError } from '../errors.js';
import { bitLength, maxValue } from './address.js';
import { addressCount, formatCIDR, hasHostBits, lastAddress, networkAddress, parseCIDR } from './cidr.js';
import type { Cidr } from './cidr.js';
import { privateBlockOf, PRIVATE_BLOCKS } from './private.js';

/** nerdctl's StartingCIDR: where auto-allocation begins (10.4.0.0/24 is kept for the default network). */
export const STARTING_SUBNET = '10.4.1.0/24';

export interface FindFreeSubnetOptions {
  /** First candidate; its prefix length is the size of every candidate. Default `10.4.1.0/24`. */
  start?: string | Cidr;
  /** Subnets already taken (host interface networks, other networks' subnets); other families are ignored. */
  used: readonly Cidr[];
  /**
   * Stay inside the private block holding `start` (default true). `false` keeps walking to the end
   * of the address space, as nerdctl itself does (into 11.0.0.0/24 and beyond).
   */
  withinPrivate?: boolean;
  /** Give up after examining this many candidate subnets (default: no limit besides the block's end). */
  limit?: number;
}

function startOf(start: string | Cidr): Cidr {
  if (typeof start !== 'string') return { ...start, value: networkAddress(start).value };
  const parsed = parseCIDR(start);
  if (hasHostBits(parsed)) {
    throw new NerdnetError('ERR_INVALID_ARG', `start subnet "${start}" has host bits set; did you mean "${formatCIDR(parsed.network)}"?`);
  }
  return parsed.network;
}

// The first subnet of start's size, at or after start, that overlaps no used subnet.
export function findFreeSubnet(opts: FindFreeSubnetOptions): Cidr {
  const start = startOf(opts.start ?? STARTING_SUBNET);
  const { family, prefix } = start;
  let end = maxValue(family);
  let where = `the IPv${family} address space`;
  if (opts.withinPrivate ?? true) {
    const block = privateBlockOf(start);
    if (block === undefined) {
      throw new NerdnetError(
        'ERR_INVALID_ARG',
        `start subnet ${formatCIDR(start)} is not inside a private block (${PRIVATE_BLOCKS.map(formatCIDR).join(', ')}); start inside one or allow public space with withinPrivate: false`,
      );
    }
    end = lastAddress(block).value;
    where = formatCIDR(block);
  }
  const size = addressCount(start);
  const hostBits = BigInt(bitLength(family) - prefix);
  const used = opts.used
    .filter((u) => u.family === family)
    .map((u) => ({ first: networkAddress(u).value, last: lastAddress(u).value }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));

  // Sweep: candidates only move up, so every used subnet starting at or before the candidate's end
  // stays relevant, and only the furthest end among them matters.
  let next = 0;
  let furthest = -1n;
  let candidate = start.value;
  while (candidate + size - 1n <= end) {
    if (opts.limit !== undefined && (candidate - start.value) / size >= BigInt(opts.limit)) {
      throw new NerdnetError(
        'ERR_IN_USE',
        `no free subnet within ${opts.limit} /${prefix} subnets from ${formatCIDR(start)}: all overlap a used subnet; remove unused networks or choose a subnet explicitly`,
      );
    }
    for (let u = used[next]; u !== undefined && u.first <= candidate + size - 1n; u = used[++next]) {
      if (u.last > furthest) furthest = u.last;
    }
    if (furthest < candidate) return { family, value: candidate, prefix };
    // Every candidate up to the end of that used subnet overlaps it too, so jump past it in one step.
    candidate = ((furthest >> hostBits) + 1n) << hostBits;
  }
  throw new NerdnetError(
    'ERR_IN_USE',
    `no free subnet: every /${prefix} from ${formatCIDR(start)} to the end of ${where} overlaps a used subnet; remove unused networks or choose a subnet explicitly`,
  );
}
