// The hostname a container gets and its /etc/hostname file.
import { NerdnetError } from '../errors.js';
import { validateIdentifier } from '../store/layout.js';
import { validateDomainname, validateHostname } from './validate.js';
import type { FilesMode } from './types.js';

export interface HostnameInput {
  mode: FilesMode;
  id: string;
  hostname?: string | undefined;
  domainname?: string | undefined;
  // `--uts=host`: the container shares the host's UTS namespace.
  utsHost?: boolean | undefined;
  // The host's hostname (os.hostname()), the default in host and ns: modes.
  hostHostname?: string | undefined;
}

export interface HostnamePlan {
  // Effective hostname: label nerdctl/hostname, OCI `hostname`, env HOSTNAME; '' with CNI + --uts=host.
  hostname: string;
  domainname: string;
  // Content of <stateDir>/hostname (`<hostname>\n`), or undefined with --uts=host.
  file: string | undefined;
}

// First 12 characters of the container ID, as Docker and nerdctl do.
export function defaultHostname(id: string): string {
  return validateIdentifier('container ID', id).slice(0, 12);
}

// Decide the hostname and the file content; validates every value before anything is written.
export function planHostname(input: HostnameInput): HostnamePlan {
  const given = input.hostname !== undefined && input.hostname !== '';
  const domainname = input.domainname ? validateDomainname(input.domainname) : '';
  if (input.utsHost) {
    if (given || domainname) {
      throw new NerdnetError('ERR_INVALID_ARG', 'conflicting options: cannot set --hostname and/or --domainname with --uts=host; drop them or drop --uts=host');
    }
    // CNI + --uts=host keeps the label empty; host/ns modes report the host's name.
    const hostname = input.mode === 'host' || input.mode === 'ns' ? validateHostname(hostHostname(input), 'host hostname') : '';
    return { hostname, domainname: '', file: undefined };
  }
  let hostname: string;
  if (given) hostname = validateHostname(input.hostname ?? '');
  else if (input.mode === 'host' || input.mode === 'ns') hostname = validateHostname(hostHostname(input), 'host hostname');
  else hostname = defaultHostname(input.id);
  return { hostname, domainname, file: `${hostname}\n` };
}

function hostHostname(input: HostnameInput): string {
  if (!input.hostHostname) {
    throw new NerdnetError('ERR_INVALID_ARG', `the host's hostname is needed for --network=${input.mode}; pass hostHostname (os.hostname()) or --hostname`);
  }
  return input.hostHostname;
}
