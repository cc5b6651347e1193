// The composition root: createNerdnet() turns nerdctl's global settings into the objects every
// command uses (api/wiring.ts), and hands a program typed services and handles. Only the settings
// are read here; the rest loads on first use, so `import('nerdnet')` costs little.
import type { Cni } from './api/cni.js';
import type { Containers } from './api/containers.js';
import type { ImageBackend, Images } from './api/images.js';
import type { Networks } from './api/networks.js';
import { resolveSettings, type NerdnetOptions, type Settings } from './api/settings.js';
import type { Wiring } from './api/wiring.js';

export interface Nerdnet extends AsyncDisposable {
  readonly settings: Readonly<Settings>;
  readonly networks: Networks;
  readonly containers: Containers;
  readonly images: Images;
  readonly cni: Cni;
  // Releases what the instance holds open (containerd's gRPC channel); containers keep running.
  close(): Promise<void>;
}

type AsyncMethods<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : never };

// An object whose methods load their module first: the service is built on the first call.
function deferred<T extends AsyncMethods<T>>(load: () => Promise<T>, methods: ReadonlyArray<keyof T>): T {
  let loaded: Promise<T> | undefined;
  const get = () => (loaded ??= load());
  const out: Record<string, unknown> = {};
  for (const m of methods) out[m as string] = async (...args: unknown[]) => ((await get())[m] as (...a: unknown[]) => Promise<unknown>)(...args);
  return out as T;
}

export function createNerdnet(options: NerdnetOptions = {}): Nerdnet {
  const settings = resolveSettings(options);
  let wiring: Promise<Wiring> | undefined;
  const wired = () => (wiring ??= import('./api/wiring.js').then((m) => m.wire(settings)));
  let images: Promise<ImageBackend> | undefined;
  const openedImages = () => (images ??= import('./api/images.js').then((m) => m.openImages(settings)));
  const close = async () => {
    const open = images;
    images = undefined;
    if (open) await (await open).close();
  };
  return {
    settings,
    networks: deferred<Networks>(async () => (await import('./api/networks.js')).networksService((await wired()).networkEnv), ['create', 'get', 'list', 'prune']),
    containers: deferred<Containers>(async () => (await import('./api/containers.js')).containersService((await wired()).manager), ['run', 'create', 'get', 'list']),
    images: deferred<Images>(openedImages, ['load', 'list', 'remove', 'inspect', 'pull', 'push', 'tag']),
    cni: deferred<Cni>(async () => {
      const w = await wired();
      return (await import('./api/cni.js')).cniService(w.cniConfig(), settings.confDir, settings.namespace);
    }, ['config', 'load']),
    close,
    [Symbol.asyncDispose]: close,
  };
}
