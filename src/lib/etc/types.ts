// Shared types of the container-files module.

// Where warnings go: the lib never prints (design.md §2); callers pass their logger.
export type Logger = (level: 'debug' | 'info' | 'warn', message: string) => void;

// Network modes that get their own files; `container:` mounts the target's files instead.
export type FilesMode = 'cni' | 'host' | 'none' | 'ns';

// DNS values as requested (flags, else the global config), each list already deduplicated.
export interface DnsSettings {
  servers: string[];
  search: string[];
  options: string[];
}

export const noLogger: Logger = () => {};
