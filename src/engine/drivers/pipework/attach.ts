// `pipework <hostinterface> [-i <if>] [-l <localname>] <container> <ip>/<prefix>[@gateway] [mac][@vlan]`
// played on an engine's state: the steps of the script (github.com/jpetazzo/pipework, file `pipework`),
// done to the model of the container's namespace and the host. Docker is not told: the container's
// NetworkSettings do not change, no DNS name or /etc/hosts line is added.
import { DockerError } from '../../errors';
import { formatAddr, formatNet, makeNet, parseCidr, parseIp, parseMac, type IpAddr } from '../../ip';
import { bridgeMac } from '../../ids';
import { addNetworkEndpoint } from '../../endpointNames';
import type { EndpointState, HostState, InterfaceAddress, NetworkState, Route } from '../../model';
import { sha256Hex } from '../../sha256';
import { PIPEWORK, pipeworkVethName, type PipeworkNetworkData } from './driver';

/** One attachment, as a topology file writes it under a container's `pipework:`. */
export interface PipeworkAttachment {
  /** A host bridge (created when missing, like pipework does for a name starting with `br`)… */
  readonly bridge?: string;
  /** …or a host interface that gets a macvlan child (mode bridge). */
  readonly macvlan?: string;
  /** `<address>/<prefix>` or `dhcp` (the address is then unknown to the model). */
  readonly ip: string;
  /** `@gateway`: replaces the container's default route. */
  readonly gateway?: string;
  /** `-i`: the name inside the container (default eth1). */
  readonly iface?: string;
  /** `-l`: the host-side veth name (bridge only; default v<iface>pl<pid>). */
  readonly hostIface?: string;
  /** The MAC to set on the container's interface (else the kernel picks one: unknown). */
  readonly mac?: string;
  /** `@vlan`: an 802.1Q sub-interface <macvlan>.<vlan> as the macvlan parent (unsupported with a Linux bridge). */
  readonly vlan?: number;
}

/** A pipework failure: the script's own words when it has some, and the attachment key at fault. */
export class PipeworkError extends DockerError {
  constructor(message: string, readonly key: keyof PipeworkAttachment | null) {
    super(message, 400);
  }
}

const DEFAULT_V4 = makeNet(4, 0n, 0);

