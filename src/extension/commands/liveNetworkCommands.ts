// Create and remove networks on a live Docker host (cnm.createNetwork / cnm.removeNetwork on a live
// node, or with `{ liveHost }`). Create asks for every IPAM option, each checked as it is typed and
// all together before anything is sent; remove names what is still connected and asks first.
//   cnm.createNetwork({ liveHost, name, driver?, subnet?, gateway?, ipRange?, auxAddresses?, enableIpv6?,
//                       subnet6?, gateway6?, internal?, attachable?, options?, labels? })
//   cnm.removeNetwork({ liveHost, network })
import * as vscode from 'vscode';
import { createNetwork, removeNetwork } from '../../docker';
import type { Ctx } from '../ctx';
import {
  checkAddressIn, checkNewNetworkName, checkRangeIn, checkSubnetText, networkRequestOf, parseAuxAddresses, parseOptions,
  PREDEFINED_NETWORK_NAMES, type NetworkForm,
} from './liveArgs';
import { confirmDestructive, CREATED_LABELS, refuseLive, resolveLive, sendToHost, snapshotOf, whenTrusted, type LiveInvocation, type LiveResult } from './liveCommon';
import { MultiStepInput } from './multiStep';
import { liveDriverChoices, optionHint } from '../driverChoices';

const CREATE = 'Create Network';
const REMOVE = 'Remove Network';

export function liveCreateNetwork(ctx: Ctx, arg: unknown): Promise<LiveResult> {
  const inv = resolveLive(ctx, arg);
  if ('error' in inv) return Promise.resolve(refuseLive(ctx, undefined, CREATE, inv.error));
  return whenTrusted(ctx, CREATE, async () => {
    const existing = (await snapshotOf(inv.entry)).networks.map((n) => n.name);
    const form = inv.scripted ? formFromArgs(inv) : await askNetwork(inv, existing);
    if (!form) return undefined;
    const request = networkRequestOf({ ...form, labels: { ...CREATED_LABELS, ...form.labels } }, existing);
    if ('error' in request) return refuseLive(ctx, inv, CREATE, request.error);
    return sendToHost(ctx, inv, CREATE, `Creating network ${request.name}`, async () => {
      const { id } = await createNetwork(inv.entry.client, request);
      return `Created network ${request.name} (${id.slice(0, 12)}) on ${inv.entry.label}.`;
    });
  }, inv.scripted);
}

function formFromArgs(inv: LiveInvocation): NetworkForm {
  const a = inv.args;
  const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(a[k]) ? (a[k] as unknown[]).map(String).join(',') : typeof a[k] === 'object' && a[k] !== null ? Object.entries(a[k] as object).map(([key, v]) => `${key}=${String(v)}`).join(',') : str(k));
  const form: NetworkForm = { name: str('name') ?? '' };
  for (const k of ['driver', 'subnet', 'gateway', 'ipRange', 'subnet6', 'gateway6'] as const) {
    const v = str(k);
    if (v !== undefined) form[k] = v;
  }
  const aux = list('auxAddresses');
  if (aux !== undefined) form.auxAddresses = aux;
  const options = list('options');
  if (options !== undefined) form.options = options;
  if (a.enableIpv6 === true) form.enableIpv6 = true;
  if (a.internal === true) form.internal = true;
  if (a.attachable === true) form.attachable = true;
  if (typeof a.labels === 'object' && a.labels !== null) form.labels = Object.fromEntries(Object.entries(a.labels).map(([k, v]) => [k, String(v)]));
  return form;
}

const DRIVERS = liveDriverChoices();

