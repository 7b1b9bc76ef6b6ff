// IPv6 duplicate address detection (DAD) keeps a new address "tentative" for a second or two: the kernel
// neither sends from it nor answers neighbour solicitations for it. dockerd adds containers' addresses
// with IFA_F_NODAD but a bridge's gateway and link-local addresses go through DAD when the bridge first
// gets a port, so a probe made at once can be lost where dockerd's network, settled, delivers (seen on
// 26.1: one ping to a container on a just-made IPv6 bridge lost, at random; right after the play the
// bridges' gateway and link-local addresses were tentative for ~2.7 s). Probes wait for DAD first.
import { docker, hostRun } from './exec';

const IFA_F_TENTATIVE = 0x40;
const IFA_F_DADFAILED = 0x08;

/** The tentative addresses in one /proc/net/if_inet6 listing, as "<iface> <addr>". */
export function tentativeAddresses(ifInet6: string): string[] {
  const out: string[] = [];
  for (const line of ifInet6.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const flags = parseInt(f[4]!, 16);
    if (flags & IFA_F_TENTATIVE && !(flags & IFA_F_DADFAILED)) out.push(`${f[5]} ${f[0]}`);
  }
  return out;
}

/**
 * Waits (at most `maxMs`) until no IPv6 address is tentative in the daemon's namespace and in every running
 * container. Returns what was still tentative when it gave up (empty when settled), for the caller's log.
 */
export async function waitForIpv6Dad(maxMs = 8_000): Promise<string[]> {
  const ids = (await docker(['ps', '-q'], { timeoutMs: 15_000 })).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  const deadline = Date.now() + maxMs;
  for (;;) {
    const reads = await Promise.all([
      hostRun('cat', ['/proc/net/if_inet6'], { timeoutMs: 5_000 }).then((r) => tentativeAddresses(r.stdout).map((a) => `host ${a}`)),
      ...ids.map((id) => docker(['exec', id, 'cat', '/proc/net/if_inet6'], { timeoutMs: 10_000 }).then((r) => tentativeAddresses(r.stdout).map((a) => `${id.slice(0, 12)} ${a}`))),
    ]);
    const left = reads.flat();
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}
