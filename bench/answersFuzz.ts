// Docker answers of the right shape with wrong contents, through everything that takes Docker's answers:
// GET /version, /containers/json + each /containers/{id}/json, /networks, /info, /nodes, /services,
// /tasks and /events lines, as the client reads them (src/docker/validate.ts, swarmAnswers.ts), then
// the snapshot (withMembers), the engine replay, the live topology and its imported text, the swarm
// view and the multi-host swarm model. Real answers are the seeds (dockerd 20.10.24's recorded ones in
// test/unit/docker/fixtures, a 26.1 lab swarm's); each round changes one to four values anywhere in
// them: a wrong type, a missing field, null, a huge string, a negative or fractional number, an unknown
// enum, a bad address, an empty or repeated list entry. Each round must end in a valid picture or a
// MalformedAnswerError: anything else thrown is a failure (what a user would see as a crash).
// Shared by the unit tier's bounded slice (test/unit/docker/answersFuzz.test.ts) and bench/fuzz.bench.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withMembers, type Snapshot } from '../src/docker/snapshot';
import { checkManagerListed, parseNodes, parseServices, parseSwarmState, parseTasks } from '../src/docker/swarmAnswers';
import { MalformedAnswerError, type ContainerInfo, type SwarmInfo } from '../src/docker/types';
import { parseContainerInspect, parseEvent, parseNetworkInspect, parseVersionAnswer } from '../src/docker/validate';
import { importTopology } from '../src/live/import';
import { liveTopology } from '../src/live/liveTopology';
import { snapshotToEngine } from '../src/live/replay';
import { swarmSpec, swarmToEngine } from '../src/live/swarmReplay';
import { inspectLiveServices, liveSwarm } from '../src/live/swarmView';
import { parseTopology } from '../src/topology';
import { mulberry32 } from './generate';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One host's raw answers, as the client receives them. */
export interface Answers {
  version: Json;
  /** GET /containers/json?all=1 */
  list: Json;
  /** GET /containers/{id}/json by id (what the list names). */
  inspects: Record<string, Json>;
  networks: Json;
  info: Json;
  nodes: Json;
  services: Json;
  tasks: Json;
  events: Json[];
}

const NET_ID = 'k3x1v0bq2m4n5p6r7s8t9u0wa';
const SVC_ID = 'a1b2c3d4e5f6g7h8i9j0k1l2m';
const N1 = 'n1aaaaaaaaaaaaaaaaaaaaaaa';
const N2 = 'n2bbbbbbbbbbbbbbbbbbbbbbb';
const CID = 'c'.repeat(64);

