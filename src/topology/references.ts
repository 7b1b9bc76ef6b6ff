// Cross-references inside a topology file: hosts, networks and containers named elsewhere must exist
// (and be on the right host), with a "did you mean" when a name is close to one that does.
import { SHIPPED_DESCRIPTORS } from '../engine';
import type { TopologyDiagnostic } from './diagnostics';
import type { SourceMap } from './sourceMap';
import { BUILTIN_NETWORKS } from './schema';
import type { ContainerSpec, NetworkSpec, TopologySpec, YamlPath } from './spec';
import { didYouMean } from './suggest';
import { isIPv4Address } from './addresses';

/** Drivers whose networks span the swarm (overlay) or every host (flannel, a global-scope plug-in) rather than living on one host. */
const SPANNING_DRIVERS = SHIPPED_DESCRIPTORS.filter((d) => d.scope !== 'local').map((d) => d.name);

export function checkReferences(spec: TopologySpec, source: SourceMap): TopologyDiagnostic[] {
  const out: TopologyDiagnostic[] = [];
  const error = (path: YamlPath, part: 'key' | 'value', message: string, code: string) =>
    out.push({ range: source.rangeOf(path, part), severity: 'error', message, code, source: 'cnm', path });

  const hostNames = spec.hosts.map((h) => h.name);
  const checkHost = (path: YamlPath, host: string) => {
    const hostPath = [...path, 'host'];
    if (!hostNames.includes(host) && source.has(hostPath)) {
      error(hostPath, 'value', `Host "${host}" is not defined under hosts.${didYouMean(host, hostNames)}`, 'undefined-host');
    }
  };
  for (const n of spec.networks) checkHost(n.path, n.host);
  for (const c of spec.containers) checkHost(c.path, c.host);

  const networksByName = new Map<string, NetworkSpec[]>();
  for (const n of spec.networks) {
    const list = networksByName.get(n.name);
    if (list) list.push(n);
    else networksByName.set(n.name, [n]);
  }
  const networkNames = [...new Set([...networksByName.keys(), ...BUILTIN_NETWORKS])];
  /** Why `network` can't be used by a container on `host`, or undefined when it can. */
  const networkProblem = (network: string, host: string): string | undefined => {
    if ((BUILTIN_NETWORKS as readonly string[]).includes(network)) return undefined;
    const defs = networksByName.get(network) ?? [];
    if (defs.length === 0) return `Network "${network}" is not defined in this file.${didYouMean(network, networkNames)}`;
    if (defs.some((n) => n.host === host || SPANNING_DRIVERS.includes(n.driver))) return undefined;
    return `Network "${network}" lives on host "${defs[0]!.host}", but this container runs on host "${host}".`;
  };

  const containersByName = new Map<string, ContainerSpec>(spec.containers.map((c) => [c.name, c]));
  for (const c of spec.containers) {
    if (!hostNames.includes(c.host)) continue; // already reported; everything else on it is moot
    for (const ep of c.networks) {
      const problem = networkProblem(ep.network, c.host);
      // A list item is its own key; in the map form the network name is the key.
      if (problem) error(ep.path, 'key', problem, 'undefined-network');
    }
    if (c.networkMode !== undefined) {
      const modePath = [...c.path, 'network_mode'];
      const mode = c.networkMode;
      if (mode.startsWith('container:')) {
        const target = mode.slice('container:'.length);
        const other = containersByName.get(target);
        if (target === '') continue; // reported by the parser
        if (!other) {
          error(modePath, 'value', `Container "${target}" is not defined in this file.${didYouMean(target, containersByName.keys())}`, 'undefined-container');
        } else if (other.host !== c.host) {
          error(modePath, 'value', `Container "${target}" runs on host "${other.host}"; a container can only share the network namespace of a container on its own host ("${c.host}").`, 'undefined-container');
        }
      } else {
        const problem = networkProblem(mode, c.host);
        if (problem) error(modePath, 'value', problem, 'undefined-network');
      }
    }
  }

  for (const s of spec.services) {
    s.networks.forEach((network, i) => {
      if (networksByName.has(network)) return;
      const mapPath = [...s.path, 'networks', network];
      const path = source.has(mapPath) ? mapPath : [...s.path, 'networks', i];
      error(path, 'key', `Network "${network}" is not defined in this file.${didYouMean(network, networkNames)}`, 'undefined-network');
    });
  }

  const sources = new Set([...spec.containers.map((c) => c.name), ...hostNames]);
  for (const e of spec.expect) {
    // An IPv4 address is a client outside the topology (the way in); the tracer checks it is truly outside.
    if (!sources.has(e.from) && !isIPv4Address(e.from)) {
      error([...e.path, 'from'], 'value', `"${e.from}" is neither a container nor a host of this file.${didYouMean(e.from, sources)}`, 'undefined-source');
    }
  }
  return out;
}

