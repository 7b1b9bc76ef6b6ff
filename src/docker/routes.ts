// The routing tables and per-interface settings a live trace depends on, read from the kernel: the
// host's main IPv4 table (/proc/net/route of the daemon's namespace), each running container's
// (/proc/<pid>/net/route on this machine, else `cat /proc/net/route` through docker exec), the
// rp_filter of every interface and the bridges' MTU. A route added or deleted by hand is then what
// the tracer follows; what cannot be read is said, with why.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import type { ContainerInfo, DockerClient } from './types';

/** One IPv4 route of a main table, as /proc/net/route has it. */
export interface KernelRoute {
  /** "0.0.0.0" with prefix 0 for the default route. */
  readonly destination: string;
  readonly prefix: number;
  readonly gateway: string | null;
  /** The interface; "*" or "lo" for a reject route. */
  readonly dev: string;
  readonly metric: number;
  /** A blackhole, unreachable or prohibit route (RTF_REJECT): packets matching it are not sent. */
  readonly reject: boolean;
}

export type RouteReading = { readonly state: 'read'; readonly via: 'proc' | 'exec' | 'ssh'; readonly routes: KernelRoute[] } | { readonly state: 'unknown'; readonly why: string };

/** What the host's own namespace has beside its routes. */
export interface HostRouting {
  readonly routes: RouteReading;
  /** net.ipv4.conf.<if>.rp_filter by interface (and "all", "default"); missing ones were not readable. */
  readonly rpFilter: Record<string, number>;
  /** Each interface's MTU (bridges and uplinks; veths are left out), by name. */
  readonly mtu: Record<string, number>;
  /** The policy routing rules (`ip rule`) beyond the kernel's three defaults, or why they could not be read. */
  readonly rules?: PolicyRulesReading;
}

/** `ip rule` as read: the rules other than the defaults (local, main, default), as `ip rule` prints them. */
export type PolicyRulesReading = { readonly state: 'read'; readonly extra: readonly PolicyRuleRead[] } | { readonly state: 'unknown'; readonly why: string };

/** One rule beyond the defaults (the engine's PolicyRule, kept here as plain data). */
export interface PolicyRuleRead {
  readonly priority: number;
  readonly from?: { readonly address: string; readonly prefix: number };
  readonly to?: { readonly address: string; readonly prefix: number };
  readonly more: boolean;
  readonly table: string;
  readonly text: string;
  /** Its table's IPv4 routes, when `ip route show table all` was read. */
  readonly routes?: readonly KernelRoute[];
}

/** The kernel's own rules: every packet looks up local, then main, then default. */
const DEFAULT_RULES = new Set(['0 local', '32766 main', '32767 default']);

/** `ip -j rule show` → the rules beyond the defaults, one line each as `ip rule` prints them. */
export function parseIpRules(json: string): PolicyRulesReading {
  let rows: unknown;
  try {
    rows = JSON.parse(json);
  } catch {
    return { state: 'unknown', why: `ip -j rule show printed what is not JSON: ${json.trim().slice(0, 80)}` };
  }
  if (!Array.isArray(rows)) return { state: 'unknown', why: 'ip -j rule show printed no list' };
  const extra: PolicyRuleRead[] = [];
  for (const row of rows as Record<string, unknown>[]) {
    if (!row || typeof row !== 'object') continue;
    const s = (k: string) => (row[k] === undefined ? undefined : String(row[k]));
    const table = s('table') ?? (s('action') ?? 'lookup ?');
    const plain = (s('src') ?? 'all') === 'all' && !s('dst') && !s('iif') && !s('oif') && !s('fwmark') && !row.not && s('action') === undefined;
    if (plain && DEFAULT_RULES.has(`${s('priority')} ${table}`)) continue;
    const part = (k: string, word: string) => (s(k) && s(k) !== 'all' ? ` ${word} ${s(k)}${s(`${k}len`) ? `/${s(`${k}len`)}` : ''}` : '');
    const prefixOf = (k: string) => {
      const a = s(k);
      if (!a || a === 'all') return undefined;
      const len = Number(s(`${k}len`) ?? (a.includes(':') ? 128 : 32));
      return { address: a, prefix: len };
    };
    const from = prefixOf('src'), to = prefixOf('dst');
    const text = `${s('priority') ?? '?'}: ${row.not ? 'not ' : ''}from ${s('src') ?? 'all'}${s('srclen') ? `/${s('srclen')}` : ''}${part('dst', 'to')}${part('iif', 'iif')}${part('oif', 'oif')}${s('fwmark') ? ` fwmark ${s('fwmark')}` : ''} ${s('table') ? `lookup ${s('table')}` : s('action') ?? ''}`.trim();
    const more = !!(row.not || s('iif') || s('oif') || s('fwmark') || s('uidrange') || s('ipproto') || s('sport') || s('dport') || s('tos') || s('l3mdev'));
    extra.push({ priority: Number(s('priority') ?? 0), ...(from ? { from } : {}), ...(to ? { to } : {}), more, table: s('table') ?? s('action') ?? '?', text });
  }
  return { state: 'read', extra };
}

