// Draws a snapshot with d3: hosts as regions, networks as buses, sandboxes as boxes holding their
// endpoints, veth links, published ports at the host's edge. Elements are joined by id, so a new
// snapshot updates the picture in place (zoom, pan and selection survive). Interaction is delegated
// from the root: any element with data-id can be selected, and data-target marks trace targets.
import { select, zoom, zoomIdentity, type Selection, type ZoomBehavior, type ZoomTransform } from 'd3';
import type { DiagramHost, DiagramNetwork, DiagramSandbox, DiagramService, DiagramSnapshot } from '../src/protocol/diagram';
import type { TraceView } from '../src/protocol/trace';
import { layoutDiagram, type BusLayout, type DeviceLayout, type DiagramLayout, type HostLayout, type LayoutOptions, type LinkLayout, type PortLayout, type ServiceLayout } from './layout';
import { drawGroups, drawToggles } from './groups';
import { busLabel, portLabel, sandboxLabel } from './a11y';

export interface ViewEvents {
  select(id: string | null): void;
  hover(id: string | null): void;
  /** Double-click on a sandbox: make it the trace source. */
  pickSource(id: string): void;
  /** The view moved (zoom or pan): the webview keeps it in its state. */
  moved(t: { x: number; y: number; k: number }): void;
  /** A collapsed group (or a group's toggle) was activated: expand or collapse it. */
  toggleGroup(key: string): void;
}

// d3's selections carry their parents' types; drawing code does not care where a group came from.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sel<E extends Element> = Selection<E, any, any, any>;
type G = Sel<SVGGElement>;

export class DiagramView {
  readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly viewport: G;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private layout: DiagramLayout | undefined;
  /** Drawn elements by id (a sandbox's box, an endpoint's dot and label, …). */
  private byId = new Map<string, Element[]>();
  private lit: Element[] = [];
  private dropMarkEl: SVGGElement | null = null;
  private focused: Element[] = [];
  private selected: string | null = null;
  private source: string | null = null;
  /** The user zoomed or panned: the view is theirs, resizes do not refit it. */
  userMoved = false;
  /** The svg element's size (see the constructor): width and height, 0 while hidden. */
  private viewSize: { w: number; h: number };

