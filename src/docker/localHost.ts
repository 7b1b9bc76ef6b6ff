// The host's own interfaces, when the Docker host is this machine (a unix socket): the underlay the
// engine needs for macvlan/ipvlan parents and for tracing to the host. Docker's own devices (docker0,
// br-*, veth*, docker_gwbridge) are left out: the engine makes those itself from the snapshot.
import { networkInterfaces } from 'node:os';

const DOCKER_MADE = /^(lo|docker0|docker_gwbridge|br-[0-9a-f]{12}|veth[0-9a-f]{7}|dm-[0-9a-f]{12}|di-[0-9a-f]{12})$/;

/** name → CIDR (the first IPv4 address, else the first IPv6 one, link-local included). */
export function localInterfaces(list = networkInterfaces()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, addrs] of Object.entries(list)) {
    if (!addrs || DOCKER_MADE.test(name)) continue;
    const pick = addrs.find((a) => a.family === 'IPv4' && !a.internal) ?? addrs.find((a) => a.family === 'IPv6' && !a.internal);
    if (pick?.cidr) out[name] = pick.cidr.replace(/%.*\//, '/');
  }
  return out;
}
