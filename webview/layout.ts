// The diagram's layout: pure geometry from a snapshot, deterministic (the same snapshot always gives
// the same picture) and stable across edits (order comes from creation order, never from sizes).
//
// Each host is a region. Inside, every network is a band: the sandboxes whose first interface is on
// that network sit in rows, and the network's bus runs under them. A sandbox's other interfaces reach
// their buses through a lane in the gutter to the box's right, so links never cross boxes. Published
// ports are tabs on the host's left edge, joined to their sandbox along the band's top margin.
import type { DiagramHost, DiagramSnapshot } from '../src/protocol/diagram';

export const BOX_W = 150;
export const GUTTER = 34;
export const COL_W = BOX_W + GUTTER;
const BOX_HEAD = 34; // name and mode lines
const IF_ROW = 15; // one line per interface
const ROW_GAP = 26; // between rows of boxes (room for the endpoints' dots and links)
const BAND_TOP = 30; // above a band's first row: port links run here
const BUS_GAP = 22; // from the lowest box to the bus
const BAND_BOTTOM = 30; // below the bus: its label
const PORT_W = 148;
const HOST_PAD = 18;
const HOST_HEAD = 46;
const HOST_GAP = 60;

export interface Rect { x: number; y: number; w: number; h: number }

export interface BoxLayout extends Rect {
  id: string;
  /** The band (network id, or "" for sandboxes without a network). */
  band: string;
}

export interface EndpointLayout {
  id: string;
  sandboxId: string;
  networkId: string;
  /** The dot on the box's bottom edge. */
  x: number;
  y: number;
  /** The label row inside the box. */
  labelY: number;
}

export interface LinkLayout {
  id: string;
  endpointId: string;
  networkId: string;
  /** SVG path from the endpoint's dot to the bus. */
  path: string;
  /** Where the link meets the bus. */
  busX: number;
  busY: number;
  /** The link runs through the gutter, across other bands (its joint with the bus gets a dot). */
  crossing: boolean;
}

export interface BusLayout {
  id: string;
  x1: number;
  x2: number;
  y: number;
  /** Top of the band the bus closes (where the band's label could go). */
  bandTop: number;
}

export interface PortLayout extends Rect {
  id: string;
  sandboxId: string;
  path: string;
}

/** A collapsed group: a band's sandboxes drawn as one box with their count. */
export interface GroupLayout extends Rect {
  /** `group/<band key>` (see groupKey). */
  id: string;
  /** The group's key: the network id, or `<host id>#unnetworked`. */
  key: string;
  hostId: string;
  networkId: string;
  /** The sandboxes it holds, in creation order. */
  members: string[];
  /** Where its link meets the bus (none for the unnetworked band). */
  busY?: number;
}

export interface HostLayout extends Rect {
  id: string;
  /** Collapsed bands. */
  groups: GroupLayout[];
  buses: BusLayout[];
  boxes: BoxLayout[];
  endpoints: EndpointLayout[];
  links: LinkLayout[];
  ports: PortLayout[];
  /** The drivers' own devices (DiagramHost.devices), in a row under the networks. */
  devices: DeviceLayout[];
}

export interface DeviceLayout extends Rect {
  id: string;
}

/** A driver's tunnel between devices on two hosts: down from each device to a lane under the hosts. */
export interface DeviceTunnelLayout {
  id: string;
  path: string;
  labelX: number;
  labelY: number;
}

/** A multi-host network's buses on two neighbouring hosts, joined (VXLAN between the hosts). */
export interface TunnelLayout {
  id: string;
  network: string;
  /** What carries it between the hosts, as a label ("VXLAN" for overlay). */
  label: string;
  path: string;
  labelX: number;
  labelY: number;
}

/** A swarm service: a box above the hosts, with a line down to each task's box. */
export interface ServiceLayout extends Rect {
  id: string;
  /** One per task: from the service box to the task's box (or its group). */
  links: { id: string; sandboxId: string; path: string }[];
}

export interface DiagramLayout {
  hosts: HostLayout[];
  services: ServiceLayout[];
  tunnels: TunnelLayout[];
  deviceTunnels: DeviceTunnelLayout[];
  width: number;
  height: number;
  /** Every drawn element's centre, for panning to a selection. */
  centres: Map<string, { x: number; y: number }>;
}

