// Drift of a Compose project: what differs between what `docker compose up` would make (the project
// played on the engine) and the project running on a Docker host. Names are Compose's (`<project>_<key>`
// networks, `<project>-<service>-<n>` containers); only objects labelled with the project
// (com.docker.compose.project) count as extra, so other projects and plain containers on the host are
// not drift. What Compose leaves to Docker is not compared unless asked: a subnet the file does not give
// (Docker's pools, in the host's history), addresses it does not pin, and external networks (not the
// project's).
import type { Snapshot } from '../docker';
import type { Range, YamlPath } from '../topology';
import type { LoadedCompose } from '../topology/compose';
import { computeDrift, type DriftItem } from './drift';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';

export interface ComposeDriftOptions {
  /** Also compare what Docker picks (subnets the file does not give, addresses it does not pin). */
  dynamic?: boolean;
}

export function computeComposeDrift(compose: LoadedCompose, snapshot: Snapshot, opts: ComposeDriftOptions = {}): DriftItem[] {
  const { spec, project } = compose;
  const items = computeDrift(spec, compose.engine, snapshot, {
    host: spec.hosts[0]?.name,
    label: `${COMPOSE_PROJECT_LABEL}=${project.name}`,
    ...(opts.dynamic ? { dynamic: true } : {}),
  });
  const external = new Set([...project.networks.values()].filter((n) => n.external).map((n) => n.name));
  const pooled = new Set(spec.networks.filter((n) => !n.ipamConfig.some((c) => c.subnet !== undefined && !c.subnet.includes(':'))).map((n) => n.name));
  // Services only on external networks are played without a network (nothing on them is predicted).
  const onlyExternal = new Set(project.services
    .filter((s) => !s.networkMode && s.networks.length > 0 && s.networks.every((n) => project.networks.get(n.key)?.external))
    .flatMap((s) => compose.played.containersOf.get(s.name) ?? []));
  return items.filter((item) => {
    // The project does not own an external network: being on one is not drift, nor is the network itself.
    if (item.network !== undefined && external.has(item.network) && item.kind === 'extra') return false;
    if (item.container !== undefined && onlyExternal.has(item.container) && (item.field === 'network_mode' || item.network === 'none')) return false;
    if (!opts.dynamic && item.object === 'network' && item.kind === 'different' && (item.field === 'subnet' || item.field === 'gateway') && pooled.has(item.network ?? '')) return false;
    return true;
  });
}

/**
 * Where a drift item belongs in the project's main file: the key it is about when that is written in the
 * main file; otherwise (only on the host, or written in an override or included file) the section it
 * would be written in (`networks:`, `services:`).
 */
export function composeDriftRange(compose: LoadedCompose, path: YamlPath, part: 'key' | 'value' = 'key'): Range {
  const main = compose.model.parsed.get(compose.file);
  const section = (key: string) => main?.rangeOf([key], 'key') ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  if (path.length === 1 && path[0] === 'networks') return section('networks');
  if (path.length === 1 && path[0] === 'containers') return section('services');
  const at = compose.locate(path, part);
  if (at.file === compose.file) return at.range;
  return section(path[0] === 'n' ? 'networks' : 'services');
}
