// What the Docker host's kernel really has, on a daemon on this machine: its iptables rules
// (`iptables-save`, and `ip6tables-save`) and the sysctls that decide whether Docker's networks route at
// all. Read as text, with a deadline; what cannot be read is said with why (not root, no iptables, a
// remote daemon). src/live turns the text into the rules the tracer evaluates.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { NetworkInfo } from './types';
import type { HostRouting } from './routes';

export type SaveReading = { readonly text: string; readonly command: string } | { readonly error: string };

export interface HostReading {
  readonly iptables: SaveReading;
  readonly ip6tables: SaveReading;
  /** sysctl name → value, or null when it could not be read (e.g. br_netfilter not loaded). */
  readonly sysctls: Record<string, string | null>;
  /** The host's routing table, rp_filter and MTUs (routes.ts), when read with the rules. */
  readonly routing?: HostRouting;
}

/** The sysctls that change a trace's outcome. */
export const HOST_SYSCTLS = ['net.ipv4.ip_forward', 'net.bridge.bridge-nf-call-iptables', 'net.ipv6.conf.all.forwarding', 'net.bridge.bridge-nf-call-ip6tables'] as const;

function run(file: string, args: string[], timeoutMs: number): Promise<{ ok: true; stdout: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const e = err as NodeJS.ErrnoException & { killed?: boolean };
      if (e.code === 'ENOENT') return resolve({ ok: false, error: `${file} is not installed` });
      if (e.killed) return resolve({ ok: false, error: `${file} gave no answer within ${Math.round(timeoutMs / 1000)} s` });
      resolve({ ok: false, error: `${file}: ${(stderr || e.message).trim().split('\n')[0]}` });
    });
  });
}

/** dockerd's chains are in it (an nft iptables-save beside a dockerd on the legacy backend shows none). */
const hasDocker = (text: string) => /^:DOCKER\b/m.test(text);

/** iptables-save, else the legacy backend's when the default one holds none of dockerd's chains. */
async function save(family: 4 | 6, timeoutMs: number): Promise<SaveReading> {
  const base = family === 4 ? 'iptables' : 'ip6tables';
  // Both at once: waiting for the first before starting the fallback doubled the time a command
  // waited (ip6tables on a dockerd without --ip6tables always falls back).
  const [first, legacy] = await Promise.all([run(`${base}-save`, [], timeoutMs), run(`${base}-legacy-save`, [], timeoutMs)]);
  if (first.ok && hasDocker(first.stdout)) return { text: first.stdout, command: `${base}-save` };
  if (legacy.ok && hasDocker(legacy.stdout)) return { text: legacy.stdout, command: `${base}-legacy-save` };
  if (!first.ok) return { error: first.error };
  if (first.stdout.trim() === '') return { error: `${base}-save printed nothing (not permitted: it needs root or CAP_NET_ADMIN)` };
  // Read, but without dockerd's chains: dockerd runs with iptables=false, or on another backend.
  return { text: first.stdout, command: `${base}-save` };
}

async function sysctl(name: string, procRoot: string): Promise<string | null> {
  try {
    return (await readFile(`${procRoot}/sys/${name.replace(/\./g, '/')}`, 'utf8')).trim();
  } catch {
    return null;
  }
}

/** The host's rules and sysctls; call only for a daemon on this machine. */
export async function readHostNetfilter(opts: { timeoutMs?: number; procRoot?: string } = {}): Promise<HostReading> {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const procRoot = opts.procRoot ?? '/proc';
  const [iptables, ip6tables, values] = await Promise.all([save(4, timeoutMs), save(6, timeoutMs), Promise.all(HOST_SYSCTLS.map((n) => sysctl(n, procRoot)))]);
  return { iptables, ip6tables, sysctls: Object.fromEntries(HOST_SYSCTLS.map((n, i) => [n, values[i]!])) };
}

/**
 * Whether this process sees the daemon's network namespace: its bridges (docker0, br-<id>) are here
 * with their gateway addresses. A daemon on a unix socket may run in a namespace of its own (a lab
 * host, a rootless daemon): this machine's iptables and sysctls are then not its. null: no evidence.
 */
export function sharesDaemonNetns(
  networks: readonly NetworkInfo[],
  list: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
  exists: (dev: string) => boolean = (dev) => existsSync(`/sys/class/net/${dev}`),
): { same: boolean | null; why: string } {
  let seen = 0;
  for (const n of networks) {
    if (n.driver !== 'bridge') continue;
    const dev = n.options['com.docker.network.bridge.name'] ?? (n.name === 'bridge' ? 'docker0' : `br-${n.id.slice(0, 12)}`);
    const gateway = n.ipamConfig.find((p) => p.gateway && !p.gateway.includes(':'))?.gateway;
    if (!gateway) continue;
    // A bridge without containers is down, and the interface list leaves down ones out: its device tells.
    const addrs = list[dev] ?? (exists(dev) ? [] : undefined);
    if (!addrs) return { same: false, why: `the daemon's bridge ${dev} (network ${n.name}) is not in this process's network namespace` };
    if (addrs.length > 0 && !addrs.some((a) => a.address === gateway)) return { same: false, why: `${dev} here does not carry ${n.name}'s gateway ${gateway}: the daemon runs in another network namespace` };
    seen++;
  }
  return seen > 0 ? { same: true, why: '' } : { same: null, why: 'no bridge network to tell which network namespace the daemon runs in' };
}
