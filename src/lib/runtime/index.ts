// Container runtimes behind one interface (ContainerRuntime): runc driven directly with a
// per-container exit monitor (shim), and containerd (src/lib/containerd, loaded on demand).
export { Runc, findRunc, signalNumber } from './runc.js';
export type { ExecOptions, RuncOptions, RuncResult, RuncState } from './runc.js';
export { RuncRuntime } from './runc-runtime.js';
export { BACKENDS } from './types.js';
export type { AttachedEnd, Backend, ContainerRuntime, LaunchRequest, Launched, RuntimeContainer, RuntimeExecOptions, RuntimeFiles, RuntimeObservation, RuntimeRecord } from './types.js';
export { configPath, readBundleSpec, writeBundle } from './bundle.js';
export { SHIM_NAME, readExitRecord, readRuncErrors, readStartError, shQuote, shimAlive, shimScript, spawnShim } from './shim.js';
export type { ExitRecord, ShimPlan, SpawnShimOptions } from './shim.js';
