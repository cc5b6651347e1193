// The IP module: the only place for address math (parse/format, CIDR arithmetic, subnet allocation).
export {
  bitLength,
  compareIP,
  formatIP,
  ipEquals,
  ipFromValue,
  ipParseError,
  isIPv4,
  isIPv4Mapped,
  isIPv6,
  mapIPv4,
  maxValue,
  parseIP,
  tryParseIP,
  unmapIPv4,
} from './address.js';
export type { IP, IPFamily } from './address.js';
export {
  addressCount,
  broadcast,
  cidrEquals,
  cidrOf,
  cidrParseError,
  compareCidr,
  contains,
  containsNet,
  firstUsable,
  formatCIDR,
  formatParsedCIDR,
  hasHostBits,
  ipsInNet,
  ipsInRange,
  lastAddress,
  lastUsable,
  maskSize,
  networkAddress,
  nextIP,
  nextSubnet,
  nthAddress,
  overlaps,
  parseCIDR,
  prefixMask,
  prevIP,
  tryParseCIDR,
} from './cidr.js';
export type { Cidr, ParsedCidr } from './cidr.js';
export { isPrivate, PRIVATE_BLOCKS, privateBlockOf } from './private.js';
export { findFreeSubnet, STARTING_SUBNET } from './allocate.js';
export type { FindFreeSubnetOptions } from './allocate.js';
