// Create and remove networks. Create is a five-step input — name, driver, subnet (the one Docker would
// pick, suggested), gateway, then the options the chosen driver takes (from its descriptor; Enter
// creates) — or, with named arguments, no questions at all:
//   cnm.createNetwork({ file, name, driver?, subnet?, gateway?, ipRange?, auxAddresses?, ipamDriver?, host?, internal?, attachable?, ingress?, enableIpv6?, options? })
//   cnm.removeNetwork({ file, network, disconnect?: true })
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import { checkGateway, checkNetworkName, checkSubnet, defaultGateway, planChange, suggestSubnet } from '../topologyChanges';
import { addNetwork, containersOnNetwork, disconnectContainer, removeNetwork, type NewNetwork } from '../../topology/edit';
import { refuse, resolveHost, resolveInvocation, type Invocation } from './args';
import { applyChange, type AppliedChange } from './applyChange';
import { isLiveInvocation, type LiveResult } from './liveCommon';
import { liveCreateNetwork, liveRemoveNetwork } from './liveNetworkCommands';
import { MultiStepInput } from './multiStep';
import { optionsLoop } from './networkOptionsStep';
import { composeCreateNetwork, isComposeInvocation } from './composeCommands';
import { fileDriverChoices } from '../driverChoices';
import { checkNetworkOnEngine, keepOnly, networkFields } from '../networkForm';

type Result = AppliedChange | LiveResult | { ok: false; error: string } | undefined;

const CREATE = 'Create Network';
const REMOVE = 'Remove Network';

export function createNetworkCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<Result> => {
    // On a live host (a live tree node, or { liveHost }): through the Docker API, not the file.
    if (isLiveInvocation(arg)) return liveCreateNetwork(ctx, arg);
    const inv = await resolveInvocation(ctx, arg, CREATE);
    if (!inv) return undefined;
    if (isComposeInvocation(inv)) return composeCreateNetwork(ctx, inv);
    const host = await resolveHost(inv, CREATE);
    if (!host) return undefined;
    const net = inv.scripted ? fromArgs(inv, host) : await askNetwork(inv, host);
    if (!net) return undefined;
    if ('error' in net) return refuse(ctx, inv, CREATE, net.error);
    const plan = planChange(inv.source.text, (t) => addNetwork(t, net), inv.source.loaded);
    if (!plan.ok) return refuse(ctx, inv, CREATE, plan.error);
    const applied = await applyChange(ctx, inv.source, plan.change, `${CREATE} ${net.name}`, !inv.scripted || inv.args.showEditor === true);
    if (!applied.ok) return refuse(ctx, inv, CREATE, applied.error);
    return applied;
  };
}

function fromArgs(inv: Invocation, host: string): NewNetwork | { error: string } {
  const a = inv.args;
  if (typeof a.name !== 'string') return { error: 'pass { name } (and optionally driver, subnet, gateway, ipRange, auxAddresses, ipamDriver, internal, attachable, ingress, enableIpv6, options)' };
  const error = checkNetworkName(inv.source.loaded, host, a.name);
  if (error) return { error };
  const net: NewNetwork = { name: a.name };
  if (typeof a.driver === 'string') net.driver = a.driver;
  if (typeof a.subnet === 'string') net.subnet = a.subnet;
  if (typeof a.gateway === 'string') net.gateway = a.gateway;
  if (typeof a.ipRange === 'string') net.ipRange = a.ipRange;
  if (typeof a.auxAddresses === 'object' && a.auxAddresses !== null) net.auxAddresses = Object.fromEntries(Object.entries(a.auxAddresses).map(([k, v]) => [k, String(v)]));
  if (a.internal === true) net.internal = true;
  if (a.attachable === true) net.attachable = true;
  if (a.ingress === true) net.ingress = true;
  if (a.enableIpv6 === true) net.enableIpv6 = true;
  if (typeof a.ipamDriver === 'string') net.ipamDriver = a.ipamDriver;
  if (typeof a.options === 'object' && a.options !== null) net.driverOpts = Object.fromEntries(Object.entries(a.options).map(([k, v]) => [k, String(v)]));
  if (host !== inv.source.firstHost) net.host = host;
  return net;
}

