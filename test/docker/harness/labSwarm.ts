// Reading a lab swarm back (services, their tasks and VIPs, swarm's own endpoints on a network), and what
// the lab hosts' kernel cannot do for a swarm (IPVS), as dockerd itself reports it.
import { readFileSync } from 'node:fs';
import type { LabHost } from './lab';

/** Swarm's own endpoints on a network as `docker network inspect` lists them on one node. */
export interface SwarmEndpointView {
  key: string;
  name: string;
  ipv4_address: string | null;
  mac_address: string | null;
}

/** `lb-<network>` and `ingress-sbox` on one node's view of a network (null when the node has no view). */
export async function swarmEndpointsOn(host: LabHost, network: string): Promise<SwarmEndpointView[] | null> {
  const r = await host.docker(['network', 'inspect', network]);
  if (r.code !== 0) return null;
  const n = (JSON.parse(r.stdout) as { Containers: Record<string, { Name: string; MacAddress: string; IPv4Address: string }> | null }[])[0]!;
  return Object.entries(n.Containers ?? {})
    .filter(([k]) => k.startsWith('lb-') || k.endsWith('-sbox'))
    .map(([k, c]) => ({ key: k, name: c.Name, ipv4_address: c.IPv4Address.split('/')[0] || null, mac_address: c.MacAddress || null }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** One running task of a service as its node shows it: the task container and its addresses per network name. */
export interface RealTask {
  /** <service>.<slot>.<task id>, the container's name. */
  name: string;
  service: string;
  slot: number;
  node: string;
  addresses: Record<string, string>;
  macs: Record<string, string>;
  prefixes: Record<string, number>;
  gateways: Record<string, string>;
}

/** Every running service task on these nodes (the task containers, read on the node that runs each). */
export async function realTasks(hosts: readonly LabHost[]): Promise<RealTask[]> {
  const out: RealTask[] = [];
  for (const h of hosts) {
    const ids = (await h.dockerOk(['ps', '-q', '--filter', 'label=com.docker.swarm.service.name'])).split('\n').map((l) => l.trim()).filter(Boolean);
    if (!ids.length) continue;
    const list = JSON.parse(await h.dockerOk(['inspect', ...ids])) as {
      Name: string;
      Config: { Labels: Record<string, string> };
      NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string; IPPrefixLen: number; Gateway: string }> };
    }[];
    for (const c of list) {
      const name = c.Name.replace(/^\//, '');
      const nets = Object.entries(c.NetworkSettings.Networks);
      out.push({
        name,
        service: c.Config.Labels['com.docker.swarm.service.name'] ?? '',
        slot: Number(c.Config.Labels['com.docker.swarm.task.name']?.split('.')[1] ?? name.split('.')[1]),
        node: h.name,
        addresses: Object.fromEntries(nets.map(([n, e]) => [n, e.IPAddress])),
        macs: Object.fromEntries(nets.map(([n, e]) => [n, e.MacAddress])),
        prefixes: Object.fromEntries(nets.map(([n, e]) => [n, e.IPPrefixLen])),
        gateways: Object.fromEntries(nets.map(([n, e]) => [n, e.Gateway])),
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A service's virtual IPs by network name (`docker service inspect` on a manager; [] in dnsrr mode). */
export async function realVips(manager: LabHost, service: string): Promise<{ network: string; ipv4_address: string }[]> {
  const vips = JSON.parse(await manager.dockerOk(['service', 'inspect', '--format', '{{json .Endpoint.VirtualIPs}}', service])) as { NetworkID: string; Addr: string }[] | null;
  const out: { network: string; ipv4_address: string }[] = [];
  for (const v of vips ?? []) {
    const name = (await manager.dockerOk(['network', 'inspect', '--format', '{{.Name}}', v.NetworkID])).trim();
    out.push({ network: name, ipv4_address: v.Addr.split('/')[0]! });
  }
  return out.sort((a, b) => a.network.localeCompare(b.network));
}

/** Waits until every service on the manager runs all its replicas and each node shows the task containers. */
export async function servicesConverged(manager: LabHost, hosts: readonly LabHost[], want: Record<string, number>, ms = 90_000): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    const running = (await manager.dockerOk(['service', 'ls', '--format', '{{.Name}} {{.Replicas}}'])).trim();
    const tasks = await realTasks(hosts);
    const ok = Object.entries(want).every(([s, n]) => new RegExp(`^${s} ${n}/${n}\\b`, 'm').test(running) && tasks.filter((t) => t.service === s).length === n);
    if (ok) return;
    last = running;
    if (Date.now() > end) throw new Error(`services did not converge within ${ms / 1000} s: ${last.replace(/\n/g, ', ')}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** dockerd's own word at start-up that this kernel has no IPVS (libnetwork's service load balancing). */
const NO_IPVS = /Could not get ipvs family information from the kernel/;

/** The line of the host's dockerd log that says IPVS is missing, or null when dockerd found IPVS. */
export function ipvsMissing(host: LabHost): string | null {
  let log = '';
  try {
    log = readFileSync(host.paths.log, 'utf8');
  } catch {
    return null;
  }
  const line = log.split('\n').find((l) => NO_IPVS.test(l));
  return line ? (/msg="([^"]+)"/.exec(line)?.[1] ?? line) : null;
}
