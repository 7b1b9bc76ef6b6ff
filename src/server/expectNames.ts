// Which names an `expect` target may use: the file's containers, their hostnames and network aliases,
// its services and hosts, and localhost. A plain name outside that set is a typo (or a container that
// was deleted), not a question for Docker's DNS. Dotted names (web.mynet, tasks.svc, example.com) are
// left to the tracer: Docker resolves them in ways a list of names cannot say.
import type { ExpectSpec, TopologySpec } from '../topology';
import { expectTargetName } from './expectTarget';

const ALWAYS_KNOWN = ['localhost', 'ip6-localhost', 'ip6-loopback'];

/** The name an entry's `to` uses when the file defines nothing of that name; otherwise undefined. */
export function unknownTarget(spec: TopologySpec, entry: ExpectSpec): string | undefined {
  const target = expectTargetName(entry.to);
  if (!target || target.name.includes('.')) return undefined;
  return knownNames(spec).has(target.name.toLowerCase()) ? undefined : target.name;
}

const namesBySpec = new WeakMap<TopologySpec, Set<string>>();

/** Every name of the file that a container or a host could answer to (lower case, as DNS compares). */
export function knownNames(spec: TopologySpec): Set<string> {
  const cached = namesBySpec.get(spec);
  if (cached) return cached;
  const names = new Set<string>(ALWAYS_KNOWN);
  const add = (n: string | undefined) => {
    if (n) names.add(n.toLowerCase());
  };
  for (const c of spec.containers) {
    add(c.name);
    add(c.hostname);
    for (const n of c.networks) for (const alias of n.aliases ?? []) add(alias);
  }
  for (const s of spec.services) add(s.name);
  for (const h of spec.hosts) add(h.name);
  namesBySpec.set(spec, names);
  return names;
}
