// Connect, disconnect and run containers. Each is first done on a copy of the engine (the file played
// afresh), so Docker's own error shows before the file is touched; then the file is edited.
//   cnm.connectContainer({ file, container, network, ipv4Address?, aliases? })
//   cnm.disconnectContainer({ file, container, network })
//   cnm.runContainer({ file, name, image?, network?, ports?, expose?, publishAll? })
import * as vscode from 'vscode';
import { DockerError, formatNet, type EndpointConfig } from '../../engine';
import { loadTopology } from '../../topology';
import type { Ctx } from '../ctx';
import { checkAliases, checkEndpointAddress, networkByName, parsePortsAnswer, planChange } from '../topologyChanges';
import { addContainer, connectContainer, disconnectContainer, type EndpointOptions, type NewContainer } from '../../topology/edit';
import { refuse, resolveHost, resolveInvocation, type Invocation } from './args';
import { applyChange, type AppliedChange } from './applyChange';
import { liveConnectContainer, liveDisconnectContainer, liveRunContainer } from './liveContainerCommands';
import { isLiveInvocation, type LiveResult } from './liveCommon';
import { MultiStepInput } from './multiStep';
import { composeConnectService, isComposeInvocation } from './composeCommands';

type Result = AppliedChange | LiveResult | { ok: false; error: string } | undefined;

const CONNECT = 'Connect Container';
const DISCONNECT = 'Disconnect Container';
const RUN = 'Run Container';

