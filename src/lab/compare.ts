// Prediction beside reality on a lab playing a topology file (`cnm lab compare`): the engine's addresses
// (cnm inspect) beside `docker inspect` of each lab host, and the tracer's verdicts beside real probes —
// `ping -c1 -W3` and `nc -w 2` run inside the source container with `docker exec`, to the addresses the
// real daemon gave (the engine's own for its trace). Probes go only to the file's own containers on their
// own lab host (a lab has no route out), so nothing leaves the lab.
import { listeningFromTopology, tracerFor, type Engine, type InspectEndpoint, type InspectResult, type Verdict } from '../engine';
import type { TopologySpec } from '../topology/spec';
import type { Lab, LabHost } from './lab';
import { namespaceListeners } from './play';

export type Outcome = 'agree' | 'disagree' | 'unknown';

export interface ComparedRow {
  kind: 'container' | 'address' | 'probe';
  host: string;
  /** What is compared: "web on mybridge10: IPv4", "10_b1 → web 10.10.0.100 ping". */
  what: string;
  predicted: string;
  observed: string;
  outcome: Outcome;
}

/** One endpoint as `docker inspect` shows it (NetworkSettings.Networks[net]). */
interface RealEndpoint {
  IPAddress?: string;
  GlobalIPv6Address?: string;
  MacAddress?: string;
  Gateway?: string;
}

interface RealContainer {
  Name: string;
  State: { Running: boolean };
  NetworkSettings: { Networks: Record<string, RealEndpoint> | null };
}

const PROBE_WAIT_S = 3;
/** Bounds on the probes from one source container and TCP ports per target. */
const MAX_PROBES_PER_SOURCE = 24;
const MAX_PORTS_PER_TARGET = 3;

const orNone = (v: string | null | undefined) => (v === undefined || v === null || v === '' ? '(none)' : v);