/** How many sandbox columns a host gets: wider for big hosts, so a 2,000-container host stays roughly square. */
export function columnsFor(sandboxes: number): number {
  return Math.max(4, Math.min(28, Math.ceil(Math.sqrt(sandboxes * 1.6))));
}

/** A band's group key: its network's id, or for sandboxes on no network, the host's. */
export function groupKey(hostId: string, band: string): string {
  return band || `${hostId}#unnetworked`;
}

export interface LayoutOptions {
  /** Group keys (groupKey) drawn collapsed; a host id collapses all its bands. */
  collapsed?: ReadonlySet<string>;
}

const GROUP_H = 44;

export function layoutDiagram(snapshot: DiagramSnapshot, opts: LayoutOptions = {}): DiagramLayout {
  const centres = new Map<string, { x: number; y: number }>();
  const hosts: HostLayout[] = [];
  const collapsed = opts.collapsed ?? new Set<string>();
  let x = 0;
  let height = 0;
  // Swarm services span the nodes: their boxes take a row above the hosts.
  const serviceTop = serviceRowHeight(snapshot);
  for (const host of snapshot.hosts) {
    const h = layoutHost(host, x, serviceTop, centres, collapsed);
    hosts.push(h);
    x += h.w + HOST_GAP;
    height = Math.max(height, h.y + h.h);
  }
  const services = layoutServices(snapshot, hosts, centres);
  const deviceTunnels = deviceTunnelsOf(snapshot, hosts, height, centres);
  if (deviceTunnels.length) height += DEVICE_LANE_TOP + deviceTunnels.length * DEVICE_LANE + 8;
  const width = Math.max(x - HOST_GAP, ...services.map((s) => s.x + s.w));
  return { hosts, services, tunnels: tunnelsOf(snapshot, hosts), deviceTunnels, width: Math.max(0, width), height, centres };
}

export const SERVICE_W = 250;
const SERVICE_GAP = 40;
const SERVICE_LINE = 14;
const SERVICE_HEAD = 36;
/** Room under the service row for the lines down to the tasks (a lane per service). */
const SERVICE_LANES = 14;

/** Lines in a service's box: its VIPs, then its routing-mesh ports. */
export function serviceLines(sv: NonNullable<DiagramSnapshot['services']>[number]): number {
  return (sv.endpointMode === 'vip' ? sv.vips.length : 1) + sv.ports.length;
}

function serviceRowHeight(snapshot: DiagramSnapshot): number {
  const list = snapshot.services ?? [];
  if (!list.length) return 0;
  const h = Math.max(...list.map((sv) => SERVICE_HEAD + serviceLines(sv) * SERVICE_LINE + 8));
  return h + SERVICE_LANES + list.length * 6 + 24;
}

function layoutServices(snapshot: DiagramSnapshot, hosts: HostLayout[], centres: DiagramLayout['centres']): ServiceLayout[] {
  const list = snapshot.services ?? [];
  const boxes = new Map<string, Rect>();
  for (const h of hosts) {
    for (const b of h.boxes) boxes.set(b.id, b);
    for (const g of h.groups) for (const m of g.members) boxes.set(m, g);
  }
  const out: ServiceLayout[] = [];
  const rowH = Math.max(0, ...list.map((sv) => SERVICE_HEAD + serviceLines(sv) * SERVICE_LINE + 8));
  list.forEach((sv, i) => {
    const x = i * (SERVICE_W + SERVICE_GAP);
    const h = SERVICE_HEAD + serviceLines(sv) * SERVICE_LINE + 8;
    const lane = rowH + SERVICE_LANES + i * 6;
    const links = sv.tasks.flatMap((t, k) => {
      const box = boxes.get(t.sandboxId);
      if (!box) return [];
      const sx = x + 20 + (k % 10) * ((SERVICE_W - 40) / 10);
      const tx = box.x + box.w - 16 - (i % 4) * 6;
      return [{ id: `${sv.id}~${t.sandboxId}`, sandboxId: t.sandboxId, path: `M${sx},${h}V${lane}H${tx}V${box.y}` }];
    });
    out.push({ id: sv.id, x, y: 0, w: SERVICE_W, h, links });
    centres.set(sv.id, { x: x + SERVICE_W / 2, y: h / 2 });
    sv.ports.forEach((p, k) => centres.set(p.id, { x: x + SERVICE_W / 2, y: SERVICE_HEAD + ((sv.endpointMode === 'vip' ? sv.vips.length : 1) + k) * SERVICE_LINE }));
  });
  return out;
}

