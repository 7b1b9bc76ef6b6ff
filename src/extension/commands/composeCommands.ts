// The explorer's actions on a Compose source edit the Compose file (never a topology file's keys):
// create a network under `networks:`, attach a service to a network, publish a port. Each is checked on
// the project read again with the change (Compose's and Docker's refusals, in their words), then applied
// as a WorkspaceEdit of the changed lines (undo takes it back). Named arguments as for topology files:
//   cnm.createNetwork({ file, name, driver?, subnet?, gateway?, ipRange?, internal?, attachable?, enableIpv6?, options? })
//   cnm.connectContainer({ file, container | service, network, ipv4Address?, aliases? })
//   cnm.publishPort({ file, container | service, port })
import { existsSync, readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { addComposeNetwork, attachServiceToNetwork, isComposeFileName, loadCompose, publishServicePort, type LoadedCompose, type NewComposeNetwork } from '../../topology/compose';
import { composeNetworkAddressError, networkKeyOf, planComposeChange, serviceOf } from '../composeChanges';
import type { Ctx } from '../ctx';
import { refuse, resolveInvocation, type Invocation } from './args';
import { findDescriptor, parseCidr } from '../../engine';
import { liveDriverChoices } from '../driverChoices';
import { keepOnly, networkFields } from '../networkForm';
import { checkGateway, defaultGateway } from '../topologyChanges';
import { MultiStepInput } from './multiStep';
import { optionsLoop } from './networkOptionsStep';

export type ComposeResult = { ok: true; text: string; warnings: string[] } | { ok: false; error: string } | undefined;

/** True when the invocation's source is a Compose file (by its name, as `docker compose` finds it). */
export function isComposeInvocation(inv: Invocation): boolean {
  return isComposeFileName(inv.source.uri.path);
}

/** The project of a Compose file: open documents first (unsaved edits), then the disk; `text` for the file itself. */
export function loadComposeProject(uri: vscode.Uri, text?: string): LoadedCompose {
  const open = new Map(vscode.workspace.textDocuments.map((d) => [d.uri.fsPath, d]));
  const file = uri.fsPath;
  return loadCompose({
    readFile(path) {
      if (path === file && text !== undefined) return text;
      const d = open.get(path);
      if (d) return d.getText();
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    exists: (path) => open.has(path) || existsSync(path),
  }, file, { env: {} });
}

async function edit(ctx: Ctx, inv: Invocation, title: string, what: string, change: (text: string) => string): Promise<ComposeResult> {
  const uri = inv.source.uri;
  const doc = await vscode.workspace.openTextDocument(uri);
  const oldText = doc.getText();
  const plan = planComposeChange(oldText, change, (t) => loadComposeProject(uri, t));
  if (!plan.ok) return refuse(ctx, inv, title, plan.error);
  const we = new vscode.WorkspaceEdit();
  for (const e of plan.change.edits) we.replace(uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.text, { label: what, needsConfirmation: false });
  if (!(await vscode.workspace.applyEdit(we))) return refuse(ctx, inv, title, 'VS Code did not apply the edit (is the file read-only?).');
  ctx.output.info(`${what}: edited ${vscode.workspace.asRelativePath(uri)} (${plan.change.edits.length} change${plan.change.edits.length === 1 ? '' : 's'})`);
  await ctx.store.load(uri);
  if (!inv.scripted && plan.change.edits.length) {
    const first = plan.change.edits[0]!;
    const editor = await vscode.window.showTextDocument(doc, { preserveFocus: true, preview: false });
    editor.selection = new vscode.Selection(doc.positionAt(first.offset), doc.positionAt(first.offset + first.text.length));
    editor.revealRange(editor.selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
  for (const w of plan.change.warnings) if (!inv.scripted) void vscode.window.showWarningMessage(`${what}: ${w}`);
  return { ok: true, text: doc.getText(), warnings: plan.change.warnings };
}

const CREATE = 'Create Network';
const CONNECT = 'Connect Service';
const PUBLISH = 'Publish Port';

export async function composeCreateNetwork(ctx: Ctx, inv: Invocation): Promise<ComposeResult> {
  const a = inv.args;
  let net: NewComposeNetwork;
  if (inv.scripted) {
    if (typeof a.name !== 'string') return refuse(ctx, inv, CREATE, 'pass { name } (and optionally driver, subnet, gateway, ipRange, auxAddresses, ipamDriver, internal, attachable, enableIpv6, options, labels)');
    net = { key: a.name };
    if (typeof a.driver === 'string') net.driver = a.driver;
    if (typeof a.subnet === 'string') net.subnet = a.subnet;
    if (typeof a.gateway === 'string') net.gateway = a.gateway;
    if (a.internal === true) net.internal = true;
    if (a.attachable === true) net.attachable = true;
    if (typeof a.ipRange === 'string') net.ipRange = a.ipRange;
    if (a.enableIpv6 === true) net.enableIpv6 = true;
    if (typeof a.options === 'object' && a.options !== null) net.driverOpts = Object.fromEntries(Object.entries(a.options).map(([k, v]) => [k, String(v)]));
    if (typeof a.auxAddresses === 'object' && a.auxAddresses !== null) net.auxAddresses = Object.fromEntries(Object.entries(a.auxAddresses).map(([k, v]) => [k, String(v)]));
    if (typeof a.ipamDriver === 'string') net.ipamDriver = a.ipamDriver;
    if (typeof a.labels === 'object' && a.labels !== null) net.labels = Object.fromEntries(Object.entries(a.labels).map(([k, v]) => [k, String(v)]));
  } else {
    const asked = await askComposeNetwork(inv);
    if (!asked) return undefined;
    net = asked;
  }
  const project = loadComposeProject(inv.source.uri, inv.source.text);
  const refused = composeNetworkAddressError(net, project.spec.hosts[0]?.daemon.version, project.project.name);
  if (refused) return refuse(ctx, inv, CREATE, refused);
  return edit(ctx, inv, CREATE, `${CREATE} ${net.key}`, (t) => addComposeNetwork(t, net));
}

/**
 * The same form as a topology file's (name, driver, subnet, gateway, the driver's options), with only what
 * Compose's `networks:` takes; the project read again with the network is the check.
 */
async function askComposeNetwork(inv: Invocation): Promise<NewComposeNetwork | undefined> {
  const compose = loadComposeProject(inv.source.uri, inv.source.text);
  const net: NewComposeNetwork = { key: 'back' };
  const title = `${CREATE} in ${inv.source.fileName}`;
  const total = 5;
  const drivers = liveDriverChoices();
  const descriptor = () => findDescriptor(net.driver ?? 'bridge');
  const engineError = () => {
    const plan = planComposeChange(inv.source.text, (t) => addComposeNetwork(t, net), (t) => loadComposeProject(inv.source.uri, t));
    return plan.ok ? composeNetworkAddressError(net, compose.spec.hosts[0]?.daemon.version, compose.project.name) : plan.error;
  };
  const askKey = async (input: MultiStepInput) => {
    net.key = await input.inputBox({
      title, step: 1, totalSteps: total, value: net.key, prompt: `The key under networks: (Docker names it ${compose.project.name}_KEY)`,
      validate: (v) => (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(v) ? 'Only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed.' : undefined),
    });
    return askDriver;
  };
  const askDriver = async (input: MultiStepInput) => {
    const [p] = await input.pick({ title, step: 2, totalSteps: total, items: drivers, placeholder: 'The network driver (driver:)', selected: drivers.filter((d) => d.label === (net.driver ?? 'bridge')) });
    // bridge is Compose's default: the key is written only for another driver.
    net.driver = p!.label === 'bridge' ? undefined : p!.label;
    return descriptor()?.special ? askOptions : askSubnet;
  };
  const askSubnet = async (input: MultiStepInput) => {
    const v = await input.inputBox({ title, step: 3, totalSteps: total, value: net.subnet ?? '', prompt: 'The subnet (ipam config), e.g. 10.30.0.0/24. Empty: Docker picks one from its pools when the project starts.', validate: (x) => (x.trim() && !parseCidr(x.trim()) ? `invalid CIDR address: ${x.trim()}` : undefined) });
    net.subnet = v.trim() || undefined;
    if (!net.subnet) net.gateway = undefined;
    return net.subnet ? askGateway : askOptions;
  };
  const askGateway = async (input: MultiStepInput) => {
    const v = await input.inputBox({ title, step: 4, totalSteps: total, value: net.gateway ?? defaultGateway(net.subnet!) ?? '', prompt: `The gateway in ${net.subnet}. Empty: the first address.`, validate: (x) => checkGateway(net.subnet!, x) });
    net.gateway = v.trim() || undefined;
    return askOptions;
  };
  const askOptions = async (input: MultiStepInput) => {
    const fields = networkFields(net.driver ?? 'bridge', descriptor(), { compose: true, ipamDrivers: compose.engine.drivers.ipamDriverNames() });
    const shown = { ...net, name: net.key } as NewComposeNetwork & { name: string };
    keepOnly(shown, fields);
    await optionsLoop(input, { title, step: 5, total, fields, net: shown, engineError: () => { Object.assign(net, shown); return engineError(); } });
    Object.assign(net, shown);
    delete (net as { name?: string }).name;
  };
  return (await MultiStepInput.run(askKey)) ? net : undefined;
}

export async function composeConnectService(ctx: Ctx, inv: Invocation): Promise<ComposeResult> {
  const a = inv.args;
  const compose = loadComposeProject(inv.source.uri, inv.source.text);
  const named = typeof a.service === 'string' ? a.service : typeof a.container === 'string' ? a.container : undefined;
  let service = named !== undefined ? serviceOf(compose, named) : undefined;
  if (named !== undefined && !service) return refuse(ctx, inv, CONNECT, `The project has no service or container "${named}".`);
  if (!service) {
    if (inv.scripted) return refuse(ctx, inv, CONNECT, 'pass { service } (or { container }) and { network }');
    service = await vscode.window.showQuickPick(compose.project.services.filter((s) => !s.networkMode).map((s) => s.name), { title: CONNECT, placeHolder: 'Which service?' });
    if (!service) return undefined;
  }
  let network = typeof a.network === 'string' ? networkKeyOf(compose, a.network) : undefined;
  let ipv4Address = typeof a.ipv4Address === 'string' ? a.ipv4Address : undefined;
  const aliases = Array.isArray(a.aliases) ? a.aliases.map(String) : undefined;
  if (!network) {
    if (inv.scripted) return refuse(ctx, inv, CONNECT, 'pass { network }');
    const on = new Set(compose.project.services.find((s) => s.name === service)?.networks.map((n) => n.key));
    const declared = compose.model.model?.entries.get('networks');
    const keys = declared?.kind === 'map' ? [...declared.entries.keys()].filter((k) => !on.has(k)) : [];
    network = await vscode.window.showQuickPick(keys, { title: `${CONNECT} ${service}`, placeHolder: keys.length ? 'To which network?' : 'No other network: create one first' });
    if (!network) return undefined;
    const address = await vscode.window.showInputBox({ title: `${CONNECT} ${service} to ${network}`, prompt: 'A fixed address (ipv4_address). Empty: Docker picks one.' });
    if (address === undefined) return undefined;
    ipv4Address = address.trim() || undefined;
  }
  const options = { ...(ipv4Address ? { ipv4Address } : {}), ...(aliases?.length ? { aliases } : {}) };
  return edit(ctx, inv, CONNECT, `Connect ${service} to ${network}`, (t) => attachServiceToNetwork(t, service, network, options));
}

export async function composePublishPort(ctx: Ctx, inv: Invocation): Promise<ComposeResult> {
  const a = inv.args;
  const compose = loadComposeProject(inv.source.uri, inv.source.text);
  const named = typeof a.service === 'string' ? a.service : typeof a.container === 'string' ? a.container : undefined;
  let service = named !== undefined ? serviceOf(compose, named) : undefined;
  if (named !== undefined && !service) return refuse(ctx, inv, PUBLISH, `The project has no service or container "${named}".`);
  if (!service) {
    if (inv.scripted) return refuse(ctx, inv, PUBLISH, 'pass { service } (or { container }) and { port }');
    service = await vscode.window.showQuickPick(compose.project.services.map((s) => s.name), { title: PUBLISH, placeHolder: 'Which service?' });
    if (!service) return undefined;
  }
  let port = typeof a.port === 'string' || typeof a.port === 'number' ? String(a.port) : undefined;
  if (!port) {
    if (inv.scripted) return refuse(ctx, inv, PUBLISH, 'pass { port } (Docker\'s -p text, e.g. "8080:80")');
    port = await vscode.window.showInputBox({ title: `${PUBLISH} on ${service}`, prompt: 'As docker run -p: HOST:CONTAINER, IP:HOST:CONTAINER or CONTAINER, with an optional /udp', value: '8080:80' });
    if (!port) return undefined;
  }
  return edit(ctx, inv, PUBLISH, `Publish ${port} on ${service}`, (t) => publishServicePort(t, service, port));
}

/** `cnm.publishPort`: Compose sources only (a topology file publishes ports when a container is run). */
export function publishPortCommand(ctx: Ctx) {
  return async (arg?: unknown): Promise<ComposeResult> => {
    const inv = await resolveInvocation(ctx, arg, PUBLISH);
    if (!inv) return undefined;
    if (!isComposeInvocation(inv)) return refuse(ctx, inv, PUBLISH, `${inv.source.fileName} is not a Compose file: in a topology file, give the ports when the container is run.`);
    return composePublishPort(ctx, inv);
  };
}
