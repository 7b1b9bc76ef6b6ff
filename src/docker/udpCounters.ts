// A container namespace's UDP counters (/proc/net/snmp and snmp6): how many datagrams reached a socket
// (InDatagrams) and how many found no socket on their port (NoPorts, answered with ICMP port
// unreachable). Read before and after one datagram, they tell what became of it without a reply —
// where a probe's sender alone sees silence either way. On this machine from /proc/<pid>/net, else
// through `docker exec <c> cat`; null when neither works.
import { readFile } from 'node:fs/promises';
import type { ContainerInfo, DockerClient } from './types';

export interface UdpCounters {
  /** Datagrams delivered to a socket (IPv4 + IPv6). */
  readonly inDatagrams: number;
  /** Datagrams to a port no socket is bound to (IPv4 + IPv6). */
  readonly noPorts: number;
  readonly via: 'proc' | 'exec';
}

/** "Udp: InDatagrams NoPorts …\nUdp: 5 1 …" and snmp6's "Udp6InDatagrams 3" lines → the two sums. */
export function parseUdpCounters(snmp: string, snmp6 = ''): { inDatagrams: number; noPorts: number } | null {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Udp: '));
  if (lines.length < 2) return null;
  const names = lines[0]!.trim().split(/\s+/).slice(1);
  const values = lines[1]!.trim().split(/\s+/).slice(1).map(Number);
  const at = (n: string) => values[names.indexOf(n)] ?? NaN;
  let inDatagrams = at('InDatagrams');
  let noPorts = at('NoPorts');
  if (!Number.isFinite(inDatagrams) || !Number.isFinite(noPorts)) return null;
  const v6 = (n: string) => Number(new RegExp(`^${n}\\s+(\\d+)`, 'm').exec(snmp6)?.[1] ?? 0);
  inDatagrams += v6('Udp6InDatagrams');
  noPorts += v6('Udp6NoPorts');
  return { inDatagrams, noPorts };
}

export async function readUdpCounters(client: DockerClient, c: ContainerInfo, opts: { timeoutMs?: number; procRoot?: string } = {}): Promise<UdpCounters | null> {
  if (!c.running) return null;
  if (client.local && c.pid !== undefined) {
    const root = opts.procRoot ?? '/proc';
    try {
      const cgroup = await readFile(`${root}/${c.pid}/cgroup`, 'utf8');
      if (cgroup.includes(c.id)) {
        const [snmp, snmp6] = await Promise.all([readFile(`${root}/${c.pid}/net/snmp`, 'utf8'), readFile(`${root}/${c.pid}/net/snmp6`, 'utf8').catch(() => '')]);
        const n = parseUdpCounters(snmp, snmp6);
        if (n) return { ...n, via: 'proc' };
      }
    } catch {
      // Not readable here (another PID namespace, not root): through docker exec below.
    }
  }
  try {
    const r = await client.exec(c.id, ['cat', '/proc/net/snmp', '/proc/net/snmp6'], { timeoutMs: opts.timeoutMs ?? 8_000 });
    if (r.timedOut) return null;
    const n = parseUdpCounters(r.stdout, r.stdout);
    return n ? { ...n, via: 'exec' } : null;
  } catch {
    return null;
  }
}