/** Runs one pipework command against container `name` on host `host` of `state`. */
export function attachPipework(state: { readonly hosts: ReadonlyMap<string, HostState> }, hostName: string, name: string, att: PipeworkAttachment): EndpointState {
  const host = state.hosts.get(hostName);
  if (!host) throw new PipeworkError(`pipework: no host ${hostName}`, null);
  const ctr = [...host.containers.values()].find((c) => c.name === name);
  if (!ctr) throw new PipeworkError(`Could not find a process inside container ${name}.`, null);
  const sb = ctr.sandboxId ? host.sandboxes.get(ctr.sandboxId) : undefined;
  if (ctr.status !== 'running' || !sb) throw new PipeworkError(`Could not find a process inside container ${name}. (pipework needs a running container: it works in the namespace of its process)`, null);
  if (sb.hostNetwork) throw new PipeworkError(`pipework: ${name} runs in the host's network namespace (network_mode: host): the interface would be moved into the host itself`, null);
  if ((att.bridge === undefined) === (att.macvlan === undefined)) throw new PipeworkError('pipework: give the host interface, either `bridge:` (a veth to a host bridge) or `macvlan:` (a macvlan child of a host interface)', att.bridge === undefined ? 'bridge' : 'macvlan');
  const ifname = att.iface ?? PIPEWORK.defaultIface;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(ifname)) throw new PipeworkError(`pipework: "${ifname}" is not a valid interface name (at most 15 characters)`, 'iface');
  if (sb.interfaces.some((i) => i.name === ifname)) {
    throw new PipeworkError(`RTNETLINK answers: File exists: ${name} already has an interface ${ifname}; give the attachment another name (iface:)`, 'iface');
  }
  const address = parseAddress(att.ip);
  const gateway = att.gateway === undefined ? null : parseIp(att.gateway);
  if (att.gateway !== undefined && (!gateway || gateway.family !== 4)) throw new PipeworkError(`pipework: invalid gateway "${att.gateway}" (an IPv4 address)`, 'gateway');
  if (gateway && !address) throw new PipeworkError('pipework: with dhcp the gateway comes from the DHCP server; @gateway needs a static address', 'gateway');
  const mac = att.mac === undefined ? null : parseMac(att.mac);
  if (att.mac !== undefined && !mac) throw new PipeworkError(`pipework: invalid MAC address "${att.mac}"`, 'mac');

  let net: NetworkState;
  let hostIfname: string | null = null;
  let mtu = 1500;
  if (att.bridge !== undefined) {
    if (att.vlan !== undefined) throw new PipeworkError('VLAN configuration currently unsupported for Linux bridge.', 'vlan');
    net = bridgeNetwork(host, att.bridge);
    const dev = host.bridges.get(att.bridge)!;
    mtu = dev.mtu;
    hostIfname = att.hostIface ?? pipeworkVethName(ifname, name);
    if (host.veths.has(hostIfname) || host.underlay.some((u) => u.name === hostIfname)) throw new PipeworkError(`pipework: the host already has a link ${hostIfname}`, 'hostIface');
  } else {
    if (att.hostIface !== undefined) throw new PipeworkError('pipework: host_iface (-l) names the host side of a veth; a macvlan child has none', 'hostIface');
    const parent = host.underlay.find((u) => u.name === att.macvlan && u.kind !== 'loopback');
    if (!parent) throw new PipeworkError(`I do not know how to setup interface ${att.macvlan}. (declare it under hosts.${host.name}.interfaces)`, 'macvlan');
    mtu = parent.mtu;
    net = macvlanNetwork(host, parent.name, att.vlan);
  }

  const epId = sha256Hex(`pipework\u0000${host.name}\u0000${name}\u0000${ifname}`);
  const ipv4: InterfaceAddress | null = address;
  const ep: EndpointState = {
    id: epId, name, networkId: net.id, networkName: net.name, networkDriver: 'pipework', networkInternal: false,
    containerId: ctr.id, sandboxId: sb.id, ipv4, ipv6: null, ipv4PoolId: null, ipv6PoolId: null,
    mac, ifname, hostIfname, gateway, gateway6: null, aliases: [], dnsNames: [], anonymous: true, disableResolution: true,
    staticIpv4: !!address, staticIpv6: false, portBindings: [], gwPriority: 0,
    link: att.bridge !== undefined ? { kind: 'veth', parent: att.bridge, mode: null } : { kind: 'macvlan', parent: (net.driverData['pipework'] as PipeworkNetworkData).device, mode: PIPEWORK.macvlanMode },
  };
  addNetworkEndpoint(net, ep);
  if (hostIfname && net.bridge) {
    host.bridges.get(net.bridge.name)!.ports.add(hostIfname);
    host.veths.set(hostIfname, { hostIfname, sandboxId: sb.id, containerIfname: ifname, bridge: net.bridge.name, endpointId: epId });
  }
  // The table Docker left (read before this interface is in the sandbox: a sandbox makes it on first read).
  const routes = sb.routes as Route[];
  sb.interfaces.push({ name: ifname, endpointId: epId, mac, ipv4, ipv6: null, mtu, hostPeer: hostIfname });
  addRoutes(routes, ifname, ipv4, gateway);
  host.revision++;
  return ep;
}

/** `<a.b.c.d>/<prefix>`, or dhcp (null: the model cannot know what the server hands out). */
function parseAddress(text: string): InterfaceAddress | null {
  if (text === 'dhcp' || text.startsWith('dhcp:')) return null;
  if (!text.includes('/')) throw new PipeworkError(`The IP address should include a netmask. Maybe you meant ${text}/24 ?`, 'ip');
  const n = parseCidr(text);
  if (!n || n.family !== 4) throw new PipeworkError(`pipework: invalid address "${text}" (an IPv4 address with its prefix, e.g. 192.168.1.10/24, or dhcp)`, 'ip');
  const addr: IpAddr = { family: 4, value: n.ip };
  return { address: formatAddr(addr), prefixLength: n.prefix, addr, network: makeNet(4, n.base, n.prefix) };
}

/** `ip addr add` makes the on-link route; `@gateway` replaces the default route (and reaches it by a /32 when off-link). */
function addRoutes(routes: Route[], ifname: string, a: InterfaceAddress | null, gw: IpAddr | null): void {
  if (a) routes.push({ family: 4, destination: formatNet(a.network), dest: a.network, gateway: null, dev: ifname, scope: 'link', src: a.address });
  if (!gw) return;
  for (let i = routes.length - 1; i >= 0; i--) if (routes[i]!.family === 4 && routes[i]!.destination === 'default') routes.splice(i, 1);
  const onLink = routes.some((r) => r.family === 4 && r.scope === 'link' && r.dest.prefix > 0 && (gw.value >> BigInt(32 - r.dest.prefix)) << BigInt(32 - r.dest.prefix) === r.dest.base);
  if (!onLink) routes.push({ family: 4, destination: `${formatAddr(gw)}/32`, dest: makeNet(4, gw.value, 32), gateway: null, dev: ifname, scope: 'link', src: null });
  routes.unshift({ family: 4, destination: 'default', dest: DEFAULT_V4, gateway: formatAddr(gw), dev: ifname, scope: 'global', src: null });
}