  constructor(host: HTMLElement, events: ViewEvents) {
    this.svg = select(host).append('svg').attr('class', 'diagram').attr('xmlns', 'http://www.w3.org/2000/svg');
    this.svg.append('title').text('Topology diagram');
    this.viewport = this.svg.append('g').attr('class', 'viewport');
    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.05, 4])
      // The svg's size as kept below: d3's default reads the svg's width, a forced layout of the whole drawing.
      .extent(() => {
        const { w, h } = this.size();
        return [[0, 0], [w, h]];
      })
      .on('zoom', (e: { transform: ZoomTransform; sourceEvent: unknown }) => {
        this.viewport.attr('transform', e.transform.toString());
        // Level of detail: text too small to read is not drawn (a big topology paints much faster).
        this.setDetail(e.transform.k);
        // Only the user's own zooming and panning counts as a chosen view (kept, never refitted).
        if (e.sourceEvent) this.userMoved = true;
        events.moved({ x: e.transform.x, y: e.transform.y, k: e.transform.k });
      });
    this.svg.call(this.zoomer).on('dblclick.zoom', null);
    const root = this.svg.node()!;
    // The drawing's size as the last resize left it (the svg fills `host`): reading clientWidth after drawing
    // a big topology forces a layout of every element in the middle of the frame (hundreds of ms at 2,000
    // containers). The panel may still be growing when the first snapshot arrives: fit again as it settles.
    this.viewSize = { w: root.clientWidth, h: root.clientHeight };
    new ResizeObserver(([e]) => {
      if (e) this.viewSize = { w: Math.round(e.contentRect.width), h: Math.round(e.contentRect.height) };
      if (!this.userMoved && this.layout) this.fit();
    }).observe(root);
    root.addEventListener('click', (e) => {
      const group = (e.target as Element).closest?.('[data-group]');
      if (group) return events.toggleGroup(group.getAttribute('data-group')!);
      const id = idOf(e.target);
      this.setSelection(id);
      events.select(id);
    });
    root.addEventListener('dblclick', (e) => {
      const el = (e.target as Element).closest?.('[data-source]');
      if (el) events.pickSource(el.getAttribute('data-id')!);
    });
    let hovered: string | null = null;
    root.addEventListener('mouseover', (e) => {
      const t = (e.target as Element).closest?.('[data-target]');
      const id = t ? t.getAttribute('data-id') : null;
      if (id !== hovered) {
        hovered = id;
        events.hover(id);
      }
    });
    root.addEventListener('mouseleave', () => {
      hovered = null;
      events.hover(null);
    });
  }

  /** Draws (or redraws) a snapshot. */
  render(snapshot: DiagramSnapshot, opts: LayoutOptions = {}): DiagramLayout {
    const layout = layoutDiagram(snapshot, opts);
    this.layout = layout;
    const hostData = snapshot.hosts.map((h, i) => ({ host: h, layout: layout.hosts[i]! }));
    this.viewport.selectAll<SVGGElement, (typeof hostData)[number]>('g.host')
      .data(hostData, (d) => d.host.id)
      .join((enter) => enter.append('g').attr('class', 'host'))
      .each(function (d) {
        drawHost(select(this), d.host, d.layout);
      });
    // Networks that span hosts: their buses joined across the gap, as the VXLAN tunnel joins them.
    const tunnels = this.viewport.selectAll<SVGGElement, unknown>('g.tunnels').data([0]).join('g').attr('class', 'tunnels');
    tunnels.selectAll<SVGGElement, DiagramLayout['tunnels'][number]>('g.tunnel')
      .data(layout.tunnels, (d) => d.id)
      .join((e) => {
        const t = e.append('g').attr('class', 'tunnel');
        t.append('path');
        t.append('text');
        t.append('title');
        return t;
      })
      .call((t) => {
        t.select('path').attr('d', (d) => d.path);
        t.select('text').attr('x', (d) => d.labelX).attr('y', (d) => d.labelY).text((d) => d.label);
        t.select('title').text((d) => `${d.network} spans both hosts: its traffic between them travels over the hosts' own network (${d.label})`);
      });
    drawDeviceTunnels(this.viewport, snapshot, layout);
    drawServices(this.viewport, snapshot, layout);
    this.index();
    // A container in another's namespace is drawn as part of that one's box: its id finds the box.
    for (const h of snapshot.hosts) for (const sb of h.sandboxes) for (const m of sb.sharedBy) this.byId.set(m.id, this.byId.get(sb.id) ?? []);
    this.aliasGroups(snapshot, layout);
    // A selection or a lit path that still exists stays; one that vanished is dropped.
    this.setSelection(this.selected && this.byId.has(this.selected) ? this.selected : null);
    this.markSource(this.source && this.byId.has(this.source) ? this.source : null);
    return layout;
  }

  private index(): void {
    this.byId = new Map();
    for (const el of this.svg.node()!.querySelectorAll('[data-id]')) {
      const id = el.getAttribute('data-id')!;
      const list = this.byId.get(id);
      if (list) list.push(el);
      else this.byId.set(id, [el]);
    }
    this.lit = this.lit.filter((el) => el.isConnected);
  }

  /** A collapsed group stands for its members: their ids (and their endpoints' and links') find its box. */
  private aliasGroups(snapshot: DiagramSnapshot, layout: DiagramLayout): void {
    layout.hosts.forEach((hl, i) => {
      if (!hl.groups.length) return;
      const sbById = new Map(snapshot.hosts[i]!.sandboxes.map((sb) => [sb.id, sb]));
      for (const g of hl.groups) {
        const els = this.byId.get(g.id) ?? [];
        for (const id of g.members) {
          const sb = sbById.get(id);
          if (!sb) continue;
          for (const x of [sb.id, ...sb.sharedBy.map((m) => m.id), ...sb.endpoints.flatMap((e) => [e.id, e.linkId])]) if (!this.byId.has(x)) this.byId.set(x, els);
        }
      }
    });
  }

  get currentLayout(): DiagramLayout | undefined {
    return this.layout;
  }

  /** The elements drawn for an id (a hidden member's: its group's box). */
  elementsOf(id: string): Element[] {
    return this.byId.get(id) ?? [];
  }

  private marks = new Map<string, Element[]>();
  /** Puts class `cls` on the elements of `ids` only (search hits, focus): touches only what changes. */
  mark(cls: string, ids: Iterable<string> | null): void {
    for (const el of this.marks.get(cls) ?? []) el.classList.remove(cls);
    const els: Element[] = [];
    for (const id of ids ?? []) for (const el of this.byId.get(id) ?? []) {
      el.classList.add(cls);
      els.push(el);
    }
    this.marks.set(cls, els);
  }

  /** Centres the view on an element, at least at zoom `k` (readable). */
  centreOn(id: string, k = 1): void {
    const c = this.layout?.centres.get(id);
    if (!c) return;
    const node = this.svg.node()!;
    const t = zoomTransformOf(node);
    const scale = Math.max(t.k, k);
    const { w, h } = this.size(800, 600);
    this.userMoved = true;
    this.svg.call(this.zoomer.transform, zoomIdentity.translate(w / 2 - c.x * scale, h / 2 - c.y * scale).scale(scale));
  }

  /** Fits the view to the centres of `ids` (a neighbourhood, a trace's path). */
  fitTo(ids: Iterable<string>): void {
    const pts = [...ids].map((id) => this.layout?.centres.get(id)).filter((c): c is { x: number; y: number } => !!c);
    if (!pts.length) return;
    const { w, h } = this.size(800, 600);
    const x1 = Math.min(...pts.map((p) => p.x)) - 120, x2 = Math.max(...pts.map((p) => p.x)) + 120;
    const y1 = Math.min(...pts.map((p) => p.y)) - 90, y2 = Math.max(...pts.map((p) => p.y)) + 90;
    const k = Math.min(1.25, Math.max(0.05, Math.min(w / (x2 - x1), h / (y2 - y1))));
    this.userMoved = true;
    this.svg.call(this.zoomer.transform, zoomIdentity.translate(w / 2 - ((x1 + x2) / 2) * k, h / 2 - ((y1 + y2) / 2) * k).scale(k));
  }

  /** Pans so that a diagram point is in the middle (the minimap). */
  panTo(x: number, y: number): void {
    this.userMoved = true;
    this.svg.call(this.zoomer.translateTo, x, y);
  }

  get transform(): { x: number; y: number; k: number } {
    const t = zoomTransformOf(this.svg.node()!);
    return { x: t.x, y: t.y, k: t.k };
  }

  private packetEl: SVGGElement | null = null;
  /** The step-through's packet: a marker at a diagram point that glides to the next one (CSS transition). */
  movePacket(at: { x: number; y: number } | null, label = ''): void {
    if (!at) {
      this.packetEl?.remove();
      this.packetEl = null;
      return;
    }
    if (!this.packetEl) {
      const g = this.viewport.append('g').attr('class', 'packet').attr('aria-hidden', 'true');
      g.append('circle').attr('r', 9);
      g.append('text').attr('class', 'packet-label').attr('x', 13).attr('y', -10);
      this.packetEl = g.node();
    } else this.viewport.node()!.appendChild(this.packetEl); // on top of what was drawn since
    this.packetEl!.setAttribute('transform', `translate(${at.x},${at.y})`);
    this.packetEl!.querySelector('text')!.textContent = label;
  }

  private detail = '';
  private setDetail(k: number): void {
    const detail = k < 0.22 ? 'lod-min' : k < 0.5 ? 'lod-low' : '';
    if (detail === this.detail) return;
    this.svg.classed('lod-min', detail === 'lod-min').classed('lod-low', detail !== '');
    this.detail = detail;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  setSelection(id: string | null): void {
    for (const el of this.byId.get(this.selected ?? '') ?? []) el.classList.remove('selected');
    this.selected = id;
    for (const el of this.byId.get(id ?? '') ?? []) el.classList.add('selected');
  }

  get selection(): string | null {
    return this.selected;
  }

  markSource(id: string | null): void {
    for (const el of this.byId.get(this.source ?? '') ?? []) el.classList.remove('trace-source');
    this.source = id;
    for (const el of this.byId.get(id ?? '') ?? []) el.classList.add('trace-source');
    this.svg.classed('tracing', id !== null);
  }

  /**
   * Lights a trace's path hop by hop (CSS animation delays per hop); the hop where it ends undelivered
   * gets the drop mark. Only previously lit elements are touched, so this stays fast on big diagrams.
   */
  highlight(trace: TraceView | null, targetId: string | null): void {
    for (const el of this.lit) {
      el.classList.remove('lit', 'lit-drop', 'lit-target', 'lit-ok', 'lit-unknown', 'lit-backend', 'lit-backend-bad');
      (el as SVGElement).style.removeProperty('--hop');
    }
    this.lit = [];
    this.dropMarkEl?.remove();
    this.dropMarkEl = null;
    if (!trace) return;
    const light = (id: string, hop: number, cls: string) => {
      for (const el of this.byId.get(id) ?? []) {
        el.classList.add('lit', cls);
        (el as SVGElement).style.setProperty('--hop', String(hop));
        this.lit.push(el);
      }
    };
    trace.hops.forEach((hop, i) => {
      for (const id of hop.elements) light(id, i, hop.drop ? 'lit-drop' : hop.unknown ? 'lit-unknown' : 'lit-ok');
    });
    // Load balancing: every task IPVS may pick is marked (with its own connection's verdict), and the
    // service's lines to them; the path drawn is the first connection's.
    const spread = trace.spread;
    if (spread) {
      const at = trace.hops.length;
      if (spread.serviceId) light(spread.serviceId, at, 'lit-ok');
      for (const b of spread.backends) {
        if (!b.element) continue;
        const cls = b.verdict === 'delivered' ? 'lit-backend' : 'lit-backend-bad';
        light(b.element, at, cls);
        if (spread.serviceId) light(`${spread.serviceId}~${b.element}`, at, cls);
      }
    }
    // Unknown is its own state: never drawn in the drop colour, on the way or at the target.
    if (targetId) light(targetId, trace.hops.length, trace.verdict === 'delivered' ? 'lit-target' : trace.verdict === 'unknown' ? 'lit-unknown' : 'lit-drop');
    const dropHop = trace.hops.findIndex((h) => h.drop || h.unknown);
    if (dropHop >= 0) {
      const where = [...trace.hops[dropHop]!.elements].reverse().map((id) => this.layout?.centres.get(id)).find(Boolean)
        ?? (targetId ? this.layout?.centres.get(targetId) : undefined);
      if (where) this.dropMark(where.x, where.y, dropHop, trace.verdict);
    }
  }

  /**
   * An ✕ where the packet ends (or a ? when the name did not resolve); for `unknown`, a dashed ring
   * with "?" where the engine stops following it: the packet may well go on.
   */
  private dropMark(x: number, y: number, hop: number, verdict: string): void {
    const unknown = verdict === 'unknown';
    const g = this.viewport.append('g').attr('class', unknown ? 'drop-mark unknown-mark' : 'drop-mark').attr('transform', `translate(${x},${y})`);
    this.dropMarkEl = g.node();
    this.dropMarkEl!.style.setProperty('--hop', String(hop));
    g.append('circle').attr('r', 11);
    g.append('text').attr('text-anchor', 'middle').attr('dy', '0.35em').text(verdict === 'unresolved' || unknown ? '?' : '✕');
    g.append('title').text(unknown ? 'unknown: the engine cannot follow the packet past here' : `the packet ends here: ${verdict}`);
  }

  /** Lights one hop's elements (the side panel's hop under the mouse). */
  focusHop(ids: string[] | null): void {
    for (const el of this.focused) el.classList.remove('hop-focus');
    this.focused = (ids ?? []).flatMap((id) => this.byId.get(id) ?? []);
    for (const el of this.focused) el.classList.add('hop-focus');
  }

  /**
   * Fits the drawing to the view. `readable` (opening, resizing): a drawing that would fit only at a
   * zoom where names are not drawn opens instead at a readable zoom on its top left (the minimap shows
   * the whole); the Fit button fits it all.
   */
  fit(readable = true): void {
    const l = this.layout;
    const { w, h } = this.size(800, 600);
    if (!l || l.width === 0) return;
    const k = Math.min(1.25, Math.max(0.05, Math.min((w - 40) / l.width, (h - 40) / l.height)));
    if (readable && k < 0.45) {
      this.svg.call(this.zoomer.transform, zoomIdentity.translate(20, 20).scale(0.6));
      return;
    }
    const t = zoomIdentity.translate((w - l.width * k) / 2, Math.max(20, (h - l.height * k) / 2)).scale(k);
    this.svg.call(this.zoomer.transform, t);
  }

  /** The drawing's width and height; `orW`/`orH` for a side that is 0 (a hidden panel). */
  size(orW = 0, orH = 0): { w: number; h: number } {
    return { w: this.viewSize.w || orW, h: this.viewSize.h || orH };
  }

  zoomBy(factor: number): void {
    this.userMoved = true;
    this.svg.call(this.zoomer.scaleBy, factor);
  }

  setTransform(t: { x: number; y: number; k: number }): void {
    this.svg.call(this.zoomer.transform, zoomIdentity.translate(t.x, t.y).scale(t.k));
  }

  /** Pans so that an element is in view (when it is not). */
  reveal(id: string): void {
    const c = this.layout?.centres.get(id);
    const node = this.svg.node()!;
    if (!c) return;
    const t = zoomTransformOf(node);
    const sx = c.x * t.k + t.x, sy = c.y * t.k + t.y;
    const { w, h } = this.size();
    if (sx > 40 && sy > 40 && sx < w - 40 && sy < h - 40) return;
    this.svg.call(this.zoomer.translateTo, c.x, c.y);
  }
}

