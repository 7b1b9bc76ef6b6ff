// Docker 25.0+'s validateEndpointSettings (daemon/network.go): every problem of one endpoint's settings
// found at once and joined, instead of 20.10's first failing check at start. Checked against dockerd 26.1:
//   create:  "invalid config for network NET: invalid endpoint settings:\n* a\n* b"
//   connect: "invalid endpoint settings:\na"   (one problem: no bullet)
import { DockerError, BAD_REQUEST, msg, type ErrorHint } from './errors';
import { netContains, parseCidr, parseIp } from './ip';
import { isUserDefinedName } from './lookup';
import type { DaemonSettings, NetworkState } from './model';
import type { EndpointConfig } from './requests';

/** The problems, in dockerd's order; `n` null when the network does not exist (only the name is judged). */
export function endpointSettingsProblems(daemon: DaemonSettings, n: NetworkState | null, networkName: string, cfg: EndpointConfig): { text: string; hint: ErrorHint }[] {
  const out: { text: string; hint: ErrorHint }[] = [];
  const ipField = cfg.ipv4Address ? 'ipv4_address' : 'ipv6_address';
  if (!isUserDefinedName(networkName)) {
    if (cfg.ipv4Address || cfg.ipv6Address) out.push({ text: msg.ipOnPredefined(), hint: { field: ipField } });
    if ((cfg.aliases ?? []).length > 0) out.push({ text: msg.aliasOnPredefined(), hint: { field: 'aliases' } });
  }
  if (n) {
    // The default bridge has a pool of its own only from --bip / --fixed-cidr(-v6): on a fresh host docker0
    // takes the first default pool, which is not "user configured" (seen on 26.1).
    const docker0 = n.predefined && n.driver === 'bridge';
    const v4 = docker0 && daemon.bip === null && daemon.fixedCidr === null ? [] : n.ipamConfig.v4.filter((c) => c.subnet);
    const v6 = docker0 && daemon.fixedCidrV6 === null ? [] : n.ipamConfig.v6.filter((c) => c.subnet);
    if (cfg.ipv4Address && v4.length === 0) out.push({ text: msg.ipNeedsSubnet(), hint: { field: 'ipv4_address' } });
    if (cfg.ipv6Address && v6.length === 0) out.push({ text: msg.ipNeedsSubnet(), hint: { field: 'ipv6_address' } });
    for (const [addr, pools, field] of [[cfg.ipv4Address, v4, 'ipv4_address'], [cfg.ipv6Address, v6, 'ipv6_address']] as const) {
      const ip = addr ? parseIp(addr) : null;
      if (!ip || pools.length === 0) continue;
      const inside = pools.some((c) => {
        const net = parseCidr(c.subnet!);
        return !!net && netContains(net, ip);
      });
      if (!inside) out.push({ text: msg.noSubnetContains(addr!), hint: { field } });
    }
  }
  return out;
}

/** Throws the joined problems (multierror.Join), prefixed as dockerd does; nothing when there are none. */
export function assertEndpointSettings(daemon: DaemonSettings, n: NetworkState | null, networkName: string, cfg: EndpointConfig, atCreate: boolean): void {
  const problems = endpointSettingsProblems(daemon, n, networkName, cfg);
  if (problems.length === 0) return;
  const joined = problems.length === 1 ? problems[0]!.text : problems.map((p) => `* ${p.text}`).join('\n');
  const text = `invalid endpoint settings:\n${joined}`;
  throw new DockerError(atCreate ? `invalid config for network ${networkName}: ${text}` : text, BAD_REQUEST, problems[0]!.hint);
}
