// A change to a Compose file, checked before the file is touched: the edit (src/topology/compose/edit)
// makes the new text, the project is read again with it, and a change that makes Compose or Docker
// refuse the project is refused with their words. What is left is the smallest set of text edits, for a
// WorkspaceEdit (undo takes it back). Pure: no `vscode`; the project is loaded through `load`.
import { DockerError, Engine } from '../engine';
import type { ComposeDiagnostic, LoadedCompose, NewComposeNetwork } from '../topology/compose';
import { YamlEditError } from '../topology/edit';
import { minimalEdits, type TextEdit } from './textDiff';

export interface PlannedComposeChange {
  oldText: string;
  newText: string;
  edits: TextEdit[];
  /** Warnings the change brings (e.g. a new start-order race). */
  warnings: string[];
}

export type ComposePlan = { ok: true; change: PlannedComposeChange } | { ok: false; error: string };

/** `edit(oldText)`, checked on the project read with the new text (`load(text)`); never throws. */
export function planComposeChange(oldText: string, edit: (text: string) => string, load: (text: string) => LoadedCompose): ComposePlan {
  let newText: string;
  try {
    newText = edit(oldText);
  } catch (e) {
    if (e instanceof YamlEditError) return { ok: false, error: e.message };
    return { ok: false, error: `Could not change the file: ${e instanceof Error ? e.message : String(e)}` };
  }
  let added: ComposeDiagnostic[];
  try {
    added = newDiagnostics(load(oldText).diagnostics, load(newText).diagnostics);
  } catch (e) {
    return { ok: false, error: `Could not read the changed project: ${e instanceof Error ? e.message : String(e)}` };
  }
  const error = added.find((d) => d.severity === 'error');
  if (error) return { ok: false, error: `${error.message} (line ${error.range.start.line + 1} of ${error.file.split('/').pop()} once changed)` };
  return { ok: true, change: { oldText, newText, edits: minimalEdits(oldText, newText), warnings: added.filter((d) => d.severity === 'warning').map((d) => d.message) } };
}

/**
 * Docker's refusal of a new network's addresses (an aux address, gateway or ip_range outside its subnet),
 * or undefined. Compose creates only the networks a service uses, so reading the project again says
 * nothing about a network just added: its IPAM entry is checked on its own, as Docker will once a
 * service joins it — by dockerd of the project's version (Compose creates networks through the API, so
 * the docker CLI's own checks do not apply: 20.10 takes an ip_range outside the subnet, 25.0+ does not).
 */
export function composeNetworkAddressError(net: NewComposeNetwork, daemonVersion?: string, projectName?: string): string | undefined {
  const pool = { ...(net.subnet ? { subnet: net.subnet } : {}), ...(net.gateway ? { gateway: net.gateway } : {}), ...(net.ipRange ? { ipRange: net.ipRange } : {}), ...(net.auxAddresses ? { auxAddresses: net.auxAddresses } : {}) };
  if (Object.keys(pool).length === 0) return undefined;
  const scratch = new Engine();
  scratch.addHost({ name: 'host', ...(daemonVersion !== undefined ? { daemon: { version: daemonVersion } } : {}) });
  try {
    // Docker's name of it (`<project>_<key>`): some of dockerd's words name the network.
    scratch.createNetwork('host', { name: projectName ? `${projectName}_${net.key}` : net.key, ipam: { config: [pool] }, ...(net.enableIpv6 ? { enableIpv6: true } : {}) });
    return undefined;
  } catch (e) {
    if (e instanceof DockerError) return e.message;
    throw e;
  }
}

/** Diagnostics of `after` that `before` did not have (by severity and message, counted). */
function newDiagnostics(before: ComposeDiagnostic[], after: ComposeDiagnostic[]): ComposeDiagnostic[] {
  const seen = new Map<string, number>();
  const key = (d: ComposeDiagnostic) => `${d.severity}\0${d.message}`;
  for (const d of before) seen.set(key(d), (seen.get(key(d)) ?? 0) + 1);
  return after.filter((d) => {
    const n = seen.get(key(d)) ?? 0;
    if (n > 0) seen.set(key(d), n - 1);
    return n === 0;
  });
}

/** A service named by its name or by one of its containers' names (as the tree shows them). */
export function serviceOf(compose: LoadedCompose, name: string): string | undefined {
  if (compose.project.services.some((s) => s.name === name)) return name;
  for (const [service, containers] of compose.played.containersOf) if (containers.includes(name)) return service;
  return undefined;
}

/** A network named by its key or by Docker's name (`<project>_<key>`). */
export function networkKeyOf(compose: LoadedCompose, name: string): string {
  if (compose.project.networks.has(name)) return name;
  for (const [key, docker] of compose.played.networkNames) if (docker === name) return key;
  const prefix = `${compose.project.name}_`;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}