function zoomTransformOf(node: SVGSVGElement): ZoomTransform {
  return (node as unknown as { __zoom?: ZoomTransform }).__zoom ?? zoomIdentity;
}

function idOf(target: EventTarget | null): string | null {
  const el = (target as Element | null)?.closest?.('[data-id]');
  return el ? el.getAttribute('data-id') : null;
}

// ── drawing ─────────────────────────────────────────────────────────────────

function drawHost(g: G, host: DiagramHost, l: HostLayout): void {
  const frame = ensure(g, 'rect.host-frame', 'rect');
  frame.attr('role', 'button').attr('aria-label', `host ${host.name}, Docker ${host.dockerVersion}, ${host.sandboxes.length} sandboxes, ${host.networks.length} networks`);
  frame.attr('class', 'host-frame').attr('data-id', host.id).attr('x', l.x).attr('y', l.y).attr('width', l.w).attr('height', l.h).attr('rx', 10);
  const head = ensure(g, 'text.host-title', 'text').attr('class', 'host-title').attr('x', l.x + 14).attr('y', l.y + 22);
  head.selectAll('tspan').remove();
  head.append('tspan').attr('class', 'host-name').attr('data-id', host.id).text(host.name);
  head.append('tspan').attr('class', 'host-meta').attr('dx', 10).text(`Docker ${host.dockerVersion}`);
  for (const i of host.interfaces) {
    head.append('tspan').attr('class', 'host-if').attr('data-id', i.id).attr('data-target', '').attr('dx', 14).text(`${i.name} ${i.address}`);
  }
  const netById = new Map(host.networks.map((n) => [n.id, n]));
  const sbById = new Map(host.sandboxes.map((s) => [s.id, s]));

  layer(g, 'buses').selectAll<SVGGElement, BusLayout>('g.bus')
    .data(l.buses, (d) => d.id)
    .join((e) => e.append('g').attr('class', 'bus'))
    .each(function (b) {
      drawBus(select(this), b, netById.get(b.id)!);
    });

  drawGroups(layer(g, 'groups'), host, l);
  drawToggles(layer(g, 'toggles'), host, l);

  layer(g, 'links').selectAll<SVGPathElement, LinkLayout>('path.link')
    .data(l.links, (d) => d.id)
    .join('path')
    .attr('class', (d) => `link driver-${cls(netById.get(d.networkId)?.driver)}`)
    .attr('data-id', (d) => d.id)
    .attr('d', (d) => d.path);

  // Where a link through the gutter meets its bus: a dot, so a link that only crosses a bus reads as crossing.
  layer(g, 'junctions').selectAll<SVGCircleElement, LinkLayout>('circle.junction')
    .data(l.links.filter((d) => d.crossing), (d) => d.id)
    .join('circle')
    .attr('class', (d) => `junction driver-${cls(netById.get(d.networkId)?.driver)}`)
    .attr('data-id', (d) => d.id)
    .attr('cx', (d) => d.busX)
    .attr('cy', (d) => d.busY)
    .attr('r', 3.5);

  layer(g, 'port-links').selectAll<SVGPathElement, PortLayout>('path.port-link')
    .data(l.ports, (d) => d.id)
    .join('path')
    .attr('class', 'port-link')
    .attr('data-id', (d) => d.id)
    .attr('d', (d) => d.path);

  const portById = new Map(host.ports.map((p) => [p.id, p]));
  layer(g, 'ports').selectAll<SVGGElement, PortLayout>('g.port')
    .data(l.ports, (d) => d.id)
    .join((e) => {
      const p = e.append('g').attr('class', 'port');
      p.append('rect').attr('rx', 4);
      p.append('text');
      p.append('title');
      return p;
    })
    .attr('data-id', (d) => d.id)
    .attr('data-target', '')
    .attr('role', 'button')
    .attr('aria-label', (d) => portLabel(portById.get(d.id)!, sbById.get(d.sandboxId)?.name ?? ''))
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .each(function (d) {
      const p = portById.get(d.id)!;
      const s = select(this);
      const ip = p.hostIp.includes(':') ? `[${p.hostIp}]` : p.hostIp;
      s.select('rect').attr('width', d.w).attr('height', d.h);
      s.select('text').attr('x', 6).attr('y', 13).text(`${ip}:${p.hostPort} → ${p.containerPort}/${p.proto}`);
      s.select('title').text(`published port: ${ip}:${p.hostPort}/${p.proto} → ${sbById.get(p.sandboxId)?.name ?? ''}:${p.containerPort}`);
    });

  drawDevices(g, host, l);

  // Bulk updates (d3's select passes each box's datum to its children): one pass per attribute, no
  // per-box queries, so a 2,000-sandbox host draws fast.
  const boxData = l.boxes.map((b) => ({ b, sb: sbById.get(b.id)! }));
  const boxes = layer(g, 'boxes').selectAll<SVGGElement, (typeof boxData)[number]>('g.sandbox')
    .data(boxData, (d) => d.b.id)
    .join((enter) => {
      const e = enter.append('g');
      e.append('rect').attr('class', 'box').attr('rx', 6);
      e.append('text').attr('class', 'box-name').attr('x', 8).attr('y', 15);
      e.append('text').attr('class', 'box-mode').attr('x', 8).attr('y', 28);
      e.append('title');
      return e;
    })
    .attr('class', (d) => `sandbox mode-${d.sb.mode}`)
    .attr('data-id', (d) => d.sb.id)
    .attr('data-target', '')
    .attr('data-source', (d) => (d.sb.mode === 'stopped' || d.sb.mode === 'ingress' ? null : ''))
    .attr('role', 'button')
    .attr('aria-label', (d) => sandboxLabel(d.sb, netById))
    .attr('transform', (d) => `translate(${d.b.x},${d.b.y})`);
  boxes.select('rect.box').attr('width', (d) => d.b.w).attr('height', (d) => d.b.h);
  boxes.select('text.box-name').text((d) => clip(membersOf(d.sb), 20));
  boxes.select('text.box-mode').text((d) => clip(modeLine(d.sb), 24));
  boxes.select('title').text((d) => sandboxTooltip(d.sb, netById));
  boxes.selectAll<SVGTextElement, DiagramSandbox['endpoints'][number]>('text.if-row')
    .data((d) => d.sb.endpoints, (e) => e.id)
    .join('text')
    .attr('class', 'if-row')
    .attr('data-id', (e) => e.id)
    .attr('x', 8)
    .attr('y', (_e, i) => 45 + i * 15)
    .text((e) => `${e.ifname} ${e.ipv4 ?? e.ipv6 ?? (e.addressUnknown ? 'address unknown' : '')}`);

  layer(g, 'endpoints').selectAll<SVGCircleElement, HostLayout['endpoints'][number]>('circle.endpoint')
    .data(l.endpoints, (d) => d.id)
    .join('circle')
    .attr('class', (d) => `endpoint driver-${cls(netById.get(d.networkId)?.driver)}`)
    .attr('data-id', (d) => d.id)
    .attr('data-target', '')
    .attr('cx', (d) => d.x)
    .attr('cy', (d) => d.y)
    .attr('r', 4.5);
}

