// The bridge driver (libnetwork drivers/bridge): one Linux bridge per network (docker0 for the default
// `bridge`, br-<12 hex of the id> otherwise), a veth pair per endpoint, MACs from the IPv4 address (20.10)
// or random (28+), and port publishing on the endpoint that carries the sandbox's external connectivity.
import { DockerError, BAD_REQUEST, FORBIDDEN, msg } from '../../errors';
import { addrBytes, formatAddr, formatNet, netsOverlap, parseIp, type IpAddr, type IpNet } from '../../ip';
import { bridgeMac, macFromIPv4Bytes, pseudoRandomMac, vethName } from '../../ids';
import type { BridgeConfig, EndpointState, NetworkState, PortBindingState, PortSpecBinding, SandboxState } from '../../model';
import { allocatePorts, releasePorts } from '../../ports/publish';
import type { DriverContext, EndpointCreated, JoinInfo, NetworkCreated, NetworkDraft, NetworkDriver } from '../types';

export const BRIDGE_OPT = {
  name: 'com.docker.network.bridge.name',
  enableIcc: 'com.docker.network.bridge.enable_icc',
  enableIpMasquerade: 'com.docker.network.bridge.enable_ip_masquerade',
  hostBindingIpv4: 'com.docker.network.bridge.host_binding_ipv4',
  inhibitIpv4: 'com.docker.network.bridge.inhibit_ipv4',
  defaultBridge: 'com.docker.network.bridge.default_bridge',
  mtu: 'com.docker.network.driver.mtu',
  enableIpv6: 'com.docker.network.enable_ipv6',
  ifacePrefix: 'com.docker.network.container_iface_prefix',
} as const;

/** Go's strconv.ParseBool. */
function parseGoBool(value: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return null;
}

/** Go's strconv.Atoi error text, or the number. */
function parseGoInt(value: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(value)) return `strconv.Atoi: parsing "${value}": invalid syntax`;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63) return `strconv.Atoi: parsing "${value}": value out of range`;
  return n;
}

interface ParsedBridgeOptions {
  name: string;
  enableIcc: boolean;
  enableIpMasquerade: boolean;
  hostBindingIpv4: string | null;
  mtu: number;
  inhibitIpv4: boolean;
  defaultBridge: boolean;
  ifacePrefix: string;
}

/** networkConfiguration.fromLabels: unknown labels are ignored; bad values fail with parseErr. */
export function parseBridgeOptions(options: Record<string, string>): ParsedBridgeOptions {
  const c: ParsedBridgeOptions = {
    name: '', enableIcc: true, enableIpMasquerade: true, hostBindingIpv4: null, mtu: 0,
    inhibitIpv4: false, defaultBridge: false, ifacePrefix: '',
  };
  for (const [label, value] of Object.entries(options)) {
    const fail = (err: string) => new DockerError(msg.bridgeParse(label, value, err), BAD_REQUEST, { field: 'driver_opts', key: label });
    const bool = () => {
      const b = parseGoBool(value);
      if (b === null) throw fail(`strconv.ParseBool: parsing "${value}": invalid syntax`);
      return b;
    };
    switch (label) {
      case BRIDGE_OPT.name: c.name = value; break;
      case BRIDGE_OPT.mtu: {
        const n = parseGoInt(value);
        if (typeof n === 'string') throw fail(n);
        c.mtu = n;
        break;
      }
      case BRIDGE_OPT.enableIpv6: bool(); break;
      case BRIDGE_OPT.enableIpMasquerade: c.enableIpMasquerade = bool(); break;
      case BRIDGE_OPT.enableIcc: c.enableIcc = bool(); break;
      case BRIDGE_OPT.inhibitIpv4: c.inhibitIpv4 = bool(); break;
      case BRIDGE_OPT.defaultBridge: c.defaultBridge = bool(); break;
      case BRIDGE_OPT.hostBindingIpv4: {
        const a = parseIp(value);
        if (!a) throw fail('nil ip');
        c.hostBindingIpv4 = formatAddr(a);
        break;
      }
      case BRIDGE_OPT.ifacePrefix: c.ifacePrefix = value; break;
      default: break;
    }
  }
  if (c.mtu < 0) throw new DockerError(msg.invalidMtu(c.mtu), BAD_REQUEST, { field: 'driver_opts', key: BRIDGE_OPT.mtu });
  return c;
}