async function askNetwork(inv: LiveInvocation, existing: string[]): Promise<NetworkForm | undefined> {
  const form: NetworkForm = { name: typeof inv.args.name === 'string' ? inv.args.name : '' };
  const title = `${CREATE} on ${inv.entry.label}`;
  const total = 10;
  const askName = async (input: MultiStepInput) => {
    form.name = (await input.inputBox({ title, step: 1, totalSteps: total, value: form.name, prompt: 'The network\'s name', validate: (v) => checkNewNetworkName(v, existing) })).trim();
    return askDriver;
  };
  const askDriver = async (input: MultiStepInput) => {
    const [p] = await input.pick({
      title, step: 2, totalSteps: total, items: DRIVERS, placeholder: 'The driver (--driver), or type a plug-in\'s name',
      selected: DRIVERS.filter((d) => d.label === (form.driver ?? 'bridge')),
      acceptTyped: (v) => ({ label: v, description: 'a driver plug-in' }),
    });
    form.driver = p!.label;
    return askSubnet;
  };
  const askSubnet = async (input: MultiStepInput) => {
    form.subnet = (await input.inputBox({
      title, step: 3, totalSteps: total, value: form.subnet ?? '', placeholder: 'e.g. 10.30.0.0/24',
      prompt: 'The IPv4 subnet (--subnet). Empty: Docker picks one from its address pools (then no gateway, range or aux addresses).',
      validate: (v) => (v.trim() ? checkSubnetText(v, 4) : undefined),
    })).trim();
    return form.subnet ? askGateway : askFlags;
  };
  const askGateway = async (input: MultiStepInput) => {
    form.gateway = (await input.inputBox({
      title, step: 4, totalSteps: total, value: form.gateway ?? '', placeholder: 'optional',
      prompt: `The gateway (--gateway) in ${form.subnet}. Empty: Docker takes the first address.`,
      validate: (v) => (v.trim() ? checkAddressIn(v, form.subnet!, 'gateway') : undefined),
    })).trim();
    return askRange;
  };
  const askRange = async (input: MultiStepInput) => {
    form.ipRange = (await input.inputBox({
      title, step: 5, totalSteps: total, value: form.ipRange ?? '', placeholder: 'optional, e.g. a /26 of the subnet',
      prompt: `The range containers get addresses from (--ip-range), inside ${form.subnet}. Empty: the whole subnet.`,
      validate: (v) => (v.trim() ? checkRangeIn(v, form.subnet!) : undefined),
    })).trim();
    return askAux;
  };
  const askAux = async (input: MultiStepInput) => {
    form.auxAddresses = (await input.inputBox({
      title, step: 6, totalSteps: total, value: form.auxAddresses ?? '', placeholder: 'optional, e.g. router=10.30.0.254',
      prompt: 'Addresses Docker must not hand out (--aux-address), as name=address, separated by commas.',
      validate: (v) => {
        const r = parseAuxAddresses(v, form.subnet!);
        return 'error' in r ? String(r.error) : undefined;
      },
    })).trim();
    return askFlags;
  };
  const askFlags = async (input: MultiStepInput) => {
    const items = [
      { label: 'internal', description: 'no route out of the network (--internal)' },
      { label: 'attachable', description: 'standalone containers may join an overlay (--attachable)' },
      { label: 'IPv6', description: 'an IPv6 subnet too (--ipv6)' },
    ];
    const chosen = await input.pick({
      title, step: 7, totalSteps: total, items, canPickMany: true, placeholder: 'Flags (none needed: press Enter)',
      selected: items.filter((i) => (i.label === 'internal' && form.internal) || (i.label === 'attachable' && form.attachable) || (i.label === 'IPv6' && form.enableIpv6)),
    });
    form.internal = chosen.some((c) => c.label === 'internal');
    form.attachable = chosen.some((c) => c.label === 'attachable');
    form.enableIpv6 = chosen.some((c) => c.label === 'IPv6');
    return form.enableIpv6 ? askSubnet6 : askOptions;
  };
  const askSubnet6 = async (input: MultiStepInput) => {
    form.subnet6 = (await input.inputBox({
      title, step: 8, totalSteps: total, value: form.subnet6 ?? '', placeholder: 'e.g. fd00:30::/64',
      prompt: 'The IPv6 subnet (a second --subnet).',
      validate: (v) => checkSubnetText(v, 6),
    })).trim();
    return askGateway6;
  };
  const askGateway6 = async (input: MultiStepInput) => {
    form.gateway6 = (await input.inputBox({
      title, step: 9, totalSteps: total, value: form.gateway6 ?? '', placeholder: 'optional',
      prompt: `The IPv6 gateway in ${form.subnet6}. Empty: Docker takes the first address.`,
      validate: (v) => (v.trim() ? checkAddressIn(v, form.subnet6!, 'IPv6 gateway') : undefined),
    })).trim();
    return askOptions;
  };
  const askOptions = async (input: MultiStepInput) => {
    const hint = optionHint(form.driver);
    form.options = (await input.inputBox({
      title, step: 10, totalSteps: total, value: form.options ?? '', placeholder: `optional, ${hint}`,
      prompt: 'Driver options (-o), as key=value, separated by commas.',
      validate: (v) => {
        const r = parseOptions(v);
        return 'error' in r ? String(r.error) : undefined;
      },
    })).trim();
  };
  return (await MultiStepInput.run(askName)) ? form : undefined;
}

export function liveRemoveNetwork(ctx: Ctx, arg: unknown): Promise<LiveResult> {
  const inv = resolveLive(ctx, arg);
  if ('error' in inv) return Promise.resolve(refuseLive(ctx, undefined, REMOVE, inv.error));
  return whenTrusted(ctx, REMOVE, async () => {
    const snapshot = await snapshotOf(inv.entry);
    let name = typeof inv.args.network === 'string' ? inv.args.network : undefined;
    if (!name && !inv.scripted) {
      const p = await vscode.window.showQuickPick(
        snapshot.networks.filter((n) => !PREDEFINED_NETWORK_NAMES.includes(n.name)).map((n) => ({ label: n.name, description: [n.driver, n.ipamConfig[0]?.subnet].filter(Boolean).join(' · ') })),
        { title: `${REMOVE} on ${inv.entry.label}`, placeHolder: 'Which network?' },
      );
      name = p?.label;
    }
    if (!name) return inv.scripted ? refuseLive(ctx, inv, REMOVE, 'pass { network }') : undefined;
    const net = snapshot.networks.find((n) => n.name === name);
    // bridge, host and none: Docker refuses, and its refusal is the answer (nothing to confirm).
    if (!PREDEFINED_NETWORK_NAMES.includes(name)) {
      const members = snapshot.containers.filter((c) => c.endpoints.some((e) => e.network === name || (net && e.networkId === net.id))).map((c) => c.name);
      const message = `Remove network '${name}' from ${inv.entry.label}? ${members.length ? `Containers on it: ${members.join(', ')}.` : 'No container is on it.'}`;
      const detail = members.length
        ? 'Docker refuses to remove a network with active endpoints: disconnect the containers first. Nothing is changed unless you choose Remove.'
        : 'This cannot be undone: the network and its settings are deleted from the host.';
      if (!(await confirmDestructive(message, detail, 'Remove'))) return undefined;
    }
    const n = name;
    return sendToHost(ctx, inv, REMOVE, `Removing network ${n}`, async () => {
      await removeNetwork(inv.entry.client, n);
      return `Removed network ${n} from ${inv.entry.label}.`;
    });
  }, inv.scripted);
}