/** The drivers' own devices (tunl0, the weave router, pipework's links): a box with its lines. */
function drawDevices(g: G, host: DiagramHost, l: HostLayout): void {
  const byId = new Map((host.devices ?? []).map((d) => [d.id, d]));
  layer(g, 'devices').selectAll<SVGGElement, DeviceLayout>('g.device')
    .data(l.devices, (d) => d.id)
    .join((e) => {
      const d = e.append('g');
      d.append('rect').attr('class', 'device-box').attr('rx', 4);
      d.append('text').attr('class', 'device-name').attr('x', 8).attr('y', 14);
      d.append('title');
      return d;
    })
    .attr('class', (d) => `device driver-${cls(byId.get(d.id)?.driver)} kind-${cls(byId.get(d.id)?.kind)}`)
    .attr('data-id', (d) => d.id)
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .each(function (d) {
      const dev = byId.get(d.id)!;
      const s = select(this);
      s.select('rect').attr('width', d.w).attr('height', d.h);
      s.select('text.device-name').text(dev.name.includes(dev.driver) ? dev.name : `${dev.name} (${dev.driver})`);
      s.selectAll<SVGTextElement, string>('text.device-line')
        .data(dev.lines)
        .join('text')
        .attr('class', 'device-line')
        .attr('x', 8)
        .attr('y', (_t, i) => 29 + i * 13)
        .text((t) => clip(t, Math.floor((d.w - 14) / 6.2)));
      s.select('title').text([`${dev.name} (${dev.driver}, ${dev.kind})`, ...dev.lines].join('\n'));
    });
}

