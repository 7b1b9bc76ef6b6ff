// What the docker CLI (20.10) checks before it calls the API. A topology file stands for the docker
// commands a user would type, so these run before the engine's own (API-side) checks: the differential
// suite saw `docker network create --gateway 10.9.9.9 --subnet 10.81.0.0/24` refused by the CLI with its
// own words, where the API alone would have answered differently (or not at all, for an ip-range outside
// the subnet). Texts from docker/cli v20.10 cli/command/network/create.go (consolidateIpam) and
// cli/command/container/opts.go.
import { BAD_REQUEST, DockerError } from './errors';
import { netContains, parseCidr, parseIp, type IpAddr } from './ip';
import type { ContainerCreateRequest, NetworkCreateRequest } from './requests';

/** subnetMatches: does the subnet contain the address (or the first address of a CIDR)? */
function subnetMatches(subnet: string, data: string): boolean {
  const net = parseCidr(subnet);
  if (!net) throw new DockerError(`invalid subnet: invalid CIDR address: ${subnet}`, BAD_REQUEST, { field: 'subnet' });
  let ip: IpAddr | null;
  if (data.includes('/')) {
    const cidr = parseCidr(data);
    if (!cidr) throw new DockerError(`invalid CIDR address: ${data}`, BAD_REQUEST, { field: 'ip_range' });
    ip = parseIp(data.slice(0, data.indexOf('/')));
  } else {
    ip = parseIp(data);
  }
  return ip !== null && netContains(net, ip);
}

/**
 * consolidateIpam over the flags the request stands for (--subnet, --ip-range, --gateway, --aux-address,
 * one of each per IPAM config entry, given in entry order).
 */
export function checkNetworkCreateFlags(req: NetworkCreateRequest): void {
  const entries = req.ipam?.config ?? [];
  const subnets: { value: string; index: number }[] = [];
  const ranges: { value: string; index: number }[] = [];
  const gateways: { value: string; index: number }[] = [];
  const aux: { key: string; value: string; index: number }[] = [];
  entries.forEach((c, index) => {
    if (c.subnet) subnets.push({ value: c.subnet, index });
    if (c.ipRange) ranges.push({ value: c.ipRange, index });
    if (c.gateway) gateways.push({ value: c.gateway, index });
    for (const [key, value] of Object.entries(c.auxAddresses ?? {})) aux.push({ key, value, index });
  });
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    const field = subnets.length < ranges.length ? 'ip_range' : 'gateway';
    throw new DockerError('every ip-range or gateway must have a corresponding subnet', BAD_REQUEST, { field });
  }
  const seen: string[] = [];
  for (const s of subnets) {
    for (const k of seen) {
      if (subnetMatches(s.value, k) || subnetMatches(k, s.value)) {
        throw new DockerError('multiple overlapping subnet configuration is not supported', BAD_REQUEST, { field: 'subnet', index: s.index });
      }
    }
    seen.push(s.value);
  }
  const rangeOf = new Map<string, string>();
  for (const r of ranges) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s.value, r.value)) continue;
      const had = rangeOf.get(s.value);
      if (had !== undefined) {
        throw new DockerError(`cannot configure multiple ranges (${r.value}, ${had}) on the same subnet (${s.value})`, BAD_REQUEST, { field: 'ip_range', index: r.index });
      }
      rangeOf.set(s.value, r.value);
      match = true;
    }
    if (!match) throw new DockerError(`no matching subnet for range ${r.value}`, BAD_REQUEST, { field: 'ip_range', index: r.index });
  }
  const gatewayOf = new Map<string, string>();
  for (const g of gateways) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s.value, g.value)) continue;
      const had = gatewayOf.get(s.value);
      if (had !== undefined) {
        throw new DockerError(`cannot configure multiple gateways (${g.value}, ${had}) for the same subnet (${s.value})`, BAD_REQUEST, { field: 'gateway', index: g.index });
      }
      gatewayOf.set(s.value, g.value);
      match = true;
    }
    if (!match) throw new DockerError(`no matching subnet for gateway ${g.value}`, BAD_REQUEST, { field: 'gateway', index: g.index });
  }
  for (const a of aux) {
    if (!subnets.some((s) => subnetMatches(s.value, a.value))) {
      throw new DockerError(`no matching subnet for aux-address ${a.value}`, BAD_REQUEST, { field: 'aux_addresses', index: a.index, key: a.key });
    }
  }
}

const NON_USER_DEFINED = new Set(['default', 'bridge', 'host', 'none']);

/** docker run's own checks of the networking flags. */
export function checkRunFlags(req: ContainerCreateRequest): void {
  const mode = req.networkMode ?? 'default';
  const userDefined = !NON_USER_DEFINED.has(mode) && !mode.startsWith('container:');
  if ((req.endpoint?.aliases?.length ?? 0) > 0 && !userDefined) {
    throw new DockerError('network-scoped aliases are only supported for user-defined networks', BAD_REQUEST, { field: 'aliases' });
  }
}