const DEVICE_LINE = 13;
const DEVICE_HEAD = 20;
const DEVICE_LANE_TOP = 16;
const DEVICE_LANE = 16;

export function deviceHeight(lines: number): number {
  return DEVICE_HEAD + lines * DEVICE_LINE + 6;
}

/** The drivers' devices of a host in a row (wrapping) from `y`; returns where the row ends. */
function layoutDevices(host: DiagramHost, left: number, y: number, innerW: number, centres: DiagramLayout['centres']): { devices: DeviceLayout[]; bottom: number } {
  const devices: DeviceLayout[] = [];
  const list = host.devices ?? [];
  if (!list.length) return { devices, bottom: y };
  const w = Math.min(innerW - GUTTER, 400);
  let x = left;
  let top = y + 8;
  let rowH = 0;
  for (const d of list) {
    if (x > left && x + w > left + innerW - GUTTER) {
      x = left;
      top += rowH + 10;
      rowH = 0;
    }
    const h = deviceHeight(d.lines.length);
    devices.push({ id: d.id, x, y: top, w, h });
    centres.set(d.id, { x: x + w / 2, y: top + h / 2 });
    rowH = Math.max(rowH, h);
    x += w + GUTTER;
  }
  return { devices, bottom: top + rowH + 10 };
}

/** Each device tunnel: down from both devices to its own lane under every host, across between them. */
function deviceTunnelsOf(snapshot: DiagramSnapshot, hosts: HostLayout[], height: number, centres: DiagramLayout['centres']): DeviceTunnelLayout[] {
  const at = new Map<string, { d: DeviceLayout; host: number }>();
  hosts.forEach((h, i) => h.devices.forEach((d) => at.set(d.id, { d, host: i })));
  const out: DeviceTunnelLayout[] = [];
  const perDevice = new Map<string, number>();
  for (const t of snapshot.deviceTunnels ?? []) {
    const a = at.get(t.from), b = at.get(t.to);
    if (!a || !b || a.host === b.host) continue;
    const [l, r] = a.d.x <= b.d.x ? [a, b] : [b, a];
    const lane = height + DEVICE_LANE_TOP + out.length * DEVICE_LANE;
    // Two tunnels of one device leave it side by side.
    const off = (id: string) => {
      const k = perDevice.get(id) ?? 0;
      perDevice.set(id, k + 1);
      return 24 + k * 12;
    };
    const lx = l.d.x + l.d.w - off(l.d.id), rx = r.d.x + off(r.d.id);
    const gap = (hosts[l.host]!.x + hosts[l.host]!.w + hosts[r.host]!.x) / 2;
    out.push({ id: t.id, path: `M${lx},${l.d.y + l.d.h}V${lane}H${rx}V${r.d.y + r.d.h}`, labelX: r.host === l.host + 1 ? gap : (lx + rx) / 2, labelY: lane - 4 });
    centres.set(t.id, { x: (lx + rx) / 2, y: lane });
  }
  return out;
}

/** Joins each swarm/global network's bus on one host to its bus on the next host that has it. */
function tunnelsOf(snapshot: DiagramSnapshot, hosts: HostLayout[]): TunnelLayout[] {
  const out: TunnelLayout[] = [];
  const last = new Map<string, { bus: BusLayout; host: number }>();
  // A network whose driver draws its own tunnels (calico, weave) is joined there, not bus to bus.
  const ownTunnels = new Set((snapshot.deviceTunnels ?? []).flatMap((t) => t.network.split(', ')));
  snapshot.hosts.forEach((h, i) => {
    for (const n of h.networks) {
      if (n.scope === 'local' || ownTunnels.has(n.name)) continue;
      const bus = hosts[i]!.buses.find((b) => b.id === n.id);
      if (!bus) continue;
      const prev = last.get(n.name);
      if (prev) {
        const gapX = (hosts[prev.host]!.x + hosts[prev.host]!.w + hosts[i]!.x) / 2 + (out.length % 5) * 6 - 12;
        out.push({
          id: `${prev.bus.id}~${bus.id}`, network: n.name, label: n.driver === 'overlay' ? 'VXLAN' : `${n.driver} (between hosts)`,
          path: `M${prev.bus.x2},${prev.bus.y}H${gapX}V${bus.y}H${bus.x1}`,
          labelX: gapX + 4, labelY: (prev.bus.y + bus.y) / 2,
        });
      }
      last.set(n.name, { bus, host: i });
    }
  });
  return out;
}

