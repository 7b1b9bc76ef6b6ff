// What an ssh Docker host's kernel really has, read over ssh when the user allows it (the setting
// cnm.live.readHostOverSsh, the CLI's --read-host): its iptables rules, routing table, rp_filter, MTUs
// and the sysctls, as the local path reads them (hostNetfilter.ts, routes.ts), into the same models.
// One ssh session with the daemon's own user, port and ssh configuration (BatchMode, the user's
// known_hosts: host keys are checked as for the daemon's connection, never skipped) runs a short
// POSIX script and prints sections; a part that fails (iptables-save needs root) is said with why.
import { spawn } from 'node:child_process';
import type { DockerEndpoint } from './connection';
import { HOST_SYSCTLS, type HostReading, type SaveReading } from './hostNetfilter';
import { parseIpRouteTables, parseIpRules, parseProcRoute, withTables, type HostRouting, type PolicyRulesReading, type RouteReading } from './routes';

export type SshEndpoint = Extract<DockerEndpoint, { kind: 'ssh' }>;

/** Reading the host over ssh, as the user set it: allowed or not (the not-allowed wording names the setting). */
export interface SshHostAccess {
  readonly endpoint: SshEndpoint;
  readonly allowed: boolean;
}

const SAVES = ['iptables-save', 'iptables-legacy-save', 'ip6tables-save', 'ip6tables-legacy-save'] as const;

/**
 * Sections "@@cnm NAME" then their text; a save's exit status and first stderr line follow it as
 * "@@cnm-rc N MESSAGE". sbin is added to PATH (a non-root login often lacks it); nothing is written.
 */
export const SSH_READ_SCRIPT = [
  'PATH="$PATH:/usr/sbin:/sbin:/usr/local/sbin"; LC_ALL=C; export PATH LC_ALL',
  `for c in ${SAVES.join(' ')}; do`,
  '  printf "@@cnm %s\\n" "$c"',
  '  if command -v "$c" >/dev/null 2>&1; then { err=$("$c" 2>&1 1>&3); rc=$?; } 3>&1; else err="not installed"; rc=127; fi',
  '  printf "\\n@@cnm-rc %s %s\\n" "$rc" "$(printf "%s" "$err" | head -n 1)"',
  'done',
  'printf "@@cnm route\\n"; cat /proc/net/route 2>/dev/null',
  ...HOST_SYSCTLS.map((n) => `printf "@@cnm sysctl ${n}\\n"; cat /proc/sys/${n.replace(/\./g, '/')} 2>/dev/null`),
  'printf "@@cnm rp_filter\\n"; for f in /proc/sys/net/ipv4/conf/*/rp_filter; do d=${f%/rp_filter}; d=${d##*/}; case $d in veth*) continue;; esac; printf "%s %s\\n" "$d" "$(cat "$f" 2>/dev/null)"; done',
  // `ip -o link` answers for the login's network namespace (sysfs for the one it was mounted in).
  'printf "@@cnm mtu\\n"; if command -v ip >/dev/null 2>&1; then ip -o link show 2>/dev/null | sed -n "s/^[0-9]*: \\([^:@ ]*\\)[@:].* mtu \\([0-9]*\\).*/\\1 \\2/p" | grep -v "^veth"; else for d in /sys/class/net/*; do n=${d##*/}; case $n in veth*) continue;; esac; printf "%s %s\\n" "$n" "$(cat "$d/mtu" 2>/dev/null)"; done; fi',
  'printf "@@cnm iprule\\n"; if command -v ip >/dev/null 2>&1; then ip -j rule show 2>&1 || echo "@@failed"; else echo "@@noip"; fi',
  'printf "@@cnm iproutes\\n"; if command -v ip >/dev/null 2>&1; then ip -j route show table all 2>/dev/null; fi',
  'printf "@@cnm end\\n"',
  '',
].join('\n');

/** The ssh command: the daemon connection's (sshDialCommand) options, running `sh -s` with the script on stdin. */
export function sshReadCommand(ep: SshEndpoint): { file: string; args: string[] } {
  const args: string[] = ['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T'];
  if (ep.user) args.push('-l', ep.user);
  if (ep.port) args.push('-p', String(ep.port));
  // `sh -s` whatever the login shell is; the script comes on stdin, so nothing needs quoting.
  args.push('--', ep.host, 'sh', '-s');
  return { file: 'ssh', args };
}

const where = (ep: SshEndpoint) => `${ep.user ? `${ep.user}@` : ''}${ep.host}`;

/** The script's output in sections, by name. */
function sections(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let name: string | null = null;
  let lines: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^@@cnm (\S.*)$/.exec(line);
    if (m) {
      if (name !== null) out.set(name, lines.join('\n'));
      name = m[1]!;
      lines = [];
    } else lines.push(line);
  }
  if (name !== null) out.set(name, lines.join('\n'));
  return out;
}

interface SaveRun {
  readonly ok: boolean;
  readonly text: string;
  readonly error: string;
}