/** The seed: dockerd 20.10.24's recorded answers, made a swarm manager with one service (26.1's shapes). */
export function seedAnswers(): Answers {
  const rec = JSON.parse(readFileSync(join(__dirname, '..', 'test', 'unit', 'docker', 'fixtures', 'host-20.10.json'), 'utf8')) as { version: Json; networks: Json[]; containers: { [k: string]: Json }[] };
  const task = structuredClone(rec.containers.find((c) => (c.State as { Running?: boolean }).Running) ?? rec.containers[0]!);
  task.Id = CID;
  task.Name = '/web.1.t1';
  (task.Config as { [k: string]: Json }).Labels = { 'com.docker.swarm.task.id': 't1', 'com.docker.swarm.service.id': SVC_ID };
  const containers = [...rec.containers, task];
  const overlay: Json = { Name: 'backend', Id: NET_ID, Driver: 'overlay', Scope: 'swarm', Attachable: false, Ingress: false, Internal: false, EnableIPv6: false, Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4100' }, Labels: {}, IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] }, Containers: {} };
  return {
    version: rec.version,
    list: containers.map((c) => ({ Id: c.Id, Names: [c.Name], State: (c.State as { Status?: Json }).Status ?? 'running' })),
    inspects: Object.fromEntries(containers.map((c) => [c.Id as string, c])),
    networks: [...rec.networks, overlay],
    info: { Swarm: { NodeID: N1, LocalNodeState: 'active', ControlAvailable: true, Cluster: { ID: 'cl' } } },
    nodes: [
      { ID: N1, Spec: { Role: 'manager', Availability: 'active' }, Description: { Hostname: 'node1', Engine: { EngineVersion: '26.1.5' } }, Status: { State: 'ready', Addr: '0.0.0.0' }, ManagerStatus: { Leader: true, Addr: '192.168.213.11:2377' } },
      { ID: N2, Spec: { Role: 'worker', Availability: 'drain' }, Description: { Hostname: 'node2' }, Status: { State: 'ready', Addr: '192.168.213.12' } },
    ],
    services: [{
      ID: SVC_ID,
      Spec: { Name: 'web', Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: { ContainerSpec: { Image: 'busybox:local' }, Networks: [{ Target: NET_ID }] }, EndpointSpec: { Mode: 'vip' } },
      Endpoint: { Spec: {}, Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }], VirtualIPs: [{ NetworkID: NET_ID, Addr: '10.0.1.2/24' }] },
    }],
    tasks: [
      { ID: 't1', ServiceID: SVC_ID, Slot: 1, NodeID: N1, DesiredState: 'running', Status: { State: 'running', ContainerStatus: { ContainerID: CID } }, NetworksAttachments: [{ Network: { ID: NET_ID }, Addresses: ['10.0.1.3/24'] }] },
      { ID: 't2', ServiceID: SVC_ID, Slot: 2, NodeID: N2, DesiredState: 'running', Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: NET_ID }, Addresses: ['10.0.1.4/24'] }] },
    ],
    events: [
      { Type: 'network', Action: 'connect', Actor: { ID: NET_ID, Attributes: { container: CID, name: 'backend', type: 'overlay' } }, scope: 'local', time: 1765000000, timeNano: 1765000000000000000 },
      { Type: 'container', Action: 'exec_start: cat /proc/net/tcp', Actor: { ID: CID, Attributes: { name: 'web.1.t1', image: 'busybox:local' } }, scope: 'local', time: 1765000000, timeNano: '1765000000000000001' },
      { Type: 'service', Action: 'update', Actor: { ID: SVC_ID, Attributes: { name: 'web' } }, scope: 'swarm', time: 1765000000 },
    ],
  };
}

// ── mutations ─────────────────────────────────────────────────────────────────

type Path = (string | number)[];

/** Every place in the answers a value sits (objects' keys and lists' entries), depth first. */
function paths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  const entries: [string | number, Json][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : v !== null && typeof v === 'object' ? Object.entries(v) : [];
  for (const [k, x] of entries) {
    out.push([...at, k]);
    paths(x, [...at, k], out);
  }
  return out;
}

const BAD_ADDRESSES = ['', '999.1.1.1', '10.0.0.0/33', '10.0.0.1/-1', 'fe80::zz', '::ffff:1.2.3.4/200', '1.2.3', 'localhost', '10.0.1.3/24/24', ' 10.0.1.3', '0.0.0.0/0', '255.255.255.255/32', '::/0', '02:42:ac:11:00:02'];
const ENUMS = ['bogus', 'RUNNING', 'overlay', 'macvlan', 'ipvlan', 'host', 'none', 'null', 'container:', 'container:nope', 'service:x', 'global', 'replicated-job', 'dnsrr', 'udp', 'sctp', 'tcp/udp', 'manager', 'worker', 'drain', 'down', 'inactive', 'pending', 'locked', 'error'];
const NUMBERS = [-1, 0, 1.5, -2147483649, 1e21, Number.MAX_SAFE_INTEGER + 2, 65536, 70000, 4294967296];