/**
 * Swarm services above the hosts: a box per service (mode, endpoint mode, a VIP per network, the ports
 * published on the routing mesh) with a line down to each of its tasks' boxes.
 */
function drawServices(viewport: G, snapshot: DiagramSnapshot, layout: DiagramLayout): void {
  const byId = new Map((snapshot.services ?? []).map((s) => [s.id, s]));
  const g = viewport.selectAll<SVGGElement, unknown>('g.services').data([0]).join('g').attr('class', 'services');
  const links = layout.services.flatMap((sl) => sl.links);
  g.selectAll<SVGPathElement, ServiceLayout['links'][number]>('path.service-link')
    .data(links, (d) => d.id)
    .join('path')
    .attr('class', 'service-link')
    .attr('data-id', (d) => d.id)
    .attr('d', (d) => d.path);
  g.selectAll<SVGGElement, ServiceLayout>('g.service')
    .data(layout.services, (d) => d.id)
    .join((e) => {
      const s = e.append('g').attr('class', 'service');
      s.append('rect').attr('class', 'service-box').attr('rx', 8);
      s.append('text').attr('class', 'service-name').attr('x', 10).attr('y', 16);
      s.append('text').attr('class', 'service-meta').attr('x', 10).attr('y', 30);
      s.append('title');
      return s;
    })
    .attr('data-id', (d) => d.id)
    .attr('data-target', '')
    .attr('role', 'button')
    .attr('aria-label', (d) => serviceLabel(byId.get(d.id)!))
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .each(function (d) {
      const sv = byId.get(d.id)!;
      const s = select(this);
      s.select('rect').attr('width', d.w).attr('height', d.h);
      s.select('text.service-name').text(clip(`service ${sv.name}`, 34));
      s.select('text.service-meta').text(clip(`${sv.mode} ${sv.tasks.length}/${sv.replicas} · endpoint_mode ${sv.endpointMode}`, 40));
      const vipLines = sv.endpointMode === 'vip' ? sv.vips.map((v) => `VIP ${v.address} · ${v.network}${v.ingress ? ' (ingress)' : ''}`) : ['DNS round robin: no VIP'];
      s.selectAll<SVGTextElement, string>('text.service-vip')
        .data(vipLines)
        .join('text')
        .attr('class', 'service-vip')
        .attr('x', 10)
        .attr('y', (_t, i) => 47 + i * 14)
        .text((t) => clip(t, 40));
      s.selectAll<SVGTextElement, DiagramService['ports'][number]>('text.mesh-port')
        .data(sv.ports, (p) => p.id)
        .join('text')
        .attr('class', 'mesh-port')
        .attr('data-id', (p) => p.id)
        .attr('data-target', '')
        .attr('role', 'button')
        .attr('aria-label', (p) => `routing mesh port ${p.published}/${p.proto} to ${sv.name}'s port ${p.target}, open on every node`)
        .attr('x', 10)
        .attr('y', (_p, i) => 47 + (vipLines.length + i) * 14)
        .text((p) => clip(`mesh :${p.published} → ${p.target}/${p.proto} on every node`, 40));
      s.select('title').text([
        `swarm service ${sv.name} (${sv.mode}, ${sv.replicas} replicas), image ${sv.image}`,
        ...vipLines,
        ...sv.ports.map((p) => `published ${p.published}/${p.proto} on the routing mesh → port ${p.target}`),
        ...sv.tasks.map((t) => `task ${t.name} on ${t.host}: ${t.addresses.map((a) => `${a.address} (${a.network})`).join(', ')}`),
        'hover while tracing: trace to the service by its name',
      ].join('\n'));
    });
}