function ifaceAddress(addr: IpAddr, subnet: IpNet) {
  return { address: formatAddr(addr), prefixLength: subnet.prefix, addr, network: subnet };
}

export class BridgeDriver implements NetworkDriver {
  readonly name = 'bridge';
  readonly scope = 'local' as const;
  readonly special = false;
  readonly supportsPortMapping = true;

  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated {
    const opts = parseBridgeOptions(draft.options);
    // processIPAM
    if (draft.ipv4.length > 1 || draft.ipv6.length > 1) throw new DockerError(msg.bridgeMultipleSubnets(), FORBIDDEN, { field: 'subnet', index: 1 });
    if (draft.ipv4.length === 0 && !draft.addressesUnknown) throw new DockerError(`bridge network ${draft.id} requires ipv4 configuration`, BAD_REQUEST, { field: 'subnet' });
    const name = opts.name !== '' ? opts.name : opts.defaultBridge ? 'docker0' : `br-${draft.id.slice(0, 12)}`;
    const v4 = draft.ipv4[0];
    // checkConflict with every other bridge network of the host. IPAM already refuses overlapping master
    // pools in its address space, so a subnet overlap is only possible for an ip-range (whose parent pool
    // IPAM adds unchecked) or another IPAM driver; only then is the full scan needed.
    const sameName = ctx.host.bridges.get(name);
    const mayOverlap = v4 !== undefined && draft.ipv4.some((a) => a.ipRange !== null) || draft.ipamDriver !== 'default';
    for (const other of sameName || mayOverlap ? ctx.host.networks.values() : []) {
      if (!other.bridge || other.driver !== this.name) continue;
      let why: string | null = null;
      if (other.bridge.name === name) why = 'networks have same bridge name';
      else if (v4 && other.ipv4[0] && netsOverlap(other.ipv4[0].subnet, v4.subnet)) why = 'networks have overlapping IPv4';
      if (why) {
        const field = why.includes('bridge name') ? { field: 'driver_opts' as const, key: BRIDGE_OPT.name } : { field: 'subnet' as const };
        throw new DockerError(msg.bridgeConflict(draft.id, name, other.id, other.bridge.name, why), FORBIDDEN, field);
      }
    }
    const preexisting = ctx.host.underlay.some((i) => i.name === name);
    const mtu = opts.mtu === 0 ? 1500 : opts.mtu;
    const bridge: BridgeConfig = {
      name,
      defaultBridge: opts.defaultBridge,
      enableIcc: opts.enableIcc,
      enableIpMasquerade: opts.enableIpMasquerade,
      hostBindingIpv4: opts.hostBindingIpv4,
      mtu,
      inhibitIpv4: opts.inhibitIpv4,
      containerIfacePrefix: opts.ifacePrefix,
      createdByEngine: !preexisting,
    };
    ctx.host.bridges.set(name, {
      name,
      networkId: draft.id,
      mac: bridgeMac(draft.id),
      mtu,
      ipv4: !opts.inhibitIpv4 && v4?.gateway ? ifaceAddress(v4.gateway, v4.subnet) : null,
      ipv6: draft.enableIpv6 && draft.ipv6[0]?.gateway ? ifaceAddress(draft.ipv6[0].gateway, draft.ipv6[0].subnet) : null,
      ports: new Set(),
    });
    return { bridge };
  }

  deleteNetwork(ctx: DriverContext, net: NetworkState): void {
    if (net.bridge) ctx.host.bridges.delete(net.bridge.name);
  }