/** Plays `op` on a fresh copy of the file's engine; Docker's error message when it fails. */
function tryOnCopy(text: string, op: (engine: ReturnType<typeof loadTopology>['engine']) => void): string | undefined {
  const copy = loadTopology(text).engine;
  try {
    op(copy);
    return undefined;
  } catch (e) {
    if (e instanceof DockerError) return `Error response from daemon: ${e.message}`;
    return `the engine failed: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export function connectContainerCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<Result> => {
    // On a live host (a live tree node, or { liveHost }): through the Docker API, not the file.
    if (isLiveInvocation(arg)) return liveConnectContainer(ctx, arg);
    const inv = await resolveInvocation(ctx, arg, CONNECT);
    if (!inv) return undefined;
    if (isComposeInvocation(inv)) return composeConnectService(ctx, inv);
    const host = await resolveHost(inv, CONNECT);
    if (!host) return undefined;
    const picked = inv.scripted ? fromArgs(inv) : await askConnect(inv, host);
    if (!picked) return undefined;
    if ('error' in picked) return refuse(ctx, inv, CONNECT, picked.error);
    const { container, network, options } = picked;
    const cfg: EndpointConfig = {};
    if (options.ipv4Address) cfg.ipv4Address = options.ipv4Address;
    if (options.aliases?.length) cfg.aliases = options.aliases;
    const dockerError = tryOnCopy(inv.source.text, (e) => e.connect(host, network, container, cfg));
    if (dockerError) return refuse(ctx, inv, CONNECT, dockerError);
    const plan = planChange(inv.source.text, (t) => connectContainer(t, container, network, options), inv.source.loaded);
    if (!plan.ok) return refuse(ctx, inv, CONNECT, plan.error);
    const applied = await applyChange(ctx, inv.source, plan.change, `Connect ${container} to ${network}`, !inv.scripted);
    return applied.ok ? applied : refuse(ctx, inv, CONNECT, applied.error);
  };
}

function fromArgs(inv: Invocation): { container: string; network: string; options: EndpointOptions } | { error: string } {
  const { container, network } = inv.args;
  if (typeof container !== 'string' || typeof network !== 'string') return { error: 'pass { container, network } (and optionally ipv4Address, aliases)' };
  const options: EndpointOptions = {};
  if (typeof inv.args.ipv4Address === 'string') options.ipv4Address = inv.args.ipv4Address;
  if (Array.isArray(inv.args.aliases)) options.aliases = inv.args.aliases.map(String);
  return { container, network, options };
}

async function askConnect(inv: Invocation, host: string): Promise<{ container: string; network: string; options: EndpointOptions } | undefined> {
  const loaded = inv.source.loaded;
  const state = loaded.engine.state.hosts.get(host);
  if (!state) return undefined;
  let container = typeof inv.args.container === 'string' ? inv.args.container : undefined;
  let network = typeof inv.args.network === 'string' && inv.node?.kind === 'network' ? inv.args.network : undefined;
  const options: EndpointOptions = {};
  const title = `${CONNECT} (${inv.source.fileName})`;
  const total = 4;
  const connectedTo = (c: string) => [...state.containers.values()].find((x) => x.name === c)?.networks.map((n) => n.key) ?? [];

  const askContainer = async (input: MultiStepInput) => {
    const items = [...state.containers.values()].sort((a, b) => a.seq - b.seq)
      .filter((c) => !network || !connectedTo(c.name).includes(network))
      .map((c) => ({ label: c.name, description: c.modeKind === 'host' || c.modeKind === 'none' || c.modeKind === 'container' ? `network_mode: ${c.networkMode}` : connectedTo(c.name).join(', ') }));
    if (!items.length) throw new Error(`every container is already on ${network}`);
    const [p] = await input.pick({ title, step: 1, totalSteps: total, items, placeholder: network ? `Which container joins ${network}?` : 'Which container?' });
    container = p!.label;
    return network ? askAddress : askNetwork;
  };
  const askNetwork = async (input: MultiStepInput) => {
    const on = connectedTo(container!);
    const items = [...state.networks.values()].sort((a, b) => a.seq - b.seq)
      .filter((n) => !on.includes(n.name) && n.driver !== 'host' && n.driver !== 'null')
      .map((n) => ({ label: n.name, description: [n.driver, n.ipv4[0] ? formatNet(n.ipv4[0].subnet) : '', n.predefined ? '(the default bridge)' : ''].filter(Boolean).join(' · ') }));
    if (!items.length) throw new Error(`${container} is already on every network it could join`);
    const [p] = await input.pick({ title, step: 2, totalSteps: total, items, placeholder: `Connect ${container} to which network?` });
    network = p!.label;
    return askAddress;
  };
  const askAddress = async (input: MultiStepInput) => {
    const net = networkByName(loaded, host, network!);
    const subnet = net?.ipv4[0] ? net.ipv4[0].subnet : undefined;
    const value = await input.inputBox({
      title, step: 3, totalSteps: total, value: options.ipv4Address ?? '',
      prompt: `A static IPv4 address on ${network} (--ip)${subnet ? ` in its subnet` : ''}. Empty: the next free one.`,
      placeholder: 'optional',
      validate: (v) => checkEndpointAddress(loaded, host, network!, v),
    });
    options.ipv4Address = value.trim() || undefined;
    return net?.predefined ? undefined : askAliases;
  };
  const askAliases = async (input: MultiStepInput) => {
    const value = await input.inputBox({
      title, step: 4, totalSteps: total, value: options.aliases?.join(', ') ?? '',
      prompt: `Extra DNS names for ${container} on ${network} only (--alias), separated by commas. Empty: none.`,
      placeholder: 'optional, e.g. web, www',
      validate: (v) => checkAliases(splitList(v)),
    });
    const aliases = splitList(value);
    options.aliases = aliases.length ? aliases : undefined;
  };
  try {
    const ok = await MultiStepInput.run(container && !network ? askNetwork : askContainer);
    return ok && container && network ? { container, network, options } : undefined;
  } catch (e) {
    void vscode.window.showInformationMessage(`${CONNECT}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function splitList(v: string): string[] {
  return v.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

export function disconnectContainerCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<Result> => {
    // On a live host (a live tree node, or { liveHost }): through the Docker API, not the file.
    if (isLiveInvocation(arg)) return liveDisconnectContainer(ctx, arg);
    const inv = await resolveInvocation(ctx, arg, DISCONNECT);
    if (!inv) return undefined;
    const host = await resolveHost(inv, DISCONNECT);
    if (!host) return undefined;
    let { container, network } = inv.args as { container?: string; network?: string };
    if (!inv.scripted && (!container || !network)) {
      const eps = [...(inv.source.loaded.engine.state.hosts.get(host)?.networks.values() ?? [])]
        .flatMap((n) => [...n.endpoints.values()].filter((e) => (!container || e.name === container) && (!network || n.name === network))
          .map((e) => ({ label: `${e.name} ⟷ ${n.name}`, description: e.ipv4?.address ?? '', container: e.name, network: n.name })));
      const p = await vscode.window.showQuickPick(eps, { title: DISCONNECT, placeHolder: 'Which connection?' });
      if (!p) return undefined;
      container = p.container;
      network = p.network;
    }
    if (typeof container !== 'string' || typeof network !== 'string') return refuse(ctx, inv, DISCONNECT, 'pass { container, network }');
    const c = container, n = network;
    const dockerError = tryOnCopy(inv.source.text, (e) => e.disconnect(host, n, c));
    if (dockerError) return refuse(ctx, inv, DISCONNECT, dockerError);
    const plan = planChange(inv.source.text, (t) => disconnectContainer(t, c, n), inv.source.loaded);
    if (!plan.ok) return refuse(ctx, inv, DISCONNECT, plan.error);
    const applied = await applyChange(ctx, inv.source, plan.change, `Disconnect ${c} from ${n}`, !inv.scripted);
    return applied.ok ? applied : refuse(ctx, inv, DISCONNECT, applied.error);
  };
}

export function runContainerCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<Result> => {
    // On a live host (a live tree node, or { liveHost }): through the Docker API, not the file.
    if (isLiveInvocation(arg)) return liveRunContainer(ctx, arg);
    const inv = await resolveInvocation(ctx, arg, RUN);
    if (!inv) return undefined;
    const host = await resolveHost(inv, RUN);
    if (!host) return undefined;
    const spec = inv.scripted ? runFromArgs(inv) : await askRun(inv, host);
    if (!spec) return undefined;
    if ('error' in spec) return refuse(ctx, inv, RUN, spec.error);
    if (host !== inv.source.firstHost) spec.host = host;
    const networkMode = spec.network ?? 'bridge';
    const dockerError = tryOnCopy(inv.source.text, (e) => e.runContainer(host, { name: spec.name, image: spec.image, networkMode, ports: spec.ports ?? [], expose: spec.expose ?? [], ...(spec.publishAll ? { publishAll: true } : {}), ...(spec.listen ? { listen: spec.listen } : {}) }));
    if (dockerError) return refuse(ctx, inv, RUN, dockerError);
    const plan = planChange(inv.source.text, (t) => addContainer(t, spec), inv.source.loaded);
    if (!plan.ok) return refuse(ctx, inv, RUN, plan.error);
    const applied = await applyChange(ctx, inv.source, plan.change, `Run ${spec.name}`, !inv.scripted);
    return applied.ok ? applied : refuse(ctx, inv, RUN, applied.error);
  };
}

const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function checkContainerName(inv: Invocation, host: string, name: string): string | undefined {
  if (!CONTAINER_NAME.test(name)) return `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`;
  if (inv.source.loaded.spec.containers.some((c) => c.name === name && c.host === host)) return `Conflict. The container name "/${name}" is already in use in this file.`;
  return undefined;
}

function runFromArgs(inv: Invocation): NewContainer | { error: string } {
  const a = inv.args;
  if (typeof a.name !== 'string') return { error: 'pass { name } (and optionally image, network, ports, expose, listen, publishAll)' };
  const error = checkContainerName(inv, inv.source.firstHost, a.name);
  if (error) return { error };
  const c: NewContainer = { name: a.name, image: typeof a.image === 'string' ? a.image : 'busybox' };
  if (typeof a.network === 'string') c.network = a.network;
  if (Array.isArray(a.ports)) c.ports = a.ports.map(String);
  if (Array.isArray(a.expose)) c.expose = a.expose.map(String);
  if (Array.isArray(a.listen)) c.listen = a.listen.map(String);
  if (a.publishAll === true) c.publishAll = true;
  return c;
}

async function askRun(inv: Invocation, host: string): Promise<NewContainer | undefined> {
  const state = inv.source.loaded.engine.state.hosts.get(host);
  const c: NewContainer = { name: '', image: 'busybox' };
  if (inv.node?.kind === 'network' && typeof inv.args.network === 'string') c.network = inv.args.network;
  const title = `${RUN} (${inv.source.fileName})`;
  const total = 4;
  const askName = async (input: MultiStepInput) => {
    c.name = await input.inputBox({ title, step: 1, totalSteps: total, value: c.name || nextFreeName(inv), prompt: 'The container\'s name (--name)', validate: (v) => checkContainerName(inv, host, v) });
    return askImage;
  };
  const askImage = async (input: MultiStepInput) => {
    c.image = await input.inputBox({ title, step: 2, totalSteps: total, value: c.image, prompt: 'The image (only its name matters to the network)', validate: (v) => (v.trim() ? undefined : 'an image name, e.g. busybox') });
    return askNet;
  };
  const askNet = async (input: MultiStepInput) => {
    const items = [
      ...[...(state?.networks.values() ?? [])].sort((a, b) => a.seq - b.seq).filter((n) => n.driver !== 'null' && n.driver !== 'host')
        .map((n) => ({ label: n.name, description: n.predefined ? 'the default bridge (docker0): no DNS between containers' : [n.driver, n.ipv4[0] ? formatNet(n.ipv4[0].subnet) : ''].filter(Boolean).join(' · ') })),
      { label: 'host', description: 'network_mode: host — share the host\'s network namespace' },
      { label: 'none', description: 'network_mode: none — loopback only' },
      ...[...(state?.containers.values() ?? [])].filter((x) => x.modeKind !== 'container').map((x) => ({ label: `container:${x.name}`, description: `share ${x.name}'s network namespace` })),
    ];
    const [p] = await input.pick({ title, step: 3, totalSteps: total, items, placeholder: 'Which network (--network)?', selected: items.filter((i) => i.label === (c.network ?? 'bridge')) });
    c.network = p!.label;
    return askPorts;
  };
  const askPorts = async (input: MultiStepInput) => {
    const value = await input.inputBox({
      title, step: 4, totalSteps: total, value: [...(c.ports ?? []), ...(c.expose ?? []).map((e) => `--expose ${e}`), ...(c.publishAll ? ['-P'] : [])].join(', '),
      placeholder: 'optional, e.g. 8080:80, 127.0.0.1:5353:53/udp, --expose 80, -P',
      prompt: 'Published ports (-p), separated by commas; the container port is taken to listen. --expose PORT: exposed only; -P: every exposed port on a host port Docker picks. Empty: none.',
      validate: (v) => checkPortsAnswer(v),
    });
    const answer = parsePortsAnswer(value);
    c.ports = answer.ports.length ? answer.ports : undefined; // a published container port listens unless `listen` says otherwise
    c.expose = answer.expose.length ? answer.expose : undefined;
    c.publishAll = answer.publishAll || undefined;
  };
  return (await MultiStepInput.run(askName)) ? c : undefined;
}

function checkPortsAnswer(v: string): string | undefined {
  const { bad } = parsePortsAnswer(v);
  return bad === undefined ? undefined : `"${bad}": port specs like 8080:80, 80, 127.0.0.1:8081:80/tcp; --expose 80; -P`;
}

function nextFreeName(inv: Invocation): string {
  const names = new Set(inv.source.loaded.spec.containers.map((c) => c.name));
  for (let i = 1; ; i++) if (!names.has(`c${i}`)) return `c${i}`;
}