function serviceLabel(sv: DiagramService): string {
  const vips = sv.endpointMode === 'vip' ? sv.vips.map((v) => `VIP ${v.address} on ${v.network}`).join(', ') : 'DNS round robin';
  return `swarm service ${sv.name}, ${sv.tasks.length} of ${sv.replicas} tasks, ${vips}${sv.ports.length ? `, routing mesh ports ${sv.ports.map((p) => `${p.published}/${p.proto}`).join(', ')}` : ''}`;
}

/** A driver's tunnels between two hosts' devices (IP-in-IP, the weave router's VXLAN or sleeve). */
function drawDeviceTunnels(viewport: G, snapshot: DiagramSnapshot, layout: DiagramLayout): void {
  const byId = new Map((snapshot.deviceTunnels ?? []).map((t) => [t.id, t]));
  const g = viewport.selectAll<SVGGElement, unknown>('g.device-tunnels').data([0]).join('g').attr('class', 'device-tunnels');
  g.selectAll<SVGGElement, DiagramLayout['deviceTunnels'][number]>('g.device-tunnel')
    .data(layout.deviceTunnels, (d) => d.id)
    .join((e) => {
      const t = e.append('g');
      t.append('path');
      t.append('text').attr('text-anchor', 'middle');
      t.append('title');
      return t;
    })
    .attr('class', (d) => `device-tunnel driver-${cls(byId.get(d.id)?.driver)}`)
    .attr('data-id', (d) => d.id)
    .call((t) => {
      t.select('path').attr('d', (d) => d.path);
      t.select('text').attr('x', (d) => d.labelX).attr('y', (d) => d.labelY).text((d) => byId.get(d.id)?.label ?? '');
      t.select('title').text((d) => {
        const x = byId.get(d.id);
        return x ? `${x.network} (${x.driver}) between the hosts: ${x.label}` : '';
      });
    });
}

