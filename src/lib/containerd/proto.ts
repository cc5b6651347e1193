// containerd's API definitions, loaded once from the .proto files Debian ships (no copy in the repo):
// golang-github-containerd-containerd-dev for the API, golang-github-gogo-protobuf-dev for gogo.proto
// and google/protobuf/*, golang-github-gogo-googleapis-dev for google/rpc/status.proto (tasks).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GrpcObject, ServiceClientConstructor } from '@grpc/grpc-js';
import { NerdnetError } from '../errors.js';

export const DEFAULT_GOCODE_ROOT = '/usr/share/gocode/src';

export type ServiceName = 'containers' | 'content' | 'diff' | 'events' | 'images' | 'introspection' | 'leases' | 'namespaces' | 'snapshots' | 'tasks' | 'version';

const SERVICES: Record<ServiceName, { file: string; name: string }> = {
  containers: { file: 'containers/v1/containers.proto', name: 'Containers' },
  content: { file: 'content/v1/content.proto', name: 'Content' },
  diff: { file: 'diff/v1/diff.proto', name: 'Diff' },
  events: { file: 'events/v1/events.proto', name: 'Events' },
  images: { file: 'images/v1/images.proto', name: 'Images' },
  introspection: { file: 'introspection/v1/introspection.proto', name: 'Introspection' },
  leases: { file: 'leases/v1/leases.proto', name: 'Leases' },
  namespaces: { file: 'namespaces/v1/namespace.proto', name: 'Namespaces' },
  snapshots: { file: 'snapshots/v1/snapshots.proto', name: 'Snapshots' },
  tasks: { file: 'tasks/v1/tasks.proto', name: 'Tasks' },
  version: { file: 'version/v1/version.proto', name: 'Version' },
};

const API = 'github.com/containerd/containerd/api';

// Include dirs and a file that proves each is there, with the Debian package that ships it.
function includeDirs(root: string): Array<{ dir: string; probe: string; pkg: string }> {
  return [
    { dir: root, probe: `${API}/services/tasks/v1/tasks.proto`, pkg: 'golang-github-containerd-containerd-dev' },
    { dir: join(root, 'github.com/gogo/protobuf'), probe: 'gogoproto/gogo.proto', pkg: 'golang-github-gogo-protobuf-dev' },
    { dir: join(root, 'github.com/gogo/protobuf/protobuf'), probe: 'google/protobuf/timestamp.proto', pkg: 'golang-github-gogo-protobuf-dev' },
    { dir: join(root, 'github.com/gogo/googleapis'), probe: 'google/rpc/status.proto', pkg: 'golang-github-gogo-googleapis-dev' },
  ];
}

export interface ContainerdProtos {
  service(name: ServiceName): ServiceClientConstructor;
}

const cache = new Map<string, Promise<ContainerdProtos>>();

// Loaded lazily on first use (about 150 ms), so commands that never talk to containerd pay nothing.
export function loadContainerdProtos(root: string = DEFAULT_GOCODE_ROOT): Promise<ContainerdProtos> {
  let loaded = cache.get(root);
  if (!loaded) {
    loaded = load(root);
    cache.set(root, loaded);
    loaded.catch(() => cache.delete(root));
  }
  return loaded;
}

async function load(root: string): Promise<ContainerdProtos> {
  const dirs = includeDirs(root);
  const missing = dirs.filter((d) => !existsSync(join(d.dir, d.probe)));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((m) => m.pkg))];
    throw new NerdnetError('ERR_NOT_FOUND', `containerd's API definitions are missing (no ${missing.map((m) => join(m.dir, m.probe)).join(', ')}); install them with \`apt-get install ${pkgs.join(' ')}\` (or run scripts/setup)`);
  }
  const [grpc, loader] = await Promise.all([import('@grpc/grpc-js'), import('@grpc/proto-loader')]);
  let definition;
  try {
    definition = await loader.load(
      Object.values(SERVICES).map((s) => `${API}/services/${s.file}`),
      // int64 sizes fit a JS number; enums as their names ('RUNNING'); unset fields get defaults.
      { includeDirs: dirs.map((d) => d.dir), keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true },
    );
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `cannot load containerd's API definitions from ${root}: ${(err as Error).message}`, { cause: err });
  }
  const pkg = grpc.loadPackageDefinition(definition);
  return {
    service(name: ServiceName): ServiceClientConstructor {
      const s = SERVICES[name];
      const path = ['containerd', 'services', name, 'v1', s.name];
      let node: unknown = pkg;
      for (const part of path) node = (node as GrpcObject | undefined)?.[part];
      if (typeof node !== 'function') throw new NerdnetError('ERR_INTERNAL', `containerd service ${path.join('.')} is not in the API definitions under ${root}`);
      return node as ServiceClientConstructor;
    },
  };
}
