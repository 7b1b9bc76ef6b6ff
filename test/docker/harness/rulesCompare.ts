// `cnm rules` against `iptables-save` on the real dockerd. Generated names are normalised (each bridge
// device becomes <NETWORK>); only Docker's part is compared: the DOCKER* chains and the built-in chains'
// rules that mention a Docker bridge or jump to a DOCKER chain. Rules of bridges that do not belong to
// the scenario (another suite's networks) are left out on both sides, and reported.
import type { InspectResult } from '../../../src/engine/inspectTypes';

const BUILTIN = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);

export interface NormalisedRules {
  readonly lines: string[];
  /** Lines left out because they name a bridge that is not the scenario's. */
  readonly foreign: string[];
}

/** Bridge device → "<network>" for every bridge network of one side. */
export function bridgeLabels(inspect: InspectResult): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of inspect.networks) if (n.bridge) m.set(n.bridge, `<${n.name}>`);
  return m;
}

/**
 * Addresses dockerd picks (auto subnets, dynamic container addresses) → names, so the comparison is
 * about the rules and their order, not about allocation (which the differential suite checks).
 */
export function addressLabels(inspect: InspectResult): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of inspect.networks) if (n.subnet && !n.subnet.includes(':')) m.set(n.subnet, `<${n.name} subnet>`);
  for (const c of inspect.containers) for (const e of c.endpoints) if (e.ipv4_address) m.set(e.ipv4_address, `<${c.name} on ${e.network}>`);
  // Host ports (ephemeral and range ones come from dockerd's cursor): "tcp/32768" → what they publish.
  for (const c of inspect.containers) {
    for (const p of c.ports) if (!p.host_ip.includes(':')) m.set(`${p.protocol}/${p.host_port}`, `<host port of ${c.name} ${p.container_port}/${p.protocol} at ${p.host_ip}>`);
  }
  return m;
}

function relabelAddresses(line: string, labels: ReadonlyMap<string, string>): string {
  const proto = / -p (tcp|udp|sctp) /.exec(line)?.[1];
  if (proto && / -j DNAT /.test(line)) line = line.replace(/--dport (\d+)/, (all, port: string) => labels.get(`${proto}/${port}`) ? `--dport ${labels.get(`${proto}/${port}`)}` : all);
  return line.replace(/\b(\d{1,3}(?:\.\d{1,3}){3})(\/\d{1,2})?/g, (all, ip: string, len: string | undefined) => {
    if (len && len !== '/32') return labels.get(`${ip}${len}`) ?? all;
    const l = labels.get(ip);
    return l ? `${l}${len ?? ''}` : all;
  });
}

export function normaliseIptablesSave(text: string, bridges: ReadonlyMap<string, string>, addresses: ReadonlyMap<string, string> = new Map()): NormalisedRules {
  const lines: string[] = [];
  const foreign: string[] = [];
  let table = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      table = line.slice(1);
      continue;
    }
    if (line === '' || line.startsWith('#') || line === 'COMMIT') continue;
    if (line.startsWith(':')) {
      const [name, policy] = line.slice(1).split(' ');
      if (name!.startsWith('DOCKER') || (table === 'filter' && name === 'FORWARD')) lines.push(`${table} :${name} ${policy}`);
      continue;
    }
    const m = /^-A (\S+) (.*)$/.exec(line);
    if (!m) continue;
    const chain = m[1]!;
    const devices = [...line.matchAll(/(?:-i|-o) (\S+)/g)].map((x) => x[1]!);
    const mentionsBridge = devices.some((d) => d === 'docker0' || d.startsWith('br-') || bridges.has(d));
    const jumpsDocker = / -j DOCKER/.test(line);
    if (!chain.startsWith('DOCKER') && !(BUILTIN.has(chain) && (mentionsBridge || jumpsDocker || / -j MASQUERADE/.test(line)))) continue;
    if (devices.some((d) => (d.startsWith('br-') || d === 'docker0') && !bridges.has(d))) {
      foreign.push(`${table} ${line}`);
      continue;
    }
    const named = line.replace(/(-[io]) (\S+)/g, (all, flag: string, dev: string) => (bridges.has(dev) ? `${flag} ${bridges.get(dev)}` : all));
    lines.push(`${table} ${relabelAddresses(named, addresses)}`);
  }
  return { lines, foreign };
}

/**
 * dockerd programs one container's published ports in an order that depends on Go map iteration
 * (daemon buildSandboxOptions ranges over the PortSet, then go-connections nat.SortPortMap, whose Less is
 * not a strict order): it differs from run to run. So within a run of consecutive rules of one chain
 * for the same container (its normalised address label), the order is not compared; across containers
 * and for every other rule it is.
 */
export function canonicalPortOrder(lines: readonly string[]): string[] {
  const out: string[] = [];
  const key = (line: string) => {
    const chain = /^(\S+ -A \S+)/.exec(line)?.[1] ?? '';
    const labels = [...new Set(line.match(/<[^>]+ on [^>]+>/g) ?? [])];
    return labels.length === 1 ? `${chain}|${labels[0]}` : null;
  };
  for (let i = 0; i < lines.length; ) {
    const k = key(lines[i]!);
    let j = i + 1;
    if (k !== null) while (j < lines.length && key(lines[j]!) === k) j++;
    out.push(...lines.slice(i, j).sort());
    i = j;
  }
  return out;
}

/** Lines in one and not the other, and whether the common lines come in the same order. */
export function diffRules(real: readonly string[], engine: readonly string[]): string[] {
  const out: string[] = [];
  const count = (xs: readonly string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const r = count(real), e = count(engine);
  for (const [l, n] of r) if ((e.get(l) ?? 0) < n) out.push(`only dockerd: ${l}`);
  for (const [l, n] of e) if ((r.get(l) ?? 0) < n) out.push(`only engine:  ${l}`);
  if (out.length === 0 && real.join('\n') !== engine.join('\n')) {
    for (let i = 0; i < real.length; i++) {
      if (real[i] !== engine[i]) {
        out.push(`order differs at line ${i + 1}: dockerd "${real[i]}", engine "${engine[i]}"`);
        break;
      }
    }
  }
  return out;
}