/** `ip -j route show table all` → the IPv4 routes of every table but main and local, by table. */
export function parseIpRouteTables(json: string): Map<string, KernelRoute[]> | null {
  let rows: unknown;
  try {
    rows = JSON.parse(json);
  } catch {
    return null;
  }
  if (!Array.isArray(rows)) return null;
  const out = new Map<string, KernelRoute[]>();
  for (const row of rows as Record<string, unknown>[]) {
    const table = row && typeof row.table === 'string' ? row.table : 'main';
    const dst = typeof row?.dst === 'string' ? row.dst : '';
    if (table === 'main' || table === 'local' || dst === '' || dst.includes(':')) continue;
    const [address, len] = dst === 'default' ? ['0.0.0.0', '0'] : dst.split('/');
    const type = typeof row.type === 'string' ? row.type : 'unicast';
    if (!['unicast', 'blackhole', 'unreachable', 'prohibit'].includes(type)) continue;
    const reject = type !== 'unicast';
    const list = out.get(table) ?? [];
    list.push({ destination: address!, prefix: Number(len ?? 32), gateway: typeof row.gateway === 'string' ? row.gateway : null, dev: typeof row.dev === 'string' ? row.dev : '*', metric: Number(row.metric ?? 0) || 0, reject });
    out.set(table, list);
  }
  return out;
}

/** The rules with their tables' routes, when those could be read (else the rules alone: their lookups stay unknown). */
export function withTables(rules: PolicyRulesReading, tables: Map<string, KernelRoute[]> | null): PolicyRulesReading {
  if (rules.state !== 'read' || !tables) return rules;
  return { state: 'read', extra: rules.extra.map((r) => ({ ...r, routes: tables.get(r.table) ?? [] })) };
}

function ip(args: string[], timeoutMs: number): Promise<{ ok: true; stdout: string } | { ok: false; why: string }> {
  return new Promise((resolve) => {
    execFile('ip', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ ok: true, stdout });
      const e = err as NodeJS.ErrnoException;
      resolve({ ok: false, why: e.code === 'ENOENT' ? 'ip (iproute2) is not installed, so `ip rule` could not be read' : `ip ${args.join(' ')}: ${(stderr || e.message).trim().split('\n')[0]}` });
    });
  });
}

/** `ip -j rule show` (and the tables they name) in this process's namespace; unknown when `ip` is not there or fails. */
export async function readIpRules(timeoutMs = 5_000): Promise<PolicyRulesReading> {
  const [rules, tables] = await Promise.all([ip(['-j', 'rule', 'show'], timeoutMs), ip(['-j', 'route', 'show', 'table', 'all'], timeoutMs)]);
  if (!rules.ok) return { state: 'unknown', why: rules.why };
  return withTables(parseIpRules(rules.stdout), tables.ok ? parseIpRouteTables(tables.stdout) : null);
}

const RTF_GATEWAY = 0x2;
const RTF_REJECT = 0x200;

/** "0100A8C0" (little-endian, as the kernel prints it) → "192.168.0.1". */
function hexV4(hex: string): string | null {
  if (!/^[0-9A-Fa-f]{8}$/.test(hex)) return null;
  return [6, 4, 2, 0].map((k) => parseInt(hex.slice(k, k + 2), 16)).join('.');
}

function prefixOf(maskHex: string): number | null {
  const dotted = hexV4(maskHex);
  if (dotted === null) return null;
  const n = dotted.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  let prefix = 0;
  for (let bit = 31; bit >= 0 && (n & (2 ** bit)) !== 0; bit--) prefix++;
  return prefix;
}

/** /proc/net/route's table: its header line, then one route a line. */
export function parseProcRoute(text: string): KernelRoute[] {
  const out: KernelRoute[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8 || cols[0] === 'Iface') continue;
    const [dev, destHex, gwHex, flagsHex, , , metric, maskHex] = cols as [string, string, string, string, string, string, string, string];
    const destination = hexV4(destHex);
    const gw = hexV4(gwHex);
    const prefix = prefixOf(maskHex);
    const flags = parseInt(flagsHex, 16);
    if (destination === null || gw === null || prefix === null || Number.isNaN(flags)) continue;
    out.push({ destination, prefix, gateway: flags & RTF_GATEWAY && gw !== '0.0.0.0' ? gw : null, dev, metric: Number(metric) || 0, reject: (flags & RTF_REJECT) !== 0 });
  }
  return out;
}

