// Checks an action before it touches the file: the new text is played on a fresh engine (a copy of the
// topology), and any error that was not there before — in Docker's own words — stops the action.
// Also the helpers the input wizards use (a free subnet as Docker would pick it, address checks).
// Pure: no `vscode`, unit-tested.
import { formatAddr, formatNet, netContains, parseCidr, parseIp, type HostState, type NetworkState } from '../engine';
import { loadTopology, type LoadedTopology, type TopologyDiagnostic } from '../topology';
import { minimalEdits, type TextEdit } from './textDiff';
import { YamlEditError, removeContainer } from '../topology/edit';

export interface PlannedChange {
  oldText: string;
  newText: string;
  edits: TextEdit[];
  /** The new text, loaded: what the tree and diagram will show once the edit is applied. */
  loaded: LoadedTopology;
  /** Warnings the change brings (Docker's silent surprises, e.g. a port ignored in host mode). */
  warnings: string[];
}

export type PlanResult = { ok: true; change: PlannedChange } | { ok: false; error: string };

/**
 * Computes `edit(text)` and checks it on a copy of the engine; never throws. `expected`: errors the change
 * is known to bring and the user accepted (they stay in the file, flagged), not a reason to refuse it.
 */
export function planChange(oldText: string, edit: (text: string) => string, old?: LoadedTopology, expected?: (d: TopologyDiagnostic) => boolean): PlanResult {
  let newText: string;
  try {
    newText = edit(oldText);
  } catch (e) {
    if (e instanceof YamlEditError) return { ok: false, error: e.message };
    return { ok: false, error: `Could not change the file: ${e instanceof Error ? e.message : String(e)}` };
  }
  const before = old ?? loadTopology(oldText);
  const after = loadTopology(newText);
  const added = newDiagnostics(before.diagnostics, after.diagnostics);
  const error = added.find((d) => d.severity === 'error' && !expected?.(d));
  if (error) return { ok: false, error: `${error.message} (line ${error.range.start.line + 1} of the changed file)` };
  return {
    ok: true,
    change: { oldText, newText, edits: minimalEdits(oldText, newText), loaded: after, warnings: added.filter((d) => d.severity === 'warning').map((d) => d.message) },
  };
}

/**
 * Remove Container on a file: what still names the container (containers joining its namespace, expect
 * entries) stays in the file, flagged, as the question before it says; those errors name it in quotes and
 * do not stop the removal. Any other new error does.
 */
export function planContainerRemoval(text: string, name: string, old?: LoadedTopology): PlanResult {
  return planChange(text, (t) => removeContainer(t, name), old, (d) => d.message.includes(`"${name}"`));
}

/** Diagnostics of `after` that `before` did not have (compared by severity and message, counted). */
function newDiagnostics(before: TopologyDiagnostic[], after: TopologyDiagnostic[]): TopologyDiagnostic[] {
  const seen = new Map<string, number>();
  const key = (d: TopologyDiagnostic) => `${d.severity}\0${d.message}`;
  for (const d of before) seen.set(key(d), (seen.get(key(d)) ?? 0) + 1);
  const out: TopologyDiagnostic[] = [];
  for (const d of after) {
    const n = seen.get(key(d)) ?? 0;
    if (n > 0) seen.set(key(d), n - 1);
    else out.push(d);
  }
  return out;
}

/**
 * The subnet Docker would give a new network on `host` without --subnet: asked of a fresh copy of the
 * engine (its IPAM state after the whole file), so it is free and follows Docker's pool order.
 */
export function suggestSubnet(text: string, host: string, driver = 'bridge'): string | undefined {
  const copy = loadTopology(text).engine;
  if (!copy.state.hosts.has(host)) return undefined;
  const probe = uniqueName(copy.state.hosts.get(host)!, 'cnm-suggested-subnet');
  try {
    copy.createNetwork(host, { name: probe, driver });
  } catch {
    try {
      copy.createNetwork(host, { name: probe, driver: 'bridge' });
    } catch {
      return undefined;
    }
  }
  const pool = copy.state.hosts.get(host)?.networks.get(networkIdByName(copy.state.hosts.get(host)!, probe) ?? '')?.ipv4[0];
  return pool ? formatNet(pool.subnet) : undefined;
}

/** The first usable address of a subnet, Docker's default gateway ("10.30.0.0/24" → "10.30.0.1"). */
export function defaultGateway(subnet: string): string | undefined {
  const net = parseCidr(subnet);
  if (!net || net.family !== 4 || net.prefix > 30) return undefined;
  return formatAddr({ family: 4, value: net.base + 1n });
}