/** Keys the reading takes (anywhere on the path). */
const USED = /^(Id|ID|Name|Names|Driver|Scope|EnableIPv6|Internal|Attachable|Ingress|IPAM|Config|Subnet|Gateway|IPRange|AuxiliaryAddresses|Options|Labels|Containers|NetworkSettings|Networks|IPAddress|IPPrefixLen|GlobalIPv6Address|GlobalIPv6PrefixLen|MacAddress|Aliases|IPAMConfig|NetworkID|EndpointID|HostConfig|NetworkMode|PortBindings|PublishAllPorts|ExposedPorts|Ports|State|Running|Status|Created|Hostname|Image|Version|ApiVersion|Os|Arch|KernelVersion|Swarm|NodeID|LocalNodeState|ControlAvailable|Spec|Role|Availability|Description|ManagerStatus|Addr|Leader|Mode|Replicated|Replicas|TaskTemplate|Target|EndpointSpec|Endpoint|VirtualIPs|Protocol|TargetPort|PublishedPort|PublishMode|ServiceID|Slot|DesiredState|ContainerStatus|ContainerID|NetworksAttachments|Network|Addresses|Type|Action|Actor|Attributes|timeNano)$/;

/** A value of the wrong kind (or a hostile right kind) for what was there. */
function hostile(random: () => number, was: Json): Json {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(random() * a.length)]!;
  switch (Math.floor(random() * 12)) {
    case 0: return null;
    case 1: return pick(NUMBERS);
    case 2: return pick([true, false]);
    case 3: return pick(BAD_ADDRESSES);
    case 4: return pick(ENUMS);
    case 5: return 'x'.repeat(100_000 + Math.floor(random() * 100_000));
    case 6: return [];
    case 7: return {};
    case 8: return typeof was === 'string' ? `${was}${pick(['/', ':', '\u0000', '\u202e', '%', '..', ' '])}` : String(was);
    case 9: return Array.isArray(was) ? [...was, ...was] : [was];
    case 10: return typeof was === 'number' ? -was - 1 : pick(NUMBERS);
    default: return pick(['', '<none>', '{}', 'null', 'NaN', 'Infinity']);
  }
}

function parentOf(root: Json, p: Path): { parent: Json[] | { [k: string]: Json }; key: string | number } | undefined {
  let cur: Json = root;
  for (const k of p.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k]!;
  }
  if (cur === null || typeof cur !== 'object') return undefined;
  return { parent: cur, key: p.at(-1)! };
}

/** One to four changes anywhere in the answers; returns what was changed (to replay a failure). */
export function mutateAnswers(a: Answers, random: () => number): { answers: Answers; changes: string[] } {
  const root = structuredClone(a) as unknown as Json;
  const changes: string[] = [];
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const all = paths(root);
    // Most rounds change what the reading uses (a uniform pick mostly lands in Env, GraphDriver, …).
    const used = random() < 0.7 ? all.filter((x) => x.some((k) => typeof k === 'string' && USED.test(k))) : all;
    const p = used[Math.floor(random() * used.length)]!;
    // `inspects` and `events` hold answers; they are not answers themselves.
    if (p.length === 1 && (p[0] === 'inspects' || p[0] === 'events')) continue;
    const at = parentOf(root, p);
    if (!at) continue;
    const { parent, key } = at;
    const was = (parent as Record<string | number, Json>)[key]!;
    const where = p.join('.');
    if (random() < 0.2) {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      changes.push(`${where.slice(0, 200)}: removed`);
    } else {
      const v = hostile(random, was);
      (parent as Record<string | number, Json>)[key] = v;
      changes.push(`${where.slice(0, 200)}: ${JSON.stringify(v).slice(0, 60)}`);
    }
  }
  return { answers: root as unknown as Answers, changes };
}

// ── the pipeline ──────────────────────────────────────────────────────────────

