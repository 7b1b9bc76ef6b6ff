// What the processes of a running container really listen on, read from the kernel's socket tables of
// its network namespace: /proc/<pid>/net/{tcp,tcp6,udp,udp6} on this machine (State.Pid), else
// `cat /proc/net/…` through docker exec when the image has a cat; otherwise `unknown`, with why. The
// expose list is metadata: a process may listen on a port nobody exposed, or expose one it never opens.
import { readFile } from 'node:fs/promises';
import type { ContainerInfo, DockerClient } from './types';

export interface SocketListener {
  readonly proto: 'tcp' | 'udp';
  /** The bound address as the kernel has it: "0.0.0.0", "127.0.0.1", "::", "::1", "172.18.0.2". */
  readonly address: string;
  readonly port: number;
}

export type ListenerReading =
  | { readonly state: 'read'; readonly via: 'proc' | 'exec'; readonly sockets: SocketListener[] }
  | { readonly state: 'unknown'; readonly why: string };

const FILES = [
  { file: 'tcp', proto: 'tcp' },
  { file: 'tcp6', proto: 'tcp' },
  { file: 'udp', proto: 'udp' },
  { file: 'udp6', proto: 'udp' },
] as const;

/** TCP_LISTEN in /proc/net/tcp's `st` column. */
const TCP_LISTEN = 0x0a;
/** An unconnected UDP socket (TCP_CLOSE in the same numbering): bound, takes datagrams from anyone. */
const UDP_UNCONNECTED = 0x07;

/**
 * "0100007F" → 127.0.0.1; 32 hex digits → an IPv6 address. The kernel prints each 32-bit word in host
 * byte order: little-endian on the machines Docker runs on (x86-64, arm64).
 */
export function procAddress(hex: string): string | null {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return null;
  const words: number[][] = [];
  for (let i = 0; i < hex.length; i += 8) {
    const w = hex.slice(i, i + 8);
    words.push([6, 4, 2, 0].map((k) => parseInt(w.slice(k, k + 2), 16)));
  }
  const bytes = words.flat();
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.length !== 16) return null;
  // ::ffff:a.b.c.d (a v4-mapped bind) stays readable as such.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // The longest run of zero groups becomes "::".
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** The listening (TCP) or bound, unconnected (UDP) sockets of one /proc/net table. */
export function parseProcNet(text: string, proto: 'tcp' | 'udp'): SocketListener[] {
  const out: SocketListener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4) continue;
    const [local, remote, st] = [cols[1]!, cols[2]!, parseInt(cols[3]!, 16)];
    const [lhex, lport] = local.split(':');
    const rport = remote.split(':')[1];
    if (!lhex || !lport) continue;
    if (proto === 'tcp' ? st !== TCP_LISTEN : st !== UDP_UNCONNECTED || parseInt(rport ?? '0', 16) !== 0) continue;
    const address = procAddress(lhex);
    const port = parseInt(lport, 16);
    if (address === null || !(port > 0)) continue;
    if (!out.some((o) => o.address === address && o.port === port)) out.push({ proto, address, port });
  }
  return out;
}

/**
 * How many sockets of each kind the network namespace has (/proc/net/sockstat and sockstat6: counters,
 * cheap to read), by table name; null when they cannot be read (then every table is read).
 */
export async function socketsInUse(netDir: string): Promise<Record<(typeof FILES)[number]['file'], number | undefined> | null> {
  const [v4, v6] = await Promise.all([readFile(`${netDir}/sockstat`, 'utf8').catch(() => null), readFile(`${netDir}/sockstat6`, 'utf8').catch(() => null)]);
  if (v4 === null) return null;
  return { tcp: inUseOf(v4, 'TCP'), udp: inUseOf(v4, 'UDP'), tcp6: v6 === null ? undefined : inUseOf(v6, 'TCP6'), udp6: v6 === null ? undefined : inUseOf(v6, 'UDP6') };
}