function drawBus(g: G, b: BusLayout, n: DiagramNetwork): void {
  g.attr('data-id', n.id).attr('data-target', '').attr('class', `bus driver-${cls(n.driver)}${n.internal ? ' internal' : ''}${n.predefined ? ' predefined' : ''}`)
    .attr('role', 'button').attr('aria-label', busLabel(n));
  ensure(g, 'line.bus-hit', 'line').attr('class', 'bus-hit').attr('x1', b.x1).attr('x2', b.x2).attr('y1', b.y).attr('y2', b.y);
  ensure(g, 'line.bus-line', 'line').attr('class', 'bus-line').attr('x1', b.x1).attr('x2', b.x2).attr('y1', b.y).attr('y2', b.y);
  const rest = [`${n.driver}${n.predefined && n.driver === 'bridge' ? ' (default)' : ''}`, n.subnet ?? (n.addressesUnknown ? 'external · subnet unknown' : ''), n.gateway ? `gw ${n.gateway}` : '', n.device, n.internal ? 'internal' : ''].filter(Boolean).join(' · ');
  const label = ensure(g, 'text.bus-label', 'text').attr('class', 'bus-label').attr('x', b.x1 + 4).attr('y', b.y + 17);
  label.selectAll('tspan').remove();
  label.append('tspan').attr('class', 'bus-name').text(n.name);
  label.append('tspan').attr('dx', 8).text(rest);
  ensure(g, 'title', 'title').text(`network ${n.name} (${n.driver})${n.subnet ? `, ${n.subnet}` : ''}${n.gateway ? `, gateway ${n.gateway}` : ''}`);
}

