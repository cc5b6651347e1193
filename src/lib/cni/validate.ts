// CNI validity rules for container IDs, network names and interface names (libcni pkg/utils): the same codes and messages as libcni, so callers can match on them.
import { CniError } from '../errors.js';

const VALID_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
// Unicode whitespace as Go's unicode.IsSpace sees it.
const SPACE_OR_SEP = /[/:\s\u0085\u00a0]/u;
const MAX_IFNAME_BYTES = 15;

export function validateContainerID(id: string): void {
  if (id === '') throw new CniError({ code: 3, msg: 'missing containerID' }, { code: 'ERR_INVALID_ARG' });
  if (!VALID_ID.test(id)) {
    throw new CniError({ code: 4, msg: 'invalid characters in containerID', details: id }, { code: 'ERR_INVALID_ARG' });
  }
}

export function validateNetworkName(name: string): void {
  if (name === '') throw new CniError({ code: 7, msg: 'missing network name:' }, { code: 'ERR_INVALID_ARG' });
  if (!VALID_ID.test(name)) {
    throw new CniError({ code: 7, msg: 'invalid characters found in network name', details: name }, { code: 'ERR_INVALID_ARG' });
  }
}

export function validateInterfaceName(ifName: string): void {
  const fail = (msg: string, details?: string): never => {
    throw new CniError(details === undefined ? { code: 4, msg } : { code: 4, msg, details }, { code: 'ERR_INVALID_ARG' });
  };
  if (ifName === '') fail('interface name is empty');
  if (Buffer.byteLength(ifName) > MAX_IFNAME_BYTES) {
    fail('interface name is too long', 'interface name should be less than 16 characters');
  }
  if (ifName === '.' || ifName === '..') fail('interface name is . or ..');
  if (SPACE_OR_SEP.test(ifName)) fail('interface name contains / or : or whitespace characters');
}