/** "TCP: inuse 3 orphan 0 …" → 3. */
export function inUseOf(text: string, kind: string): number | undefined {
  const m = new RegExp(`^${kind}: inuse (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function merge(tables: { text: string; proto: 'tcp' | 'udp' }[]): SocketListener[] {
  const out: SocketListener[] = [];
  for (const t of tables) for (const s of parseProcNet(t.text, t.proto)) if (!out.some((o) => o.proto === s.proto && o.address === s.address && o.port === s.port)) out.push(s);
  return out;
}

export interface ListenerReadOptions {
  /** Bound on the whole reading (the exec fallback may be slow). Default 8 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Where this machine's /proc is (tests). */
  procRoot?: string;
}

/** One container's listeners: /proc on this machine, else exec, else unknown. */
export async function readListeners(client: DockerClient, c: ContainerInfo, opts: ListenerReadOptions = {}): Promise<ListenerReading> {
  if (!c.running) return { state: 'unknown', why: `${c.name} does not run` };
  const tried: string[] = [];
  if (client.local && c.pid !== undefined) {
    const root = opts.procRoot ?? '/proc';
    try {
      // The pid is the daemon's: in another PID namespace (a daemon in a container) it is another process here.
      const cgroup = await readFile(`${root}/${c.pid}/cgroup`, 'utf8');
      if (!cgroup.includes(c.id)) throw Object.assign(new Error(`process ${c.pid} here is not ${c.name}'s (the daemon runs in another PID namespace)`), { code: 'ESRCH' });
      const inUse = await socketsInUse(`${root}/${c.pid}/net`);
      const texts = await Promise.all(
        FILES.map(async (f) => ({
          // A table of a kind the namespace has no socket of is not read: reading /proc/net/tcp walks the
          // kernel's whole connection hash (all namespaces' buckets, ~4 ms) even for an empty namespace.
          text: inUse?.[f.file] === 0 ? '' : await readFile(`${root}/${c.pid}/net/${f.file}`, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' && f.file.endsWith('6') ? '' : Promise.reject(err))),
          proto: f.proto,
        })),
      );
      return { state: 'read', via: 'proc', sockets: merge(texts) };
    } catch (err) {
      tried.push(`${root}/${c.pid}/net/tcp: ${(err as NodeJS.ErrnoException).code === 'ESRCH' ? (err as Error).message : (err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else tried.push(client.local ? 'no process id in its inspect' : `${client.description} is not this machine, so its /proc cannot be read from here`);
  const timeoutMs = opts.timeoutMs ?? 8_000;
  // One exec for the four tables (each exec over ssh is a session of its own); tcp6/udp6 are missing
  // when IPv6 is off in the kernel, so cat's exit status 1 with some tables printed is still a reading.
  const argv = ['cat', ...FILES.map((f) => `/proc/net/${f.file}`)];
  try {
    const r = await client.exec(c.id, argv, { timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) });
    const out = `${r.stdout}${r.stderr}`;
    if (r.timedOut) return { state: 'unknown', why: `${tried.join('; ')}; docker exec ${c.name} ${argv.join(' ')} did not finish within ${Math.round(timeoutMs / 1000)} s` };
    const tables = splitTables(r.stdout);
    if (tables.length === 0) {
      const missing = r.exitCode === 126 || r.exitCode === 127 || /executable file not found|applet not found|not found/i.test(out);
      return { state: 'unknown', why: `${tried.join('; ')}; ${missing ? 'the image has no `cat` to run through docker exec' : `docker exec ${c.name} cat /proc/net/tcp failed (exit ${r.exitCode}): ${out.trim().slice(0, 120)}`}` };
    }
    return { state: 'read', via: 'exec', sockets: merge(tables) };
  } catch (err) {
    return { state: 'unknown', why: `${tried.join('; ')}; docker exec failed: ${(err as Error).message}` };
  }
}

/** The tables of several /proc/net files printed one after the other: each starts with its header line. */
export function splitTables(text: string): { text: string; proto: 'tcp' | 'udp' }[] {
  const out: { text: string; proto: 'tcp' | 'udp' }[] = [];
  for (const line of text.split('\n')) {
    if (/\blocal_address\b/.test(line)) out.push({ text: line, proto: /\bdrops\b/.test(line) ? 'udp' : 'tcp' });
    else if (out.length > 0) out[out.length - 1]!.text += `\n${line}`;
  }
  return out;
}

/** `read` for each running container, a few at a time (more on a local socket): the results by container id. */
export async function perRunningContainer<T>(client: DockerClient, containers: readonly ContainerInfo[], read: (c: ContainerInfo) => Promise<T>): Promise<Record<string, T>> {
  const out: Record<string, T> = {};
  const running = containers.filter((c) => c.running);
  let next = 0;
  const worker = async () => {
    while (next < running.length) {
      const c = running[next++]!;
      out[c.id] = await read(c);
    }
  };
  await Promise.all(Array.from({ length: Math.min(client.local ? 16 : 4, running.length) }, worker));
  return out;
}

/** Every running container's listeners (by container id), a few at a time, each within the deadline. */
export async function readAllListeners(client: DockerClient, containers: readonly ContainerInfo[], opts: ListenerReadOptions = {}): Promise<Record<string, ListenerReading>> {
  return perRunningContainer(client, containers, async (c) => {
    const ms = opts.timeoutMs ?? 8_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<ListenerReading>((resolve) => (timer = setTimeout(() => resolve({ state: 'unknown', why: `reading its sockets took longer than ${Math.round(ms / 1000)} s` }), ms + 2_000)));
    const reading = await Promise.race([readListeners(client, c, opts), late]);
    clearTimeout(timer);
    return reading;
  });
}
