// runc driver, bundles and the per-container exit monitor (shim).
export { Runc, findRunc, signalNumber } from './runc.js';
export type { ExecOptions, RuncOptions, RuncResult, RuncState } from './runc.js';
export { configPath, readBundleSpec, writeBundle } from './bundle.js';
export { SHIM_NAME, readExitRecord, readRuncErrors, readStartError, shQuote, shimAlive, shimScript, spawnShim } from './shim.js';
export type { ExitRecord, ShimPlan, SpawnShimOptions } from './shim.js';