function saveRun(body: string | undefined, command: string, host: string): SaveRun {
  if (body === undefined) return { ok: false, text: '', error: `${command} on ${host}: no answer (the script ended early)` };
  const m = /\n?@@cnm-rc (\d+) ?(.*)\n?$/.exec(body);
  if (!m) return { ok: false, text: '', error: `${command} on ${host}: no exit status (the script ended early)` };
  const text = body.slice(0, m.index);
  const rc = Number(m[1]);
  const said = m[2]!.trim();
  if (rc === 0) return { ok: true, text: text.endsWith('\n') ? text : `${text}\n`, error: '' };
  if (rc === 127) return { ok: false, text: '', error: `${command} is not installed on ${host}` };
  const root = /denied|root|not permitted/i.test(said) ? ' (reading the rules needs root or CAP_NET_ADMIN: connect as root, e.g. ssh://root@host)' : '';
  return { ok: false, text: '', error: `${command} on ${host}: ${said || `exit ${rc}`}${root}` };
}

const hasDocker = (text: string) => /^:DOCKER\b/m.test(text);

/** The same choice as the local path (hostNetfilter.ts save): the default backend, else the legacy one. */
function pick(first: SaveRun, legacy: SaveRun, base: string, host: string): SaveReading {
  if (first.ok && hasDocker(first.text)) return { text: first.text, command: `${base}-save over ssh` };
  if (legacy.ok && hasDocker(legacy.text)) return { text: legacy.text, command: `${base}-legacy-save over ssh` };
  if (!first.ok) return { error: first.error };
  if (first.text.trim() === '') return { error: `${base}-save on ${host} printed nothing (not permitted: it needs root or CAP_NET_ADMIN)` };
  return { text: first.text, command: `${base}-save over ssh` };
}

/** The script's output as the local path's reading. */
export function parseSshReading(stdout: string, ep: SshEndpoint): HostReading {
  const host = where(ep);
  const s = sections(stdout);
  const runs = Object.fromEntries(SAVES.map((c) => [c, saveRun(s.get(c), c, host)])) as Record<(typeof SAVES)[number], SaveRun>;
  const sysctls: Record<string, string | null> = {};
  for (const n of HOST_SYSCTLS) {
    const v = s.get(`sysctl ${n}`)?.trim();
    sysctls[n] = v ? v : null;
  }
  const routeText = s.get('route');
  const routes: RouteReading =
    routeText !== undefined && /^Iface\s/m.test(routeText)
      ? { state: 'read', via: 'ssh', routes: parseProcRoute(routeText) }
      : { state: 'unknown', why: `cat /proc/net/route on ${host} printed no table` };
  const numbers = (body: string | undefined): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const line of (body ?? '').split('\n')) {
      const m = /^(\S+) (\d+)$/.exec(line.trim());
      if (m) out[m[1]!] = Number(m[2]);
    }
    return out;
  };
  const mtu = numbers(s.get('mtu'));
  delete mtu.lo;
  const ruleText = (s.get('iprule') ?? '').trim();
  const rules: PolicyRulesReading =
    ruleText === '@@noip' || ruleText === ''
      ? { state: 'unknown', why: `ip (iproute2) is not installed on ${host}, so \`ip rule\` could not be read` }
      : ruleText.endsWith('@@failed')
        ? { state: 'unknown', why: `ip -j rule show on ${host}: ${ruleText.split('\n')[0]}` }
        : withTables(parseIpRules(ruleText), parseIpRouteTables(s.get('iproutes') ?? ''));
  const routing: HostRouting = { routes, rpFilter: numbers(s.get('rp_filter')), mtu, rules };
  return {
    iptables: pick(runs['iptables-save'], runs['iptables-legacy-save'], 'iptables', host),
    ip6tables: pick(runs['ip6tables-save'], runs['ip6tables-legacy-save'], 'ip6tables', host),
    sysctls,
    routing,
  };
}

/** Reads the host over ssh; never throws: an ssh failure is the reading's `unread`, with ssh's words. */
export function readHostOverSsh(ep: SshEndpoint, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HostReading | { readonly unread: string }> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const { file, args } = sshReadCommand(ep);
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (r: HostReading | { readonly unread: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stop = (why: string) => {
      child.kill('SIGKILL');
      finish({ unread: why });
    };
    const timer = setTimeout(() => stop(`ssh ${where(ep)} gave no answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    const onAbort = () => stop('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.on('error', () => undefined); // EPIPE when ssh died: reported on close
    child.on('error', (err: NodeJS.ErrnoException) => finish({ unread: err.code === 'ENOENT' ? 'ssh is not installed here' : `ssh: ${err.message}` }));
    child.on('close', (code) => {
      if (code === 0 && stdout.includes('@@cnm end')) return finish(parseSshReading(stdout, ep));
      const said = stderr.trim().split('\n').filter((l) => l.trim() !== '').slice(-2).join(' ');
      const hint = /Host key verification failed/.test(said) ? ` (check the host's key and add it to known_hosts, e.g. by \`ssh ${ep.host}\` once in a terminal)` : '';
      finish({ unread: `ssh ${where(ep)}: ${said || `exited with ${code}`}${hint}` });
    });
    child.stdin.end(SSH_READ_SCRIPT);
  });
}
