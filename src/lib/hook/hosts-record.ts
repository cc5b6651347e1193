// The hook's record of a starting container in the hosts store (createRuntime). It is taken as soon
// as every network's first plugin has returned its addresses, while the chained plugins (firewall,
// portmap, tuning) still run: rewriting every peer's /etc/hosts grows with the peers, and this way
// it overlaps the plugins instead of adding to the start.
import type { JsonObject } from '../cni/conf.js';
import { resultToJSON, type Result } from '../cni/result.js';
import type { HostsStore } from '../etc/hosts-store.js';
import type { Logger } from '../etc/types.js';
import type { HookInput } from './events.js';
import type { ResolvedNetwork } from './networks.js';

// nerdctl/extraHosts items are `name:ip`; the name holds no colon, the IP (v6) may.
function splitExtraHosts(items: readonly string[]): Record<string, string> {
  return Object.fromEntries(items.map((item) => [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)]));
}

// The container's hosts store record, taken early from the first plugins' results (start), checked
// against the final results (finish: recorded again only when they differ, e.g. a chained plugin
// changed an address), or taken back when the ADD failed after all (undo).
export function hostsRecorder(store: HostsStore, input: HookInput, networks: readonly ResolvedNetwork[], log: Logger) {
  const { state, ann } = input;
  let early: { json: string; done: Promise<unknown> } | undefined;
  let began = 0;
  let ended = 0;
  const record = (raw: readonly Result[]): Promise<unknown> => {
    const results = resultsByNetwork(networks, raw);
    return store
      .acquire({
        ns: ann.namespace,
        id: state.id,
        meta: { name: ann.name, hostname: ann.hostname, domainname: ann.domainname, networks: results, extraHosts: splitExtraHosts(ann.extraHosts) },
      })
      .finally(() => (ended = performance.now()));
  };
  return {
    start(raw: readonly Result[]): void {
      began = performance.now();
      const done = record(raw);
      done.catch(() => undefined); // awaited by finish or undo
      early = { json: JSON.stringify(resultsByNetwork(networks, raw)), done };
    },
    async finish(raw: readonly Result[]): Promise<void> {
      if (early) {
        await early.done;
        if (early.json === JSON.stringify(resultsByNetwork(networks, raw))) return;
        log('debug', 'the chained plugins changed the result: recording it in the hosts store again');
      }
      began = performance.now();
      await record(raw);
    },
    async undo(): Promise<void> {
      if (!early) return;
      const recorded = await early.done.then(() => true, () => false);
      if (recorded) await store.release(ann.namespace, state.id).catch((e: unknown) => log('warn', `hosts store rollback: ${(e as Error).message}`));
    },
    took: (): string => (ended - began).toFixed(1),
  };
}

function resultsByNetwork(networks: readonly ResolvedNetwork[], raw: readonly Result[]): Record<string, JsonObject> {
  return Object.fromEntries(networks.map((n, i) => [n.requested, resultToJSON(raw[i] ?? { cniVersion: '1.1.0' })]));
}
