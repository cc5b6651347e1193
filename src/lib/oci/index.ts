// OCI runtime spec: types, defaults, the spec builder, nerdnet's hook entries, the state a hook reads.
export type { Capabilities, DeviceRule, Hook, Hooks, Linux, Mount, Namespace, NamespaceType, Process, Rlimit, Root, Spec, State, User } from './types.js';
export { OCI_VERSION } from './types.js';
export { DEFAULT_CAPABILITIES, DEFAULT_PATH, MASKED_PATHS, READONLY_PATHS, defaultMounts } from './defaults.js';
export { appendHooks, buildSpec, mergeEnv } from './spec.js';
export type { NetnsSpec, SpecInput } from './spec.js';
export { buildHookCommand, hookFor, nerdnetHooks } from './hooks.js';
export type { HookCommand, HookEvent, SelfCommand } from './hooks.js';
