// Connect, disconnect and run containers on a live Docker host (the same commands as for a file, on a
// live node or with `{ liveHost }`).
//   cnm.connectContainer({ liveHost, container, network, address?, aliases? })
//   cnm.disconnectContainer({ liveHost, container, network, force? })
//   cnm.runContainer({ liveHost, name, image, network?, address?, aliases?, ports?, command?, labels? })
import * as vscode from 'vscode';
import { connectContainer, disconnectContainer, runContainer, type ContainerInfo, type NetworkInfo, type RunRequest, type Snapshot } from '../../docker';
import type { Ctx } from '../ctx';
import { checkAliasList, checkContainerName, checkStaticAddress, endpointConfigOf, PREDEFINED_NETWORK_NAMES, splitCommand, splitList } from './liveArgs';
import { confirmDestructive, CREATED_LABELS, refuseLive, resolveLive, sendToHost, snapshotOf, whenTrusted, type LiveInvocation, type LiveResult } from './liveCommon';
import { MultiStepInput } from './multiStep';

const CONNECT = 'Connect Container';
const DISCONNECT = 'Disconnect Container';
const RUN = 'Run Container';

const str = (inv: LiveInvocation, k: string) => (typeof inv.args[k] === 'string' ? (inv.args[k] as string) : undefined);
const listArg = (inv: LiveInvocation, k: string) => (Array.isArray(inv.args[k]) ? (inv.args[k] as unknown[]).map(String).join(',') : str(inv, k) ?? '');

function networkNamed(s: Snapshot, name: string): NetworkInfo | undefined {
  return s.networks.find((n) => n.name === name || n.id === name);
}

function networksOf(s: Snapshot, c: ContainerInfo): string[] {
  return c.endpoints.map((e) => s.networks.find((n) => n.id === e.networkId)?.name ?? e.network);
}

/** Containers whose network namespace is their own (host/none/container: cannot be connected). */
function connectable(c: ContainerInfo): boolean {
  return c.networkMode !== 'host' && c.networkMode !== 'none' && !c.networkMode.startsWith('container:');
}

export function liveConnectContainer(ctx: Ctx, arg: unknown): Promise<LiveResult> {
  const inv = resolveLive(ctx, arg);
  if ('error' in inv) return Promise.resolve(refuseLive(ctx, undefined, CONNECT, inv.error));
  return whenTrusted(ctx, CONNECT, async () => {
    const s = await snapshotOf(inv.entry);
    const picked = inv.scripted
      ? { container: str(inv, 'container'), network: str(inv, 'network'), address: str(inv, 'address') ?? str(inv, 'ipv4Address') ?? '', aliases: listArg(inv, 'aliases') }
      : await askConnect(inv, s);
    if (!picked) return undefined;
    const { container, network } = picked;
    if (!container || !network) return refuseLive(ctx, inv, CONNECT, 'pass { container, network } (and optionally address, aliases)');
    const net = networkNamed(s, network);
    const cfg = net ? endpointConfigOf(picked.address, picked.aliases, net, PREDEFINED_NETWORK_NAMES.includes(net.name)) : endpointConfigOf('', picked.aliases, { name: network, ipamConfig: [] }, false);
    if ('error' in cfg) return refuseLive(ctx, inv, CONNECT, cfg.error);
    return sendToHost(ctx, inv, CONNECT, `Connecting ${container} to ${network}`, async () => {
      await connectContainer(inv.entry.client, network, container, cfg);
      return `Connected ${container} to ${network} on ${inv.entry.label}${cfg.ipv4Address ? ` at ${cfg.ipv4Address}` : ''}.`;
    });
  }, inv.scripted);
}

