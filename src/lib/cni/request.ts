// The per-plugin request config: the plugin object as configured, overlaid with the keys
// the runtime injects for each command.
import type { CniCommand } from './exec.js';
import type { JsonObject, PluginConf } from './conf.js';

export interface Attachment {
  containerID: string;
  ifName: string;
}

export interface RequestInputs {
  command: CniCommand;
  name: string;
  cniVersion: string;
  capabilityArgs?: JsonObject | undefined;
  prevResult?: JsonObject | undefined;
  // GC only: undefined means "no args given" (nothing injected).
  validAttachments?: Attachment[] | undefined;
}

// Only capabilities the plugin declares `true` AND the runtime supplies (libcni; CONVENTIONS.md).
export function filterCapabilities(plugin: PluginConf, capabilityArgs: JsonObject | undefined): JsonObject {
  const out: JsonObject = {};
  if (!capabilityArgs) return out;
  for (const [key, enabled] of Object.entries(plugin.capabilities)) {
    if (enabled && capabilityArgs[key] !== undefined) out[key] = capabilityArgs[key];
  }
  return out;
}

export function buildRequest(plugin: PluginConf, inputs: RequestInputs): JsonObject {
  const req: JsonObject = { ...plugin.raw, cniVersion: inputs.cniVersion, name: inputs.name };
  switch (inputs.command) {
    case 'ADD':
    case 'DEL':
    case 'CHECK': {
      const rc = filterCapabilities(plugin, inputs.capabilityArgs);
      // A non-empty runtimeConfig replaces a static one; an empty one leaves the file's in place.
      if (Object.keys(rc).length > 0) req.runtimeConfig = rc;
      if (inputs.prevResult !== undefined) req.prevResult = inputs.prevResult;
      break;
    }
    case 'GC':
      if (inputs.validAttachments !== undefined) {
        const list = inputs.validAttachments.map((a) => ({ containerID: a.containerID, ifname: a.ifName }));
        req['cni.dev/valid-attachments'] = list;
        // The legacy key the 1.1.0 SPEC text named (cni#1101/#1103); libcni sends both.
        req['cni.dev/attachments'] = list;
      }
      break;
    case 'STATUS':
    case 'VERSION':
      break;
  }
  return req;
}

// Go marshals maps with sorted keys and no spaces; plugins see the same bytes from us.
export function canonicalJSON(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const sorted: JsonObject = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as JsonObject)[k];
    return sorted;
  });
}