function pipeworkNet(host: HostState, device: string): NetworkState | undefined {
  for (const n of host.networks.values()) if (n.driver === 'pipework' && (n.driverData['pipework'] as PipeworkNetworkData | undefined)?.device === device) return n;
  return undefined;
}

function implicitNetwork(host: HostState, device: string, data: PipeworkNetworkData, extra: Partial<NetworkState>): NetworkState {
  const id = sha256Hex(`pipework-network\u0000${host.name}\u0000${device}`);
  const seq = Math.max(0, ...[...host.networks.values()].map((n) => n.seq)) + 1;
  const net: NetworkState = {
    id, name: device, host: host.name, driver: 'pipework', scope: 'local', seq, internal: false, attachable: false, ingress: false, enableIpv6: false,
    options: {}, labels: {}, ipamDriver: 'null', ipamOptions: {}, ipamConfig: { v4: [], v6: [] }, ipv4: [], ipv6: [], predefined: false, bridge: null,
    endpoints: new Map(), dnsRecords: new Map(), driverData: { pipework: data }, ...extra,
  };
  host.networks.set(id, net);
  return net;
}

/** The bridge's network: the file's `driver: pipework` network for it, or the bridge pipework creates. */
function bridgeNetwork(host: HostState, br: string): NetworkState {
  const declared = pipeworkNet(host, br);
  if (declared) return declared;
  const other = host.bridges.get(br);
  if (other) throw new PipeworkError(`pipework: ${br} is a bridge Docker manages; the model attaches pipework interfaces only to bridges of their own`, 'bridge');
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(br)) throw new PipeworkError(`pipework: "${br}" is not a valid interface name`, 'bridge');
  // `[ -d /sys/class/net/$IFNAME/bridge ]` or a name `br*`: else pipework says it does not know the interface.
  if (!br.startsWith('br')) throw new PipeworkError(`I do not know how to setup interface ${br}. (pipework creates a missing bridge only when its name starts with "br"; use macvlan: for a host interface)`, 'bridge');
  const underlay = host.underlay.find((u) => u.name === br);
  const id = sha256Hex(`pipework-network\u0000${host.name}\u0000${br}`);
  // A bridge the host declares (hosts.<h>.interfaces: { br1: 192.168.1.254/24 }) keeps its address.
  host.bridges.set(br, { name: br, networkId: id, mac: bridgeMac(id), mtu: 1500, ipv4: underlay?.ipv4[0] ?? null, ipv6: null, ports: new Set() });
  return implicitNetwork(host, br, { mode: 'bridge', device: br, implicit: true }, {
    bridge: { name: br, defaultBridge: false, enableIcc: true, enableIpMasquerade: false, hostBindingIpv4: null, mtu: 1500, inhibitIpv4: false, containerIfacePrefix: 'eth', createdByEngine: !underlay, foreign: true },
  });
}

/** A macvlan parent: the host interface, or its 802.1Q sub-interface `<if>.<vlan>` (made when missing). */
function macvlanNetwork(host: HostState, parent: string, vlan: number | undefined): NetworkState {
  if (vlan !== undefined && (!Number.isInteger(vlan) || vlan < 1 || vlan > 4094)) throw new PipeworkError(`pipework: VLAN id ${vlan} is not in 1-4094`, 'vlan');
  const device = vlan === undefined ? parent : `${parent}.${vlan}`;
  const existing = pipeworkNet(host, device);
  if (existing) return existing;
  const net = implicitNetwork(host, device, { mode: 'macvlan', device, implicit: true }, {
    parentLink: { driver: 'macvlan', parent: device, mode: PIPEWORK.macvlanMode, dummy: false, vlanId: vlan ?? null, underlying: vlan === undefined ? null : parent, sharedMac: null, hostUnreachable: true },
  });
  if (vlan !== undefined && !host.links.has(device)) {
    host.links.set(device, { name: device, kind: 'vlan', networkId: net.id, parent, vlanId: vlan, vxlan: null, mtu: 1500, ipv4: null, createdByEngine: true });
  }
  return net;
}
