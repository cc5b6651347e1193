// The plugin chain per driver: bridge → portmap → firewall →
// tuning (no portmap when --internal); macvlan/ipvlan alone. Key order is Go's struct order.
import { NerdnetError } from '../errors.js';
import type { OrderedObject } from './gojson.js';
import { DEFAULT_NETWORK_NAME, bridgeNameFor } from './names.js';
import { parseGoBool, parseMTU } from './options.js';
import { versionAtLeast } from './firewall.js';

export type Driver = 'bridge' | 'macvlan' | 'ipvlan';
export const DRIVERS: readonly Driver[] = ['bridge', 'macvlan', 'ipvlan'];

export interface PluginsRequest {
  driver: Driver;
  name: string;
  options: ReadonlyMap<string, string>;
  ipam: OrderedObject;
  internal: boolean;
  // `capabilities: {"ips": true}` on the main plugin (--ipv6, or static IPAM).
  ipsCapability: boolean;
  firewallVersion: string | undefined;
  rootless: boolean;
}

export interface PluginsPlan {
  plugins: Array<Record<string, unknown>>;
  // The bridge device the conflist names (bridge driver only).
  bridge?: string;
  warnings: string[];
}

function unsupported(driver: string, key: string, supported: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', `unsupported "${driver}" network option "${key}"; supported: ${supported}`);
}

export function checkDriver(driver: string): Driver {
  if (!(DRIVERS as readonly string[]).includes(driver)) {
    throw new NerdnetError('ERR_INVALID_ARG', `unsupported cni driver "${driver}"; use bridge, macvlan or ipvlan`);
  }
  return driver as Driver;
}

// Options in key order: nerdctl walks a Go map, so with several bad options the error is random.
function sortedOptions(options: ReadonlyMap<string, string>): Array<[string, string]> {
  return [...options].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function bridgeChain(req: PluginsRequest): PluginsPlan {
  let mtu = 0;
  let ipMasq = true;
  let icc = true;
  const warnings: string[] = [];
  for (const [k, v] of sortedOptions(req.options)) {
    if (k === 'mtu' || k === 'com.docker.network.driver.mtu') mtu = parseMTU(v);
    else if (k === 'ip-masq' || k === 'com.docker.network.bridge.enable_ip_masquerade') ipMasq = parseGoBool(v, `option ${k}`);
    else if (k === 'icc' || k === 'com.docker.network.bridge.enable_icc') icc = parseGoBool(v, `option ${k}`);
    else throw unsupported('bridge', k, 'mtu, ip-masq, icc (or com.docker.network.driver.mtu, com.docker.network.bridge.enable_ip_masquerade, com.docker.network.bridge.enable_icc)');
  }
  const bridge = bridgeNameFor(req.name);
  const main: Record<string, unknown> = { type: 'bridge', bridge };
  if (!req.internal) main.isGateway = true;
  if (!req.internal && ipMasq) main.ipMasq = true;
  if (mtu > 0) main.mtu = mtu;
  main.hairpinMode = true;
  main.ipam = req.ipam;
  if (req.ipsCapability) main.capabilities = { ips: true };
  let ingressPolicy = 'same-bridge';
  const fw = req.firewallVersion;
  if (!icc) {
    // "isolated" exists since firewall v1.7.1; older plugins reject it at ADD (cni-runtime 4.1).
    if (fw !== undefined && versionAtLeast(fw, '1.7.1')) ingressPolicy = 'isolated';
    else warnings.push(`icc=false needs the CNI firewall plugin >= 1.7.1 (found ${fw ?? 'a version that could not be detected'}); containers on this network can still reach each other`);
  }
  if (req.name !== DEFAULT_NETWORK_NAME && fw !== undefined && !versionAtLeast(fw, '1.1.0')) {
    warnings.push(`the CNI firewall plugin ${fw} is older than 1.1.0: this network is not isolated from other bridge networks`);
  }
  const firewall: Record<string, unknown> = { type: 'firewall' };
  // Rootless: firewalld refuses the unprivileged plugin (nerdctl#2818).
  if (req.rootless) firewall.backend = 'iptables';
  firewall.ingressPolicy = ingressPolicy;
  const portmap = { type: 'portmap', capabilities: { portMappings: true } };
  const plugins = req.internal ? [main, firewall, { type: 'tuning' }] : [main, portmap, firewall, { type: 'tuning' }];
  return { plugins, bridge, warnings };
}

function vlanChain(req: PluginsRequest): PluginsPlan {
  const driver = req.driver;
  let mtu = 0;
  let mode = '';
  let master = '';
  const allowed = driver === 'macvlan' ? ['bridge'] : ['l2', 'l3'];
  for (const [k, v] of sortedOptions(req.options)) {
    if (k === 'mtu' || k === 'com.docker.network.driver.mtu') mtu = parseMTU(v);
    else if (k === 'mode' || k === `${driver}_mode`) {
      if (!allowed.includes(v.toLowerCase())) throw new NerdnetError('ERR_INVALID_ARG', `unknown ${driver} mode "${v}"; use ${allowed.join(' or ')}`);
      // The plugins compare the mode case-sensitively, so write it the way they expect.
      mode = v.toLowerCase();
    } else if (k === 'parent') {
      if (Buffer.byteLength(v) > 15 || /[/\s:]/.test(v)) throw new NerdnetError('ERR_INVALID_ARG', `invalid parent "${v}": give a host interface name, e.g. parent=eth0`);
      master = v;
    } else throw unsupported(driver, k, `mtu, mode (or ${driver}_mode), parent`);
  }
  const main: Record<string, unknown> = { type: driver, master };
  if (mode) main.mode = mode;
  if (mtu > 0) main.mtu = mtu;
  main.ipam = req.ipam;
  if (req.ipsCapability) main.capabilities = { ips: true };
  return { plugins: [main], warnings: [] };
}

export function generatePlugins(req: PluginsRequest): PluginsPlan {
  return req.driver === 'bridge' ? bridgeChain(req) : vlanChain(req);
}