function membersOf(sb: DiagramSandbox): string {
  return [sb.name, ...sb.sharedBy.map((m) => m.name)].join(' + ');
}

function modeLine(sb: DiagramSandbox): string {
  if (sb.mode === 'host') return 'host network namespace';
  if (sb.mode === 'none') return 'lo only';
  if (sb.mode === 'stopped') return 'not running';
  if (sb.mode === 'ingress') return sb.listening.length ? `mesh IPVS ${sb.listening.join(' ')}` : 'routing mesh (IPVS)';
  if (sb.sharedBy.length) return 'shared namespace';
  return sb.listening.length ? `listens ${sb.listening.join(' ')}` : sb.image;
}

function sandboxTooltip(sb: DiagramSandbox, nets: Map<string, DiagramNetwork>): string {
  if (sb.mode === 'ingress') {
    return [
      'ingress-sbox: the routing mesh\'s namespace on this swarm node (not a container)',
      'A connection to a published port is DNATed (nat DOCKER-INGRESS) to its docker_gwbridge address; IPVS in it picks a task, SNATs to its ingress address and sends it over the ingress overlay.',
      ...sb.endpoints.map((e) => `${e.ifname} on ${nets.get(e.networkId)?.name ?? '?'}: ${[e.ipv4, e.mac && `MAC ${e.mac}`, e.veth && `veth ${e.veth}`].filter(Boolean).join(', ')}`),
      sb.listening.length ? `IPVS serves ${sb.listening.join(', ')}` : 'no published port yet',
    ].join('\n');
  }
  return [
    membersOf(sb),
    sb.mode === 'host' ? 'network_mode: host' : sb.mode === 'none' ? 'network_mode: none' : '',
    sb.sharedBy.length ? `${sb.sharedBy.map((m) => m.name).join(', ')} share ${sb.name}'s namespace` : '',
    `image ${sb.image}`,
    ...sb.endpoints.map((e) => `${e.ifname} on ${nets.get(e.networkId)?.name ?? '?'}: ${[e.ipv4, e.ipv6, e.mac && `MAC ${e.mac}`, e.veth && `veth ${e.veth}`, e.aliases.length ? `aliases ${e.aliases.join(', ')}` : ''].filter(Boolean).join(', ')}`),
    sb.listening.length ? `listens on ${sb.listening.join(', ')}` : '',
    'double-click: trace from here',
  ].filter(Boolean).join('\n');
}

/** A child group used as a z-order layer, created once. */
function layer(g: G, name: string): G {
  const l: G = g.select<SVGGElement>(`:scope > g.layer-${name}`);
  return l.empty() ? g.append('g').attr('class', `layer-${name}`) : l;
}

function ensure<K extends keyof SVGElementTagNameMap>(g: G, selector: string, tag: K): Sel<SVGElementTagNameMap[K]> {
  const s: Sel<SVGElementTagNameMap[K]> = g.select<SVGElementTagNameMap[K]>(`:scope > ${selector}`);
  return s.empty() ? (g.append(tag) as unknown as Sel<SVGElementTagNameMap[K]>) : s;
}

function cls(driver: string | undefined): string {
  return (driver ?? 'unknown').replace(/[^a-z0-9-]/gi, '_');
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
