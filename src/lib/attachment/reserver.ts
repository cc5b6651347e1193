// The port reserver of a container that publishes ports: its pid file (nerdctl's layout under the run dir).
import { join } from 'node:path';

export function reserverPidFile(runDir: string, ns: string, id: string): string {
  return join(runDir, ns, id, 'port-reserver.pid');
}