async function askNetwork(inv: Invocation, host: string): Promise<NewNetwork | undefined> {
  const loaded = inv.source.loaded;
  const net: NewNetwork = { name: '' };
  if (host !== inv.source.firstHost) net.host = host;
  const drivers = fileDriverChoices(loaded.engine);
  const title = `${CREATE} in ${inv.source.fileName}${loaded.spec.hosts.length > 1 ? ` on ${host}` : ''}`;
  const total = 5;
  let suggested: string | undefined;
  const descriptor = () => loaded.engine.drivers.descriptor(net.driver ?? 'bridge');

  const askName = async (input: MultiStepInput) => {
    net.name = await input.inputBox({
      title, step: 1, totalSteps: total, value: net.name || nextFreeName(inv, host), prompt: 'The network\'s name (docker network create NAME)',
      validate: (v) => checkNetworkName(loaded, host, v),
    });
    return askDriver;
  };
  const askDriver = async (input: MultiStepInput) => {
    const items = drivers;
    const [picked] = await input.pick({ title, step: 2, totalSteps: total, items, placeholder: 'The network driver (--driver)', selected: items.filter((i) => i.label === (net.driver ?? 'bridge')) });
    net.driver = picked!.label;
    // host and null take no addresses: straight to what they take.
    if (descriptor()?.special) {
      net.subnet = undefined;
      net.gateway = undefined;
      return askOptions;
    }
    suggested = suggestSubnet(inv.source.text, host, net.driver);
    return askSubnet;
  };
  const askSubnet = async (input: MultiStepInput) => {
    const value = await input.inputBox({
      title, step: 3, totalSteps: total, value: net.subnet ?? suggested ?? '',
      prompt: suggested ? `The subnet (--subnet). ${suggested} is free: it is the one Docker would pick. Empty: Docker picks when the file is played.` : 'The subnet (--subnet), e.g. 10.30.0.0/24. Empty: Docker picks one.',
      validate: (v) => checkSubnet(loaded, host, v),
    });
    net.subnet = value.trim() || undefined;
    if (!net.subnet) net.gateway = undefined;
    return net.subnet ? askGateway : askOptions;
  };
  const askGateway = async (input: MultiStepInput) => {
    const subnet = net.subnet!;
    const value = await input.inputBox({
      title, step: 4, totalSteps: total, value: net.gateway && !checkGateway(subnet, net.gateway) ? net.gateway : defaultGateway(subnet) ?? '',
      prompt: `The gateway (--gateway): the bridge's own address in ${subnet}. Empty: the first address.`,
      validate: (v) => checkGateway(subnet, v),
    });
    net.gateway = value.trim() || undefined;
    return askOptions;
  };
  const askOptions = async (input: MultiStepInput) => {
    const fields = networkFields(net.driver ?? 'bridge', descriptor(), { ipamDrivers: loaded.engine.drivers.ipamDriverNames() });
    keepOnly(net, fields);
    await optionsLoop(input, { title, step: 5, total, fields, net, engineError: () => checkNetworkOnEngine(inv.source.text, loaded, net) });
  };
  return (await MultiStepInput.run(askName)) ? net : undefined;
}

function nextFreeName(inv: Invocation, host: string): string {
  const names = new Set(inv.source.loaded.spec.networks.filter((n) => n.host === host).map((n) => n.name));
  for (let i = 1; ; i++) if (!names.has(`net${i}`)) return `net${i}`;
}

export function removeNetworkCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<Result> => {
    if (isLiveInvocation(arg)) return liveRemoveNetwork(ctx, arg);
    const inv = await resolveInvocation(ctx, arg, REMOVE);
    if (!inv) return undefined;
    const name = typeof inv.args.network === 'string' ? inv.args.network : await pickNetwork(inv);
    if (!name) return undefined;
    const predefined = ['bridge', 'host', 'none', 'default'];
    // Docker's own refusal, in its words.
    if (predefined.includes(name)) return refuse(ctx, inv, REMOVE, `${name} is a pre-defined network and cannot be removed`);
    const attached = containersOnNetwork(inv.source.text, name);
    if (attached.length && !inv.scripted) {
      const go = 'Disconnect and Remove';
      const answer = await vscode.window.showWarningMessage(
        `Remove network "${name}"? ${attached.join(', ')} ${attached.length === 1 ? 'is' : 'are'} still connected to it.`,
        { modal: true, detail: `Docker refuses to remove a network with active endpoints, so ${attached.length === 1 ? 'this container is' : 'these containers are'} disconnected from it first (in the file). A container left without any network keeps only loopback (network_mode: none).` },
        go,
      );
      if (answer !== go) return undefined;
    } else if (attached.length && inv.args.disconnect !== true) {
      return refuse(ctx, inv, REMOVE, `network ${name} has active endpoints (${attached.join(', ')}); pass disconnect: true to disconnect them first`);
    }
    const plan = planChange(inv.source.text, (t) => removeNetwork(attached.reduce((text, c) => disconnectContainer(text, c, name), t), name), inv.source.loaded);
    if (!plan.ok) return refuse(ctx, inv, REMOVE, plan.error);
    const applied = await applyChange(ctx, inv.source, plan.change, `${REMOVE} ${name}`, !inv.scripted);
    return applied.ok ? applied : refuse(ctx, inv, REMOVE, applied.error);
  };
}

async function pickNetwork(inv: Invocation): Promise<string | undefined> {
  const items = inv.source.loaded.spec.networks.map((n) => ({ label: n.name, description: `${n.driver} on ${n.host}` }));
  if (!items.length) {
    void vscode.window.showInformationMessage(`${inv.source.fileName} declares no networks (bridge, host and none are predefined).`);
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title: REMOVE, placeHolder: 'Which network?' }))?.label;
}