/** Why `name` cannot be a new network on `host` (Docker's wording), or undefined when it can. */
export function checkNetworkName(loaded: LoadedTopology, host: string, name: string): string | undefined {
  if (name.trim() === '') return `invalid name: ${name}`;
  if (['bridge', 'host', 'none', 'default'].includes(name)) return `operation is not permitted on predefined ${name} network `;
  if (loaded.spec.networks.some((n) => n.name === name && n.host === host)) return `network with name ${name} already exists`;
  if (/[\s#]/.test(name) || name.includes('"')) return 'Use letters, digits, dots, dashes and underscores: the name becomes a YAML key and a DNS-free label.';
  return undefined;
}

/** Why `cidr` cannot be the subnet of a new network on `host`, or undefined. */
export function checkSubnet(loaded: LoadedTopology, host: string, cidr: string): string | undefined {
  if (cidr.trim() === '') return undefined; // empty: Docker picks one
  const net = parseCidr(cidr.trim());
  if (!net) return `invalid CIDR address: ${cidr}`;
  const h = loaded.engine.state.hosts.get(host);
  for (const n of h?.networks.values() ?? []) {
    for (const pool of [...n.ipv4, ...n.ipv6]) {
      if (pool.subnet.family === net.family && (netContains(pool.subnet, { family: net.family, value: net.base }) || netContains(net, { family: net.family, value: pool.subnet.base }))) {
        return `Pool overlaps with other one on this address space (network "${n.name}" has ${formatNet(pool.subnet)})`;
      }
    }
  }
  return undefined;
}

/** Why `gateway` cannot be the gateway of `subnet`, or undefined. */
export function checkGateway(subnet: string, gateway: string): string | undefined {
  if (gateway.trim() === '') return undefined;
  const ip = parseIp(gateway.trim());
  if (!ip) return `invalid gateway address ${gateway}`;
  const net = parseCidr(subnet.trim());
  if (net && !netContains(net, ip)) return `no matching subnet for gateway ${gateway}`;
  return undefined;
}

/**
 * Why `address` cannot be `container`'s static address on `network`, or undefined. The final word is
 * the engine's (planChange); this answers as the user types.
 */
export function checkEndpointAddress(loaded: LoadedTopology, host: string, network: string, address: string): string | undefined {
  const text = address.trim();
  if (text === '') return undefined;
  const ip = parseIp(text);
  if (!ip) return `invalid IPv4 address: ${text}`;
  const net = networkByName(loaded, host, network);
  if (!net) return undefined;
  const spec = loaded.spec.networks.find((n) => n.name === network && n.host === host);
  if (!spec || !spec.ipamConfig.some((c) => c.subnet)) return 'user specified IP address is supported only when connecting to networks with user configured subnets';
  const pools = ip.family === 4 ? net.ipv4 : net.ipv6;
  const pool = pools.find((p) => netContains(p.subnet, ip));
  if (!pool) return `no configured subnet contains IP address ${text} (${network} has ${pools.map((p) => formatNet(p.subnet)).join(', ') || 'no subnet'})`;
  if (pool.gateway && pool.gateway.value === ip.value) return `Address already in use: ${text} is the gateway of ${network}`;
  for (const ep of net.endpoints.values()) {
    if (ep.ipv4?.address === text || ep.ipv6?.address === text) return `Address already in use: ${text} belongs to ${ep.name}`;
  }
  return undefined;
}

/** Why these aliases cannot be used, or undefined. */
export function checkAliases(aliases: string[]): string | undefined {
  const bad = aliases.find((a) => !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(a));
  return bad === undefined ? undefined : `"${bad}" is not a valid alias: use letters, digits, dots, dashes and underscores`;
}

export function networkByName(loaded: LoadedTopology, host: string, name: string): NetworkState | undefined {
  const h = loaded.engine.state.hosts.get(host);
  const id = h ? networkIdByName(h, name) : undefined;
  return id ? h!.networks.get(id) : undefined;
}

function networkIdByName(h: HostState, name: string): string | undefined {
  for (const n of h.networks.values()) if (n.name === name) return n.id;
  return undefined;
}

function uniqueName(h: HostState, base: string): string {
  let name = base;
  for (let i = 2; networkIdByName(h, name); i++) name = `${base}-${i}`;
  return name;
}

const PORT_SPEC = /^(\[?[0-9a-fA-F:.]*\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;

/** The Run form's ports answer: "-p" specs, "--expose PORT" and "-P", comma separated. */
export function parsePortsAnswer(v: string): { ports: string[]; expose: string[]; publishAll: boolean; bad?: string } {
  const out = { ports: [] as string[], expose: [] as string[], publishAll: false };
  for (const item of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (item === '-P' || item === '--publish-all') out.publishAll = true;
    else if (/^--expose[ =]/.test(item)) out.expose.push(...item.replace(/^--expose[ =]/, '').split(/\s+/).filter(Boolean));
    else if (item.split(/\s+/).every((p) => PORT_SPEC.test(p))) out.ports.push(...item.split(/\s+/).filter(Boolean));
    else return { ...out, bad: item };
  }
  return out;
}