  createEndpoint(ctx: DriverContext, net: NetworkState, ep: { id: string; ipv4: IpAddr | null; ipv6: IpAddr | null; mac: string | null }): EndpointCreated {
    let hostIfname = vethName(ep.id);
    for (let attempt = 1; ctx.host.veths.has(hostIfname); attempt++) hostIfname = vethName(ep.id, attempt);
    let mac = ep.mac;
    if (!mac) {
      if (ctx.features.randomMac || !ep.ipv4) mac = pseudoRandomMac(ep.id);
      else mac = macFromIPv4Bytes(addrBytes(ep.ipv4));
    }
    const result: { mac: string; hostIfname: string; ipv6?: IpAddr } = { mac, hostIfname };
    // docker0 with --fixed-cidr-v6 (≤ /80, 20.10–27): the IPv6 address is the prefix with the MAC in bytes 10-15.
    const v6 = net.ipv6[0];
    if (!ep.ipv6 && net.enableIpv6 && v6 && net.driverData.deferIpv6Alloc) {
      if (v6.subnet.prefix > 80) throw new DockerError(msg.selfGenerateV6(formatNet(v6.subnet)), FORBIDDEN);
      const bytes = addrBytes({ family: 6, value: v6.subnet.base });
      mac.split(':').forEach((h, i) => { bytes[10 + i] = parseInt(h, 16); });
      let value = 0n;
      for (const b of bytes) value = (value << 8n) | BigInt(b);
      result.ipv6 = { family: 6, value };
    }
    return result;
  }

  deleteEndpoint(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    if (ep.hostIfname) {
      ctx.host.veths.delete(ep.hostIfname);
      if (net.bridge) ctx.host.bridges.get(net.bridge.name)?.ports.delete(ep.hostIfname);
    }
  }

  join(ctx: DriverContext, net: NetworkState, ep: EndpointState, sb: SandboxState): JoinInfo {
    const bridge = net.bridge!;
    const v4 = net.ipv4[0];
    const v6 = net.ipv6[0];
    // 20.10 gives internal networks a gateway too; 25.0+ does not.
    const noGateway = net.internal && ctx.features.internalNoGateway;
    const gateway = !noGateway && !bridge.inhibitIpv4 && v4?.gateway ? v4.gateway : null;
    const gateway6 = !noGateway && net.enableIpv6 && v6?.gateway ? v6.gateway : null;
    if (ep.hostIfname) {
      ctx.host.bridges.get(bridge.name)?.ports.add(ep.hostIfname);
      ctx.host.veths.set(ep.hostIfname, {
        hostIfname: ep.hostIfname,
        sandboxId: sb.id,
        containerIfname: '', // filled by the sandbox when the interface is moved in
        bridge: bridge.name,
        endpointId: ep.id,
      });
    }
    return { ifacePrefix: bridge.containerIfacePrefix || 'eth', gateway, gateway6, mtu: bridge.mtu };
  }

  leave(ctx: DriverContext, net: NetworkState, ep: EndpointState): void {
    this.deleteEndpoint(ctx, net, ep);
  }

  programExternalConnectivity(ctx: DriverContext, net: NetworkState, ep: EndpointState, bindings: readonly PortSpecBinding[]): PortBindingState[] {
    if (bindings.length === 0) return [];
    return allocatePorts(bindings, {
      allocator: ctx.host.ports,
      containerV4: ep.ipv4?.address ?? null,
      containerV6: ep.ipv6?.address ?? null,
      defaultHostIp: net.bridge?.hostBindingIpv4 ?? '0.0.0.0',
      userlandProxy: ctx.host.daemon.userlandProxy,
      sameEphemeralPort: ctx.features.sameV4V6EphemeralPort,
    });
  }

  revokeExternalConnectivity(ctx: DriverContext, _net: NetworkState, ep: EndpointState): void {
    releasePorts(ctx.host.ports, ep.portBindings);
  }
}

