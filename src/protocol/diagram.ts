// The diagram's data: a plain, serialisable picture of one topology (or live host) that the extension
// host builds from the engine's state and the webview draws. Every element carries an `id` shared with
// the tree (selection is synced by id) and with trace results (hops name the elements they light).

/** One topology as the diagram draws it. */
export interface DiagramSnapshot {
  /** What the snapshot shows, e.g. the file name "02-custom-bridge.cnm.yaml". */
  title: string;
  hosts: DiagramHost[];
  /** Problems from loading the source, counted (the editor lists them). */
  problems: { errors: number; warnings: number };
  /** Read from a live Docker host: nothing in it is written in a file (no "Show in file"). */
  live?: boolean;
  /** Traffic between two hosts' driver devices (calico's tunl0s, weave's routers), as the drivers describe it. */
  deviceTunnels?: DiagramDeviceTunnel[];
  /** Swarm services (they span the nodes): drawn above the hosts, linked to their tasks' boxes. */
  services?: DiagramService[];
}

/** A swarm service as the managers keep it: its virtual IPs, published ports and tasks. */
export interface DiagramService {
  /** ids.service(manager, name). */
  id: string;
  name: string;
  image: string;
  /** Only replicated services are modelled. */
  mode: 'replicated';
  replicas: number;
  /** `vip`: one virtual IP per network, IPVS spreads connections; `dnsrr`: DNS answers the tasks' addresses. */
  endpointMode: 'vip' | 'dnsrr';
  /** One per network (the ingress network first when ports are published). */
  vips: { network: string; address: string; ingress: boolean }[];
  /** Published on the routing mesh: open on every node. `id` is the mesh port's element (ids.mesh). */
  ports: { id: string; published: number; target: number; proto: string; auto: boolean }[];
  /** In slot order: each task's container box (element id) on its node. */
  tasks: { name: string; slot: number; host: string; sandboxId: string; addresses: { network: string; address: string }[] }[];
}

/** A device a network driver makes on a host besides bridges and veths (tunl0, vxlan.calico, the weave router). */
export interface DiagramDevice {
  id: string;
  /** e.g. "tunl0", "weave router". */
  name: string;
  /** One word from the driver: ipip, vxlan, router, routes, veth, macvlan. */
  kind: string;
  /** The driver that made it. */
  driver: string;
  /** Lines under the name: address, ports, the routes through it. */
  lines: string[];
}

/** One network's traffic between a device on one host and a device on another. */
export interface DiagramDeviceTunnel {
  id: string;
  /** Device ids at both ends. */
  from: string;
  to: string;
  /** The network it carries (its name). */
  network: string;
  driver: string;
  /** What carries it, e.g. "IP-in-IP (protocol 4)". */
  label: string;
}

export interface DiagramHost {
  id: string;
  name: string;
  /** e.g. "20.10". */
  dockerVersion: string;
  /** The host's own interfaces with an IPv4 address (lo excluded). */
  interfaces: { id: string; name: string; address: string }[];
  /** In creation order: the layout keys off this order, so it stays stable across edits. */
  networks: DiagramNetwork[];
  /** One per network namespace, in creation order of the container that owns it. */
  sandboxes: DiagramSandbox[];
  /** Published ports, drawn at the host's edge. */
  ports: DiagramPort[];
  /** Devices the drivers make on the host (tunnels, routers): drawn in a row under the networks. */
  devices?: DiagramDevice[];
}

export interface DiagramNetwork {
  id: string;
  name: string;
  driver: string;
  /** First IPv4 pool, e.g. "10.10.0.0/16". */
  subnet?: string;
  gateway?: string;
  subnet6?: string;
  /** The Linux device on the host (docker0, br-<12 hex>), for drivers that make one. */
  device?: string;
  internal: boolean;
  /** bridge, host, none. */
  predefined: boolean;
  /** `swarm` or `global` networks span hosts (overlay over VXLAN, a plug-in's cluster network). */
  scope: 'local' | 'swarm' | 'global';
  /** It exists outside what is described (a Compose external network without a subnet): subnet and addresses unknown. */
  addressesUnknown?: true;
}

/** `ingress`: a swarm node's ingress-sbox, the routing mesh's namespace (IPVS for published ports), not a container. */
export type SandboxMode = 'sandbox' | 'host' | 'none' | 'stopped' | 'ingress';

export interface DiagramSandbox {
  id: string;
  /** The container that owns the namespace. */
  name: string;
  /** Containers that joined this namespace with `network_mode: container:<name>`, as [id, name]. */
  sharedBy: { id: string; name: string }[];
  /** `host`: the host's own namespace; `none`: loopback only; `stopped`: no namespace at all. */
  mode: SandboxMode;
  image: string;
  /** Ports the container's processes listen on, e.g. "80/tcp" (the file's `listen`, else expose and published ports). */
  listening: string[];
  endpoints: DiagramEndpoint[];
}

export interface DiagramEndpoint {
  id: string;
  networkId: string;
  /** Container-side interface (eth0…). */
  ifname: string;
  ipv4?: string;
  ipv6?: string;
  mac?: string;
  /** Host-side veth peer, when the driver makes one. */
  veth?: string;
  /** The id of the veth link between this endpoint and its network's bridge. */
  linkId: string;
  aliases: string[];
  /** On a network whose addresses are unknown: it has an address, nobody here knows it. */
  addressUnknown?: true;
}

export interface DiagramPort {
  id: string;
  sandboxId: string;
  hostIp: string;
  hostPort: number;
  containerPort: number;
  proto: string;
}

/** Every element id of a snapshot, for validating ids that come back from the webview. */
export function snapshotIds(s: DiagramSnapshot): Set<string> {
  const ids = new Set<string>();
  for (const h of s.hosts) {
    ids.add(h.id);
    for (const i of h.interfaces) ids.add(i.id);
    for (const n of h.networks) ids.add(n.id);
    for (const sb of h.sandboxes) {
      ids.add(sb.id);
      for (const m of sb.sharedBy) ids.add(m.id);
      for (const e of sb.endpoints) {
        ids.add(e.id);
        ids.add(e.linkId);
      }
    }
    for (const p of h.ports) ids.add(p.id);
    for (const d of h.devices ?? []) ids.add(d.id);
  }
  for (const t of s.deviceTunnels ?? []) ids.add(t.id);
  for (const sv of s.services ?? []) {
    ids.add(sv.id);
    for (const p of sv.ports) ids.add(p.id);
  }
  return ids;
}
