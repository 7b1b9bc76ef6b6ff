// Which Docker hosts the extension shows: the default one (DOCKER_HOST, else the docker CLI's current
// context, else the local socket — as the docker CLI picks) and every entry of the `cnm.docker.hosts`
// setting. Pure (no `vscode`): endpoint resolution is passed in (src/docker's resolveEndpoint).
import { describeEndpoint, type DockerEndpoint } from '../../docker';

export interface ConfiguredHost {
  /** Stable key: the setting's entry as written; the default host's: its URL. */
  key: string;
  /** What the user sees: the context's name, `default`, or the endpoint as written. */
  label: string;
  /** The engine's name for the host (diagram and element ids): short, no slashes. */
  hostName: string;
  /** Where it is, or why it cannot be used (a malformed setting, a missing context). */
  endpoint: DockerEndpoint | { error: string };
  /** The default host (from the environment), not one of the setting's. */
  isDefault: boolean;
}

/** Resolves an endpoint as written (undefined: the default); throws for one that cannot be used. */
export type EndpointResolver = (explicit: string | undefined) => DockerEndpoint;

/** The endpoint's URL without where it came from: `unix:///var/run/docker.sock`, `tcp://box:2376`. */
export function endpointUrl(ep: DockerEndpoint): string {
  return describeEndpoint({ ...ep, source: { from: 'explicit' } }).replace(/ \(TLS(, daemon not verified)?\)$/, '');
}

/** A short name for the engine: the context, the remote machine's name, or the label. */
export function hostNameOf(label: string, ep: DockerEndpoint | undefined): string {
  const raw = ep && ep.source.from !== 'context' && ep.kind !== 'unix' ? ep.host : label;
  const clean = raw.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '');
  return clean || 'docker';
}

function resolveOrError(resolve: EndpointResolver, explicit: string | undefined): DockerEndpoint | { error: string } {
  try {
    return resolve(explicit);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The hosts to show, in order: the default first, then the setting's entries (an entry naming the
 * same endpoint as one before it is dropped; anything that is not a string ignored).
 */
export function configuredHosts(resolve: EndpointResolver, setting: unknown): ConfiguredHost[] {
  const hosts: ConfiguredHost[] = [];
  const urls = new Set<string>();
  const names = new Set<string>();
  const add = (key: string, label: string, endpoint: DockerEndpoint | { error: string }, isDefault: boolean) => {
    const url = 'error' in endpoint ? key : endpointUrl(endpoint);
    if (urls.has(url) || hosts.some((h) => h.key === key)) return;
    urls.add(url);
    const base = hostNameOf(label, 'error' in endpoint ? undefined : endpoint);
    let hostName = base;
    for (let i = 2; names.has(hostName); i++) hostName = `${base}-${i}`;
    names.add(hostName);
    hosts.push({ key, label, hostName, endpoint, isDefault });
  };

  const def = resolveOrError(resolve, undefined);
  if ('error' in def) add('default', 'default', def, true);
  else {
    const url = endpointUrl(def);
    add(url, def.source.from === 'context' ? def.source.context ?? url : def.source.from === 'default' ? 'default' : url, def, true);
  }
  const entries = Array.isArray(setting) ? setting.filter((s): s is string => typeof s === 'string') : [];
  for (const raw of entries) {
    const text = raw.trim();
    if (text) add(text, text, resolveOrError(resolve, text), false);
  }
  return hosts;
}
