// Host links a scenario declares under `hosts.host1.interfaces` that this machine does not have, made for
// the scenario and deleted after it: each is one end of a veth pair (`ip link add cnmlan0 type veth peer
// name cnmlan0p`) with the declared address, so macvlan/ipvlan networks get a real parent. Only names
// starting with "cnm" are ever created or deleted (never a real interface); the peer end is left
// unattached, so nothing a container sends on such a LAN leaves this machine. On a lab host they are made
// in its namespace (hostRun).
import type { TopologySpec } from '../../../src/topology/spec';
import { hostRun } from './exec';

const OURS = /^cnm[a-z0-9]{1,10}$/;

async function ip(args: string[]): Promise<void> {
  const r = await hostRun('ip', args, { timeoutMs: 15_000 });
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.stderr.trim()}`);
}

async function linkExists(name: string): Promise<boolean> {
  return (await hostRun('ip', ['link', 'show', 'dev', name], { timeoutMs: 15_000 })).code === 0;
}

/** The declared links this hook manages (all must be "cnm…" names; anything else must already exist). */
export function managedLinks(spec: TopologySpec): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, cidr] of Object.entries(spec.hosts[0]?.interfaces ?? {})) {
    if (!OURS.test(name)) throw new Error(`host interface ${name}: the hook only makes links named cnm…, and will not touch real interfaces`);
    out.push([name, cidr]);
  }
  return out;
}

export async function deleteLinks(names: readonly string[]): Promise<void> {
  for (const name of names) if (OURS.test(name) && (await linkExists(name))) await ip(['link', 'del', 'dev', name]);
}

/** Runs `fn` with the scenario's links present; deletes them afterwards, also on failure. */
export async function withHostLinks<T>(spec: TopologySpec, fn: () => Promise<T>): Promise<T> {
  const links = managedLinks(spec);
  const names = links.map(([n]) => n);
  await deleteLinks(names); // leftovers of an interrupted run
  try {
    for (const [name, cidr] of links) {
      await ip(['link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
      await ip(['addr', 'add', cidr, 'dev', name]);
      await ip(['link', 'set', name, 'up']);
      await ip(['link', 'set', `${name}p`, 'up']);
    }
    return await fn();
  } finally {
    await deleteLinks(names);
  }
}
