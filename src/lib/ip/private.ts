// Private address blocks: where auto-allocated subnets are allowed to live.
import { bitLength } from './address.js';
import type { IP } from './address.js';
import { containsNet, parseCIDR } from './cidr.js';
import type { Cidr } from './cidr.js';

/** RFC 1918 blocks and the IPv6 unique-local block (RFC 4193). */
export const PRIVATE_BLOCKS: readonly Cidr[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'].map(
  (s) => parseCIDR(s).network,
);

// The private block (see PRIVATE_BLOCKS) that wholly contains `net`, if any.
export function privateBlockOf(net: Cidr): Cidr | undefined {
  return PRIVATE_BLOCKS.find((block) => containsNet(block, net));
}

// Whether the subnet (or a single address) lies entirely in a private block.
export function isPrivate(net: Cidr | IP): boolean {
  const asNet: Cidr = 'prefix' in net ? net : { family: net.family, value: net.value, prefix: bitLength(net.family) };
  return privateBlockOf(asNet) !== undefined;
}
