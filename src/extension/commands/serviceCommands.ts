// Create Service (docker service create) on a swarm manager of a topology file: the service goes under
// `services:`. It is first created on a copy of the engine, so Docker's refusal (not a manager, a name
// in use, a network that is not an overlay, dnsrr with published ports…) shows before the file changes.
//   cnm.createService({ file, name, image?, replicas?, networks?, ports?, endpointMode?, expose?, host? })
import { DockerError, type ServiceCreateRequest } from '../../engine';
import { loadTopology } from '../../topology';
import { addService, type NewService } from '../../topology/edit';
import type { Ctx } from '../ctx';
import { planChange } from '../topologyChanges';
import { refuse, resolveHost, resolveInvocation, type Invocation } from './args';
import { applyChange, type AppliedChange } from './applyChange';
import { MultiStepInput } from './multiStep';

const CREATE = 'Create Service';
const PORT = /^(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

type Result = AppliedChange | { ok: false; error: string } | undefined;

/** docker service create on a copy of the file's engine: Docker's refusal, or undefined. */
function tryOnCopy(text: string, host: string, req: ServiceCreateRequest): string | undefined {
  try {
    loadTopology(text).engine.createService(host, req);
    return undefined;
  } catch (e) {
    if (e instanceof DockerError) return `Error response from daemon: ${e.message}`;
    return `the engine failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function request(s: NewService): ServiceCreateRequest {
  return { name: s.name, image: s.image, replicas: s.replicas ?? 1, networks: s.networks ?? [], ports: s.ports ?? [], endpointMode: s.endpointMode ?? 'vip', expose: s.expose ?? [] };
}

export function createServiceCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<Result> => {
    const inv = await resolveInvocation(ctx, arg, CREATE);
    if (!inv) return undefined;
    if (inv.source.isCompose) return refuse(ctx, inv, CREATE, `${inv.source.fileName} is a Compose file: its services are Compose services (edit them in the file).`);
    const manager = inv.source.loaded.spec.hosts.find((h) => h.swarm === 'manager')?.name;
    // From a host node: that host; else the file's manager (the one `docker service create` runs on).
    const host = inv.args.host !== undefined || inv.node ? await resolveHost(inv, CREATE) : manager ?? inv.source.firstHost;
    if (!host) return undefined;
    // Not a manager: Docker's refusal before any question (a probe that cannot clash with a real name).
    const notManager = tryOnCopy(inv.source.text, host, { name: '\u0000probe' });
    if (notManager && /not a swarm manager/.test(notManager)) return refuse(ctx, inv, CREATE, notManager);
    const s = inv.scripted ? fromArgs(inv) : await askService(inv, host);
    if (!s) return undefined;
    if ('error' in s) return refuse(ctx, inv, CREATE, s.error);
    const dockerError = tryOnCopy(inv.source.text, host, request(s));
    if (dockerError) return refuse(ctx, inv, CREATE, dockerError);
    const plan = planChange(inv.source.text, (t) => addService(t, s), inv.source.loaded);
    if (!plan.ok) return refuse(ctx, inv, CREATE, plan.error);
    const applied = await applyChange(ctx, inv.source, plan.change, `${CREATE} ${s.name}`, !inv.scripted);
    return applied.ok ? applied : refuse(ctx, inv, CREATE, applied.error);
  };
}

function list(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? splitList(v) : undefined;
}

function fromArgs(inv: Invocation): NewService | { error: string } {
  const a = inv.args;
  if (typeof a.name !== 'string') return { error: 'pass { name } (and optionally image, replicas, networks, ports, endpointMode, expose)' };
  const bad = checkServiceName(inv, a.name);
  if (bad) return { error: bad };
  const s: NewService = { name: a.name, image: typeof a.image === 'string' ? a.image : 'busybox' };
  if (a.replicas !== undefined) {
    if (typeof a.replicas !== 'number' || !Number.isInteger(a.replicas) || a.replicas < 0) return { error: `invalid argument "${String(a.replicas)}" for "--replicas" flag: a whole number of tasks` };
    s.replicas = a.replicas;
  }
  const networks = list(a.networks);
  if (networks?.length) s.networks = networks;
  const ports = list(a.ports);
  if (ports?.length) s.ports = ports;
  const expose = list(a.expose);
  if (expose?.length) s.expose = expose;
  if (a.endpointMode !== undefined) {
    if (a.endpointMode !== 'vip' && a.endpointMode !== 'dnsrr') return { error: `invalid argument "${String(a.endpointMode)}" for "--endpoint-mode" flag: vip or dnsrr` };
    s.endpointMode = a.endpointMode;
  }
  return s;
}

function checkServiceName(inv: Invocation, name: string): string | undefined {
  if (!NAME.test(name)) return `Invalid service name (${name}): only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`;
  if (inv.source.loaded.spec.services.some((s) => s.name === name)) return `rpc error: code = AlreadyExists desc = name conflicts with an existing object: service ${name} already exists`;
  return undefined;
}

async function askService(inv: Invocation, host: string): Promise<NewService | undefined> {
  const loaded = inv.source.loaded;
  const s: NewService = { name: nextFreeName(inv), image: 'busybox' };
  const title = `${CREATE} in ${inv.source.fileName}`;
  const total = 6;
  const overlays = [...(loaded.engine.state.hosts.get(host)?.networks.values() ?? [])].filter((n) => n.scope === 'swarm' && !n.ingress);

  const askName = async (input: MultiStepInput) => {
    s.name = await input.inputBox({ title, step: 1, totalSteps: total, value: s.name, prompt: 'The service\'s name (--name); its tasks are NAME.1, NAME.2, …', validate: (v) => checkServiceName(inv, v.trim()) });
    s.name = s.name.trim();
    return askImage;
  };
  const askImage = async (input: MultiStepInput) => {
    s.image = (await input.inputBox({ title, step: 2, totalSteps: total, value: s.image, prompt: 'The image (only its name matters to the network)', validate: (v) => (v.trim() ? undefined : 'an image name, e.g. busybox') })).trim();
    return askReplicas;
  };
  const askReplicas = async (input: MultiStepInput) => {
    const v = await input.inputBox({
      title, step: 3, totalSteps: total, value: String(s.replicas ?? 1), prompt: 'How many tasks (--replicas); swarm places them round robin over the nodes',
      validate: (x) => (/^\d+$/.test(x.trim()) ? undefined : `invalid argument "${x}" for "--replicas" flag: a whole number of tasks`),
    });
    s.replicas = Number(v.trim());
    // No overlay to join but the ingress one: no question (a step that asks nothing would trap Back).
    return overlays.length ? askNetworks : askMode;
  };
  const askNetworks = async (input: MultiStepInput) => {
    const items = overlays.map((n) => ({ label: n.name, description: [n.driver, n.attachable ? 'attachable' : ''].filter(Boolean).join(' · ') }));
    const picked = await input.pick({ title, step: 4, totalSteps: total, items, canPickMany: true, placeholder: 'Overlay networks the tasks join (--network); none: only the ingress network, when ports are published', selected: items.filter((i) => s.networks?.includes(i.label)) });
    s.networks = picked.length ? picked.map((p) => p.label) : undefined;
    return askMode;
  };
  const askMode = async (input: MultiStepInput) => {
    const items = [
      { label: 'vip', description: 'one virtual IP; IPVS spreads connections over the tasks (default)' },
      { label: 'dnsrr', description: 'no VIP: the name resolves to every task\'s address (DNS round robin)' },
    ];
    const [p] = await input.pick({ title, step: 5, totalSteps: total, items, placeholder: 'The endpoint mode (--endpoint-mode)', selected: items.filter((i) => i.label === (s.endpointMode ?? 'vip')) });
    s.endpointMode = p!.label === 'dnsrr' ? 'dnsrr' : undefined;
    return askPorts;
  };
  const askPorts = async (input: MultiStepInput) => {
    const v = await input.inputBox({
      title, step: 6, totalSteps: total, value: s.ports?.join(', ') ?? '', placeholder: 'optional, e.g. 8080:8000',
      prompt: 'Ports published on every node\'s routing mesh (--publish PUBLISHED:TARGET), separated by commas. Empty: none.',
      validate: (x) => (splitList(x).every((p) => PORT.test(p)) ? undefined : 'port specs like 8080:8000, 8000, 5353:53/udp'),
      // Docker's word on the whole service, while the answers are still here to change.
      check: (x) => {
        const ports = splitList(x);
        return tryOnCopy(inv.source.text, host, request({ ...s, ...(ports.length ? { ports } : { ports: [] }) }));
      },
    });
    const ports = splitList(v);
    s.ports = ports.length ? ports : undefined;
  };
  return (await MultiStepInput.run(askName)) ? s : undefined;
}

function splitList(v: string): string[] {
  return v.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
}

function nextFreeName(inv: Invocation): string {
  const names = new Set(inv.source.loaded.spec.services.map((s) => s.name));
  for (let i = 1; ; i++) if (!names.has(`svc${i}`)) return `svc${i}`;
}