/** A route as `ip route` prints it: "default via 10.0.0.1 dev eth0", "10.1.0.0/24 dev br-x", "blackhole 10.9.0.0/16". */
export function routeLine(r: KernelRoute): string {
  const dest = r.prefix === 0 ? 'default' : r.prefix === 32 ? r.destination : `${r.destination}/${r.prefix}`;
  if (r.reject) return `unreachable ${dest} (a reject route: blackhole, unreachable or prohibit)`;
  return `${dest}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}${r.metric ? ` metric ${r.metric}` : ''}`;
}

/** The host's table, rp_filter and MTUs from this process's namespace (call only when it is the daemon's). */
export async function readHostRouting(opts: { procRoot?: string; sysRoot?: string } = {}): Promise<HostRouting> {
  const proc = opts.procRoot ?? '/proc';
  const sys = opts.sysRoot ?? '/sys';
  const routes: RouteReading = await readFile(`${proc}/net/route`, 'utf8').then(
    (text) => ({ state: 'read' as const, via: 'proc' as const, routes: parseProcRoute(text) }),
    (err: NodeJS.ErrnoException) => ({ state: 'unknown' as const, why: `${proc}/net/route: ${err.code ?? err.message}` }),
  );
  const rpFilter: Record<string, number> = {};
  const mtu: Record<string, number> = {};
  const names = await readdir(`${proc}/sys/net/ipv4/conf`).catch(() => [] as string[]);
  // veths are a container's own edge: hundreds of them, none deciding a trace's route or MTU here.
  await Promise.all(
    names.filter((n) => !n.startsWith('veth')).map(async (n) => {
      const rp = await readFile(`${proc}/sys/net/ipv4/conf/${n}/rp_filter`, 'utf8').catch(() => null);
      if (rp !== null && /^\d+$/.test(rp.trim())) rpFilter[n] = Number(rp.trim());
      if (n === 'all' || n === 'default') return;
      const m = await readFile(`${sys}/class/net/${n}/mtu`, 'utf8').catch(() => null);
      if (m !== null && /^\d+$/.test(m.trim())) mtu[n] = Number(m.trim());
    }),
  );
  return { routes, rpFilter, mtu, rules: await readIpRules() };
}

/** One running container's main table: /proc/<pid>/net/route here, else through docker exec, else unknown. */
export async function readSandboxRoutes(client: DockerClient, c: ContainerInfo, opts: { timeoutMs?: number; signal?: AbortSignal; procRoot?: string } = {}): Promise<RouteReading> {
  if (!c.running) return { state: 'unknown', why: `${c.name} does not run` };
  const tried: string[] = [];
  if (client.local && c.pid !== undefined) {
    const root = opts.procRoot ?? '/proc';
    try {
      // The daemon's pid, checked as for the listeners: another PID namespace makes it another process.
      const cgroup = await readFile(`${root}/${c.pid}/cgroup`, 'utf8');
      if (!cgroup.includes(c.id)) throw new Error(`process ${c.pid} here is not ${c.name}'s (the daemon runs in another PID namespace)`);
      return { state: 'read', via: 'proc', routes: parseProcRoute(await readFile(`${root}/${c.pid}/net/route`, 'utf8')) };
    } catch (err) {
      tried.push(`${root}/${c.pid}/net/route: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else tried.push(client.local ? 'no process id in its inspect' : `${client.description} is not this machine, so its /proc cannot be read from here`);
  const timeoutMs = opts.timeoutMs ?? 8_000;
  try {
    const r = await client.exec(c.id, ['cat', '/proc/net/route'], { timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
    if (r.timedOut) return { state: 'unknown', why: `${tried.join('; ')}; docker exec ${c.name} cat /proc/net/route did not finish within ${Math.round(timeoutMs / 1000)} s` };
    if (r.exitCode !== 0 || !/^Iface\s/.test(r.stdout)) return { state: 'unknown', why: `${tried.join('; ')}; docker exec ${c.name} cat /proc/net/route failed (exit ${r.exitCode}): ${`${r.stdout}${r.stderr}`.trim().slice(0, 120)}` };
    return { state: 'read', via: 'exec', routes: parseProcRoute(r.stdout) };
  } catch (err) {
    return { state: 'unknown', why: `${tried.join('; ')}; docker exec failed: ${(err as Error).message}` };
  }
}