async function realContainers(host: LabHost, names: readonly string[]): Promise<Map<string, RealContainer>> {
  const out = new Map<string, RealContainer>();
  if (!names.length) return out;
  // One inspect for all; a missing name makes docker exit 1 but still print the others.
  const r = await host.docker(['container', 'inspect', ...names], { timeoutMs: 60_000 });
  let list: RealContainer[] = [];
  try {
    list = JSON.parse(r.stdout || '[]') as RealContainer[];
  } catch {
    throw new Error(`lab host ${host.name}: docker inspect answered what is not JSON: ${r.stderr.trim()}`);
  }
  for (const c of list) out.set(c.Name.replace(/^\//, ''), c);
  return out;
}

function compareEndpoint(rows: ComparedRow[], host: string, c: string, e: InspectEndpoint, real: RealEndpoint): void {
  const fields: [string, string | null, string | undefined][] = [
    ['IPv4', e.ipv4_address, real.IPAddress],
    ['IPv6', e.ipv6_address, real.GlobalIPv6Address],
    ['MAC', e.mac_address, real.MacAddress],
    ['gateway', e.gateway, real.Gateway],
  ];
  for (const [field, predicted, observed] of fields) {
    const p = orNone(predicted);
    const o = orNone(observed);
    const outcome: Outcome = e.address_unknown ? 'unknown' : p.toLowerCase() === o.toLowerCase() ? 'agree' : 'disagree';
    rows.push({ kind: 'address', host, what: `${c} on ${e.network}: ${field}`, predicted: e.address_unknown ? 'unknown' : p, observed: o, outcome });
  }
}

/** The engine's and the lab's containers, endpoints and addresses, row by row. */
export async function compareAddresses(spec: TopologySpec, predicted: InspectResult, lab: Lab): Promise<{ rows: ComparedRow[]; real: Map<string, Map<string, RealContainer>> }> {
  const rows: ComparedRow[] = [];
  const real = new Map<string, Map<string, RealContainer>>();
  for (const h of lab.hosts) {
    const names = spec.containers.filter((c) => c.host === h.name).map((c) => c.name);
    const found = await realContainers(h, names);
    real.set(h.name, found);
    for (const name of names) {
      const e = predicted.containers.find((x) => x.name === name && x.host === h.name);
      const r = found.get(name);
      const p = e ? (e.running ? 'running' : 'created') : 'not created';
      const o = r ? (r.State.Running ? 'running' : 'created') : 'not created';
      rows.push({ kind: 'container', host: h.name, what: name, predicted: p, observed: o, outcome: p === o ? 'agree' : 'disagree' });
      if (!e || !r) continue;
      const realNets = r.NetworkSettings.Networks ?? {};
      for (const ep of e.endpoints) {
        const re = realNets[ep.network];
        if (!re) rows.push({ kind: 'address', host: h.name, what: `${name} on ${ep.network}`, predicted: 'attached', observed: 'not attached', outcome: 'disagree' });
        else compareEndpoint(rows, h.name, name, ep, re);
      }
      for (const net of Object.keys(realNets)) {
        if (!e.endpoints.some((ep) => ep.network === net)) rows.push({ kind: 'address', host: h.name, what: `${name} on ${net}`, predicted: 'not attached', observed: 'attached', outcome: 'disagree' });
      }
    }
  }
  return { rows, real };
}

interface ProbePlan {
  host: LabHost;
  from: string;
  to: string;
  network: string;
  predictedAddress: string;
  realAddress: string;
  proto: 'icmp' | 'tcp';
  port?: number;
}

/** Every running container to every other one of its host, on each network they have an IPv4 address on. */
function planProbes(spec: TopologySpec, predicted: InspectResult, real: Map<string, Map<string, RealContainer>>, lab: Lab): ProbePlan[] {
  const plans: ProbePlan[] = [];
  for (const h of lab.hosts) {
    const onHost = predicted.containers.filter((c) => c.host === h.name);
    const realHere = real.get(h.name) ?? new Map<string, RealContainer>();
    for (const from of onHost) {
      if (!from.running || !realHere.get(from.name)?.State.Running) continue;
      const mine: ProbePlan[] = [];
      for (const to of onHost) {
        if (to === from || !to.running || !realHere.get(to.name)?.State.Running) continue;
        const toSpec = spec.containers.find((c) => c.name === to.name && c.host === h.name);
        const ports = toSpec ? namespaceListeners(spec, toSpec).filter((l) => l.proto === 'tcp').slice(0, MAX_PORTS_PER_TARGET) : [];
        for (const ep of to.endpoints) {
          const realAddress = realHere.get(to.name)?.NetworkSettings.Networks?.[ep.network]?.IPAddress;
          if (!ep.ipv4_address || !realAddress) continue;
          const base = { host: h, from: from.name, to: to.name, network: ep.network, predictedAddress: ep.ipv4_address, realAddress };
          mine.push({ ...base, proto: 'icmp' });
          for (const p of ports) mine.push({ ...base, proto: 'tcp', port: p.port });
        }
      }
      plans.push(...mine.slice(0, MAX_PROBES_PER_SOURCE));
    }
  }
  return plans;
}

/** What the probe saw: delivered, refused (TCP RST), dropped (no answer); or why it could not tell. */
export function classifyProbe(proto: 'icmp' | 'tcp', code: number | null, output: string, timedOut: boolean): Verdict | 'inconclusive' {
  if (timedOut) return 'inconclusive';
  if (/not found|executable file/i.test(output) && code !== 0 && code !== 1) return 'inconclusive';
  if (code === 0) return 'delivered';
  if (proto === 'tcp' && /connection refused/i.test(output)) return 'refused';
  return 'dropped';
}

async function runProbe(p: ProbePlan): Promise<Verdict | 'inconclusive'> {
  const argv = p.proto === 'icmp' ? ['ping', '-c1', `-W${PROBE_WAIT_S}`, p.realAddress] : ['nc', '-w', String(PROBE_WAIT_S - 1), p.realAddress, String(p.port)];
  const r = await p.host.docker(['exec', p.from, ...argv], { timeoutMs: 30_000 });
  return classifyProbe(p.proto, r.code, `${r.stdout}\n${r.stderr}`, r.timedOut);
}

/** The tracer's verdict against the real probe, row by row. */
export async function compareProbes(spec: TopologySpec, engine: Engine, predicted: InspectResult, real: Map<string, Map<string, RealContainer>>, lab: Lab): Promise<ComparedRow[]> {
  const tracer = tracerFor(engine.state, { listening: listeningFromTopology(spec.containers) });
  const rows: ComparedRow[] = [];
  for (const p of planProbes(spec, predicted, real, lab)) {
    let expected: Verdict;
    try {
      expected = tracer.trace({ host: p.host.name, from: p.from, to: p.predictedAddress, proto: p.proto, ...(p.port !== undefined ? { port: p.port } : {}) }).verdict;
    } catch {
      expected = 'unknown';
    }
    const observed = await runProbe(p);
    const outcome: Outcome = expected === 'unknown' || observed === 'inconclusive' ? 'unknown' : expected === observed ? 'agree' : 'disagree';
    const to = p.predictedAddress === p.realAddress ? p.realAddress : `${p.realAddress} (predicted ${p.predictedAddress})`;
    rows.push({ kind: 'probe', host: p.host.name, what: `${p.from} → ${p.to} on ${p.network} ${to}${p.proto === 'icmp' ? ' ping' : `:${p.port}/tcp`}`, predicted: expected, observed, outcome });
  }
  return rows;
}

/** Every comparison of the played file. */
export async function compareLab(spec: TopologySpec, engine: Engine, lab: Lab): Promise<ComparedRow[]> {
  const predicted = engine.inspect();
  const { rows, real } = await compareAddresses(spec, predicted, lab);
  return [...rows, ...(await compareProbes(spec, engine, predicted, real, lab))];
}

/** The report: disagreements and unknowns in full, agreements counted; the last line is the verdict. */
export function formatComparison(rows: readonly ComparedRow[]): string {
  const lines: string[] = [];
  const many = new Set(rows.map((r) => r.host)).size > 1;
  for (const [kind, title] of [['container', 'containers'], ['address', 'addresses'], ['probe', 'probes']] as const) {
    const of = rows.filter((r) => r.kind === kind);
    const count = (o: Outcome) => of.filter((r) => r.outcome === o).length;
    lines.push(`${title}: ${count('agree')} agree, ${count('disagree')} disagree${count('unknown') ? `, ${count('unknown')} unknown` : ''}`);
    for (const r of of) {
      if (r.outcome === 'agree') continue;
      lines.push(`  ${r.outcome === 'disagree' ? 'DISAGREE' : 'unknown '} ${many ? `${r.host}: ` : ''}${r.what}: predicted ${r.predicted}, observed ${r.observed}`);
    }
  }
  const bad = rows.filter((r) => r.outcome === 'disagree').length;
  lines.push(bad ? `prediction and reality disagree in ${bad} place(s)` : 'prediction and reality agree');
  return `${lines.join('\n')}\n`;
}