async function askConnect(inv: LiveInvocation, s: Snapshot): Promise<{ container: string; network: string; address: string; aliases: string } | undefined> {
  const r = { container: str(inv, 'container') ?? '', network: str(inv, 'network') ?? '', address: '', aliases: '' };
  // Opened on an endpoint or a container: the container is known; on a network: the network is.
  const fixedContainer = !!r.container;
  const fixedNetwork = !!r.network && !fixedContainer;
  if (fixedContainer) r.network = '';
  const title = `${CONNECT} on ${inv.entry.label}`;
  const total = 4;
  const askContainer = async (input: MultiStepInput) => {
    const items = s.containers.filter((c) => c.running && connectable(c) && !(r.network && networksOf(s, c).includes(r.network)))
      .map((c) => ({ label: c.name, description: networksOf(s, c).join(', ') }));
    if (!items.length) throw new Error(r.network ? `every running container is already on ${r.network}` : 'no running container can be connected');
    r.container = (await input.pick({ title, step: 1, totalSteps: total, items, placeholder: r.network ? `Which container joins ${r.network}?` : 'Which container?' }))[0]!.label;
    return fixedNetwork ? askAddress : askNetwork;
  };
  const askNetwork = async (input: MultiStepInput) => {
    const on = networksOf(s, s.containers.find((c) => c.name === r.container)!);
    const items = s.networks.filter((n) => !on.includes(n.name) && n.driver !== 'host' && n.driver !== 'null')
      .map((n) => ({ label: n.name, description: [n.driver, n.ipamConfig.map((p) => p.subnet).join(', ')].filter(Boolean).join(' · ') }));
    if (!items.length) throw new Error(`${r.container} is already on every network it could join`);
    r.network = (await input.pick({ title, step: 2, totalSteps: total, items, placeholder: `Connect ${r.container} to which network?` }))[0]!.label;
    return askAddress;
  };
  const askAddress = async (input: MultiStepInput) => {
    const net = networkNamed(s, r.network);
    const subnets = net?.ipamConfig.map((p) => p.subnet).filter(Boolean).join(', ');
    r.address = (await input.inputBox({
      title, step: 3, totalSteps: total, value: r.address, placeholder: 'optional',
      prompt: `A static address on ${r.network} (--ip / --ip6)${subnets ? ` in ${subnets}` : ''}. Empty: Docker picks the next free one.`,
      validate: (v) => (net ? checkStaticAddress(v, net, PREDEFINED_NETWORK_NAMES.includes(net.name)) : undefined),
    })).trim();
    return askAliases;
  };
  const askAliases = async (input: MultiStepInput) => {
    r.aliases = (await input.inputBox({
      title, step: 4, totalSteps: total, value: r.aliases, placeholder: 'optional, e.g. api, db',
      prompt: `Extra DNS names for ${r.container} on ${r.network} only (--alias), separated by commas.`,
      validate: checkAliasList,
    })).trim();
  };
  try {
    const ok = await MultiStepInput.run(fixedContainer ? askNetwork : askContainer);
    return ok ? r : undefined;
  } catch (e) {
    void vscode.window.showInformationMessage(`${CONNECT}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

export function liveDisconnectContainer(ctx: Ctx, arg: unknown): Promise<LiveResult> {
  const inv = resolveLive(ctx, arg);
  if ('error' in inv) return Promise.resolve(refuseLive(ctx, undefined, DISCONNECT, inv.error));
  return whenTrusted(ctx, DISCONNECT, async () => {
    const s = await snapshotOf(inv.entry);
    let container = str(inv, 'container');
    let network = str(inv, 'network');
    if ((!container || !network) && !inv.scripted) {
      const items = s.containers.flatMap((c) => c.endpoints.map((e) => ({ c, net: s.networks.find((n) => n.id === e.networkId)?.name ?? e.network, e })))
        .filter((x) => (!container || x.c.name === container) && (!network || x.net === network))
        .map((x) => ({ label: `${x.c.name} ⟷ ${x.net}`, description: x.e.ipv4Address ?? '', container: x.c.name, network: x.net }));
      const p = await vscode.window.showQuickPick(items, { title: `${DISCONNECT} on ${inv.entry.label}`, placeHolder: 'Which connection?' });
      if (!p) return undefined;
      container = p.container;
      network = p.network;
    }
    if (!container || !network) return refuseLive(ctx, inv, DISCONNECT, 'pass { container, network }');
    const c = s.containers.find((x) => x.name === container);
    const others = c ? networksOf(s, c).filter((n) => n !== network) : [];
    const ok = await confirmDestructive(
      `Disconnect ${container} from '${network}' on ${inv.entry.label}?`,
      others.length ? `${container} stays on ${others.join(', ')}.` : `${container} is on no other network: it keeps only loopback until it is connected again.`,
      'Disconnect',
    );
    if (!ok) return undefined;
    const ctr = container, net = network;
    return sendToHost(ctx, inv, DISCONNECT, `Disconnecting ${ctr} from ${net}`, async () => {
      await disconnectContainer(inv.entry.client, net, ctr, inv.args.force === true);
      return `Disconnected ${ctr} from ${net} on ${inv.entry.label}.`;
    });
  }, inv.scripted);
}

export function liveRunContainer(ctx: Ctx, arg: unknown): Promise<LiveResult> {
  const inv = resolveLive(ctx, arg);
  if ('error' in inv) return Promise.resolve(refuseLive(ctx, undefined, RUN, inv.error));
  return whenTrusted(ctx, RUN, async () => {
    const s = await snapshotOf(inv.entry);
    const names = s.containers.map((c) => c.name);
    const form = inv.scripted
      ? { name: str(inv, 'name') ?? '', image: str(inv, 'image') ?? '', network: str(inv, 'network') ?? '', address: str(inv, 'address') ?? '', aliases: listArg(inv, 'aliases'), ports: listArg(inv, 'ports'), command: Array.isArray(inv.args.command) ? (inv.args.command as unknown[]).map(String) : splitCommand(str(inv, 'command') ?? '') }
      : await askRun(inv, s, names);
    if (!form) return undefined;
    const bad = checkContainerName(form.name, names) ?? (form.image.trim() ? undefined : 'pass { name, image } (a local image: nothing is pulled)');
    if (bad) return refuseLive(ctx, inv, RUN, bad);
    const req: RunRequest = { name: form.name.trim(), image: form.image.trim(), labels: { ...CREATED_LABELS, ...labelsArg(inv) } };
    if (form.network) {
      req.networkMode = form.network;
      const net = networkNamed(s, form.network);
      if (net && (form.address || form.aliases)) {
        const cfg = endpointConfigOf(form.address, form.aliases, net, PREDEFINED_NETWORK_NAMES.includes(net.name));
        if ('error' in cfg) return refuseLive(ctx, inv, RUN, cfg.error);
        req.endpoint = cfg;
      }
    }
    const ports = splitList(form.ports);
    if (ports.length) req.ports = ports;
    if (form.command.length) req.cmd = form.command;
    return sendToHost(ctx, inv, RUN, `Running ${req.name}`, async () => {
      const { id } = await runContainer(inv.entry.client, req);
      return `Started ${req.name} (${id.slice(0, 12)}) from ${req.image} on ${inv.entry.label}.`;
    });
  }, inv.scripted);
}

function labelsArg(inv: LiveInvocation): Record<string, string> {
  const l = inv.args.labels;
  return typeof l === 'object' && l !== null ? Object.fromEntries(Object.entries(l).map(([k, v]) => [k, String(v)])) : {};
}

interface RunForm {
  name: string;
  image: string;
  network: string;
  address: string;
  aliases: string;
  ports: string;
  command: string[];
}

async function askRun(inv: LiveInvocation, s: Snapshot, names: string[]): Promise<RunForm | undefined> {
  const images = await inv.entry.client.images();
  const tags = images.flatMap((i) => i.tags.map((t) => ({ label: t, description: `${(i.size / 1e6).toFixed(1)} MB`, detail: i.id.replace(/^sha256:/, '').slice(0, 12) })));
  if (!tags.length) {
    void vscode.window.showInformationMessage(`${RUN}: ${inv.entry.label} has no local images (nothing is pulled from a registry): docker pull or docker load one first.`);
    return undefined;
  }
  const f: RunForm = { name: '', image: '', network: str(inv, 'network') ?? '', address: '', aliases: '', ports: '', command: [] };
  const title = `${RUN} on ${inv.entry.label}`;
  const total = 6;
  const askImage = async (input: MultiStepInput) => {
    f.image = (await input.pick({ title, step: 1, totalSteps: total, items: tags, placeholder: 'Which local image?' }))[0]!.label;
    return askName;
  };
  const askName = async (input: MultiStepInput) => {
    let i = 1;
    while (names.includes(`c${i}`)) i++;
    f.name = (await input.inputBox({ title, step: 2, totalSteps: total, value: f.name || `c${i}`, prompt: 'The container\'s name (--name)', validate: (v) => checkContainerName(v, names) })).trim();
    return askNetwork;
  };
  const askNetwork = async (input: MultiStepInput) => {
    const items = [
      ...s.networks.filter((n) => n.driver !== 'host' && n.driver !== 'null').map((n) => ({ label: n.name, description: [n.driver, n.ipamConfig.map((p) => p.subnet).join(', ')].filter(Boolean).join(' · ') })),
      { label: 'host', description: 'share the host\'s network namespace' },
      { label: 'none', description: 'loopback only' },
    ];
    f.network = (await input.pick({ title, step: 3, totalSteps: total, items, placeholder: 'Which network (--network)?', selected: items.filter((i) => i.label === (f.network || 'bridge')) }))[0]!.label;
    const net = networkNamed(s, f.network);
    return net && !PREDEFINED_NETWORK_NAMES.includes(net.name) ? askAddress : askPorts;
  };
  const askAddress = async (input: MultiStepInput) => {
    const net = networkNamed(s, f.network)!;
    f.address = (await input.inputBox({
      title, step: 4, totalSteps: total, value: f.address, placeholder: 'optional',
      prompt: `A static address on ${f.network} (--ip). Empty: Docker picks.`,
      validate: (v) => checkStaticAddress(v, net, false),
    })).trim();
    return askPorts;
  };
  const askPorts = async (input: MultiStepInput) => {
    f.ports = (await input.inputBox({
      title, step: 5, totalSteps: total, value: f.ports, placeholder: 'optional, e.g. 127.0.0.1:8080:80',
      prompt: 'Published ports (-p), separated by commas.',
      validate: (v) => (splitList(v).every((p) => /^(\[?[0-9a-fA-F:.]*\]?:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(p)) ? undefined : 'port specs like 8080:80, 127.0.0.1:8081:80/tcp'),
    })).trim();
    return askCommand;
  };
  const askCommand = async (input: MultiStepInput) => {
    f.command = splitCommand(await input.inputBox({
      title, step: 6, totalSteps: total, value: f.command.join(' '), placeholder: 'optional, e.g. sleep 3600',
      prompt: 'The command (after the image). Empty: the image\'s own.',
      validate: () => undefined,
    }));
  };
  return (await MultiStepInput.run(askImage)) ? f : undefined;
}