/** As DockerClient.containers(): the list's ids, each one's inspect (a 404, i.e. no answer, is skipped). */
function containersOf(a: Answers): ContainerInfo[] {
  const list = a.list;
  if (!Array.isArray(list)) throw new MalformedAnswerError(`ps: expected a list, got ${typeof list}`);
  const ids = list.map((c, i) => {
    const id = (c as { Id?: unknown } | null)?.Id;
    if (typeof id !== 'string') throw new MalformedAnswerError(`ps: entry ${i} has no Id`);
    return id;
  });
  return ids.filter((id) => Object.hasOwn(a.inspects, id)).map((id) => parseContainerInspect(a.inspects[id]));
}

/** As DockerClient.swarm(). */
function swarmOf(a: Answers): SwarmInfo {
  const state = parseSwarmState(a.info);
  if (state.localState !== 'active' || !state.manager) return { ...state, nodes: [], services: [], tasks: [] };
  const nodes = parseNodes(a.nodes);
  const swarm = { ...state, nodes, services: parseServices(a.services), tasks: parseTasks(a.tasks) };
  checkManagerListed(state.nodeId, nodes);
  return swarm;
}

/** Everything a user's picture of the host is made of; throws only what the answers make it throw. */
export function readAnswers(a: Answers): { snapshot: Snapshot; text: string; warnings: number } {
  for (const e of a.events) parseEvent(e);
  const daemon = parseVersionAnswer(a.version);
  const networksRaw = a.networks;
  if (!Array.isArray(networksRaw)) throw new MalformedAnswerError(`network ls: expected a list, got ${typeof networksRaw}`);
  const networks = networksRaw.map((n) => parseNetworkInspect(n));
  const containers = containersOf(a);
  const swarm = swarmOf(a);
  const snapshot: Snapshot = { endpoint: 'unix:///fuzz.sock', daemon, networks: withMembers(networks, containers), containers, takenAt: '2026-12-07T00:00:00.000Z' };
  if (swarm.localState !== 'inactive') snapshot.swarm = swarm;
  // What the tree, the diagram, the tracer and `cnm inspect --docker` read.
  const model = snapshotToEngine(snapshot);
  model.engine.inspect();
  const topo = liveTopology(snapshot, model);
  const text = topo.text;
  parseTopology(text);
  importTopology(snapshot, { label: 'x=1' });
  const sw = liveSwarm(snapshot, model.engine.inspect().containers);
  if (sw) inspectLiveServices(sw);
  if (snapshot.swarm?.manager) {
    const nodes = new Map([[N2, { unreachable: 'connect ECONNREFUSED' }]]);
    const m = swarmToEngine(snapshot, nodes);
    m.engine.inspect();
    swarmSpec(snapshot, nodes, m);
  }
  return { snapshot, text, warnings: model.warnings.length };
}

export interface AnswersRound {
  rounds: number;
  /** Per round, ms. */
  times: number[];
  /** Rounds refused with a MalformedAnswerError (the clear error a user sees). */
  refused: number;
  /** Rounds that gave a picture (with the engine's warnings where it could not reproduce something). */
  pictured: number;
  failures: string[];
}

/** `rounds` mutated answer sets through the whole reading. */
export function fuzzAnswers(rounds: number, seed: number): AnswersRound {
  const random = mulberry32(seed);
  const base = seedAnswers();
  readAnswers(base); // the seed itself must read cleanly
  const out: AnswersRound = { rounds, times: [], refused: 0, pictured: 0, failures: [] };
  for (let i = 0; i < rounds; i++) {
    const { answers, changes } = mutateAnswers(base, random);
    const t0 = performance.now();
    try {
      readAnswers(answers);
      out.pictured++;
    } catch (e) {
      if (e instanceof MalformedAnswerError) out.refused++;
      else out.failures.push(`round ${i} (seed ${seed}): ${e instanceof Error ? `${e.name}: ${e.message.slice(0, 300)}\n${e.stack?.split('\n').slice(1, 4).join('\n')}` : String(e)}\n  changes: ${changes.join('; ')}`);
    }
    out.times.push(performance.now() - t0);
  }
  return out;
}