/** The band a sandbox sits in: its first interface's network; host/none mode sandboxes sit with those networks. */
function homeBand(host: DiagramHost, sb: DiagramHost['sandboxes'][number]): string {
  if (sb.endpoints[0]) return sb.endpoints[0].networkId;
  const byDriver = (driver: string) => host.networks.find((n) => n.driver === driver && n.predefined)?.id ?? '';
  if (sb.mode === 'host') return byDriver('host');
  if (sb.mode === 'none') return byDriver('null');
  return '';
}

/** The sandboxes of each band (keyed by network id, "" for none), in creation order. */
export function bandMembers(host: DiagramHost): Map<string, DiagramHost['sandboxes']> {
  const members = new Map<string, DiagramHost['sandboxes']>();
  for (const sb of host.sandboxes) {
    const band = homeBand(host, sb);
    const list = members.get(band);
    if (list) list.push(sb);
    else members.set(band, [sb]);
  }
  return members;
}

function layoutHost(host: DiagramHost, x0: number, y0: number, centres: DiagramLayout['centres'], collapsed: ReadonlySet<string>): HostLayout {
  const members = bandMembers(host);
  const isCollapsed = (band: string) => collapsed.has(host.id) || collapsed.has(groupKey(host.id, band));
  // As wide as the fullest expanded band needs (at least three columns, so the buses' labels fit).
  const fullest = Math.max(0, ...[...members].map(([band, m]) => (isCollapsed(band) ? 3 : m.length)));
  // Collapsed groups take no columns: a host of big collapsed bands stays as narrow as what is drawn.
  const drawn = [...members].reduce((n, [band, m]) => n + (isCollapsed(band) ? 0 : m.length), 0);
  const cols = Math.max(3, Math.min(columnsFor(drawn), fullest));
  const hasPorts = host.ports.length > 0;
  const left = x0 + HOST_PAD + (hasPorts ? PORT_W + 24 : 0);
  const innerW = cols * COL_W;
  // Bands in network creation order; an empty predefined host/none network is left out (nothing to show).
  const bands = host.networks
    .filter((n) => members.has(n.id) || !(n.predefined && (n.driver === 'host' || n.driver === 'null')))
    .map((n) => ({ id: n.id, hasBus: true }));
  if (members.has('')) bands.push({ id: '', hasBus: false });

  const boxes: BoxLayout[] = [];
  const buses: BusLayout[] = [];
  const groups: GroupLayout[] = [];
  const boxById = new Map<string, BoxLayout>();
  let y = y0 + HOST_HEAD;
  for (const band of bands) {
    const bandTop = y;
    y += BAND_TOP;
    const list = members.get(band.id) ?? [];
    if (list.length && isCollapsed(band.id)) {
      // One box for the whole band: its members' ids point at it (a trace or a search lands there).
      const key = groupKey(host.id, band.id);
      const group: GroupLayout = { id: `group/${key}`, key, hostId: host.id, networkId: band.id, members: list.map((sb) => sb.id), x: left, y, w: Math.min(innerW - GUTTER, 3 * COL_W - GUTTER), h: GROUP_H };
      groups.push(group);
      const c = { x: group.x + group.w / 2, y: group.y + group.h / 2 };
      centres.set(group.id, c);
      for (const sb of list) {
        centres.set(sb.id, c);
        for (const m of sb.sharedBy) centres.set(m.id, c);
        for (const e of sb.endpoints) {
          centres.set(e.id, c);
          centres.set(e.linkId, c);
        }
      }
      y += GROUP_H + ROW_GAP;
      if (band.hasBus) {
        y += BUS_GAP - ROW_GAP;
        group.busY = y;
        buses.push({ id: band.id, x1: left - 10, x2: left + innerW - GUTTER + 10, y, bandTop });
        centres.set(band.id, { x: left + innerW / 2, y });
        y += BAND_BOTTOM;
      } else y += 4;
      continue;
    }
    for (let i = 0; i < list.length; i += cols) {
      const row = list.slice(i, i + cols);
      const rowH = Math.max(...row.map((sb) => boxHeight(sb.endpoints.length)));
      row.forEach((sb, j) => {
        const box: BoxLayout = { id: sb.id, band: band.id, x: left + j * COL_W, y, w: BOX_W, h: boxHeight(sb.endpoints.length) };
        boxes.push(box);
        boxById.set(sb.id, box);
        centres.set(sb.id, { x: box.x + box.w / 2, y: box.y + box.h / 2 });
        for (const m of sb.sharedBy) centres.set(m.id, { x: box.x + box.w / 2, y: box.y + box.h / 2 });
      });
      y += rowH + ROW_GAP;
    }
    if (band.hasBus) {
      y += list.length ? BUS_GAP - ROW_GAP : 0;
      buses.push({ id: band.id, x1: left - 10, x2: left + innerW - GUTTER + 10, y, bandTop });
      centres.set(band.id, { x: left + innerW / 2, y });
      y += BAND_BOTTOM;
    } else {
      y += 4;
    }
  }
  const busById = new Map(buses.map((b) => [b.id, b]));
  const row = layoutDevices(host, left, y, innerW, centres);
  y = row.bottom;

  const endpoints: EndpointLayout[] = [];
  const links: LinkLayout[] = [];
  for (const sb of host.sandboxes) {
    const box = boxById.get(sb.id);
    if (!box) continue;
    const n = sb.endpoints.length;
    sb.endpoints.forEach((ep, k) => {
      // Dots spread along the bottom edge, leaving room at the right for the lanes.
      const dx = box.x + 18 + (n === 1 ? 0 : (k * (box.w - 36)) / (n - 1));
      const dy = box.y + box.h;
      endpoints.push({ id: ep.id, sandboxId: sb.id, networkId: ep.networkId, x: dx, y: dy, labelY: box.y + BOX_HEAD + k * IF_ROW + 11 });
      centres.set(ep.id, { x: dx, y: dy });
      const bus = busById.get(ep.networkId);
      if (!bus) return;
      let path: string;
      let busX: number;
      const crossing = bus.id !== box.band;
      if (!crossing) {
        busX = dx;
        path = `M${dx},${dy}V${bus.y}`;
      } else {
        // Through the gutter: a lane per interface, so two links of one box stay apart.
        const lane = box.x + box.w + 8 + Math.min(k, 4) * 5;
        const drop = dy + 7 + Math.min(k, 4) * 2;
        busX = lane;
        path = `M${dx},${dy}V${drop}H${lane}V${bus.y}`;
      }
      links.push({ id: ep.linkId, endpointId: ep.id, networkId: ep.networkId, path, busX, busY: bus.y, crossing });
      centres.set(ep.linkId, { x: busX, y: (dy + bus.y) / 2 });
    });
  }

  // Published ports: tabs down the left edge, each level with the band of its sandbox.
  const ports: PortLayout[] = [];
  const usedY: number[] = [];
  const perBand = new Map<string, number>();
  for (const p of host.ports) {
    const box = boxById.get(p.sandboxId);
    if (!box) continue;
    const k = perBand.get(box.band) ?? 0;
    perBand.set(box.band, k + 1);
    const bandBus = busById.get(box.band);
    const bandTop = bandBus ? bandBus.bandTop : box.y - BAND_TOP;
    const ty = Math.max(bandTop + 4 + k * 22, ...usedY.map((u) => u + 22));
    usedY.push(ty);
    const tx = x0 + HOST_PAD;
    const laneY = bandTop + 8 + (k % 5) * 4;
    const cx = box.x + 20 + (k % 6) * 18;
    const path = `M${tx + PORT_W},${ty + 9}H${tx + PORT_W + 12}V${laneY}H${cx}V${box.y}`;
    ports.push({ id: p.id, sandboxId: p.sandboxId, x: tx, y: ty, w: PORT_W, h: 18, path });
    centres.set(p.id, { x: tx + PORT_W / 2, y: ty + 9 });
  }

  const contentBottom = Math.max(y, ...ports.map((p) => p.y + p.h + 10));
  const w = left - x0 + innerW - GUTTER + HOST_PAD + 16;
  const h = contentBottom - y0 + HOST_PAD;
  centres.set(host.id, { x: x0 + w / 2, y: y0 + 20 });
  for (const i of host.interfaces) centres.set(i.id, { x: x0 + w / 2, y: y0 + 20 });
  return { id: host.id, x: x0, y: y0, w, h, groups, buses, boxes, endpoints, links, ports, devices: row.devices };
}

export function boxHeight(interfaces: number): number {
  return BOX_HEAD + Math.max(1, interfaces) * IF_ROW + 8;
}
