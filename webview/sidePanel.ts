// The side panel: trace controls (source, protocol, port, name or address), the verdict with its
// reason and fix, the hops as an event list (each with the rule or reason that decided), and the
// details of the selected element. Plain DOM with @vscode-elements controls; data goes in through
// textContent only.
import type { DiagramSnapshot } from '../src/protocol/diagram';
import type { NameResolution } from '../src/protocol/messages';
import { hopLabel, VERDICTS, type ServiceSpread, type TraceProto, type TraceView, type Verdict } from '../src/protocol/trace';

/** The legend under a trace: every verdict in its colour, `unknown` apart from the drop colour. */
const VERDICT_MEANING: Readonly<Record<Verdict, string>> = {
  delivered: 'reaches a listener',
  refused: 'answered: nothing listens',
  dropped: 'discarded on the way',
  unresolved: 'the name does not resolve',
  unknown: 'the engine cannot know',
};

export interface TraceSettings {
  proto: TraceProto;
  port?: number;
  targetBy: 'name' | 'address';
}

export interface PanelEvents {
  settingsChanged(s: TraceSettings): void;
  traceFromSelection(): void;
  clearSource(): void;
  reveal(id: string): void;
  focusHop(elements: string[] | null): void;
  /** A hop in the list was clicked: step to it. */
  pickHop?(index: number): void;
  /** A hop's "rule" link: open the rules view at the rule that decided it. */
  showRule?(ref: NonNullable<TraceView['hops'][number]['ruleRef']>): void;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class SidePanel {
  readonly root: HTMLElement;
  private readonly sourceLine: HTMLElement;
  private readonly verdict: HTMLElement;
  private readonly resolution: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly hops: HTMLOListElement;
  private readonly details: HTMLElement;
  private readonly protoSelect: HTMLElement & { value: string };
  private readonly portField: HTMLElement & { value: string };
  private readonly byAddress: HTMLElement & { checked: boolean };
  private readonly clearButton: HTMLElement;
  private readonly hint: HTMLElement;
  /** Where the step-through controls go: under the verdict, above the hop list. */
  readonly stepSlot: HTMLElement;
  private settingsValue: TraceSettings;

  constructor(parent: HTMLElement, private readonly events: PanelEvents, initial: TraceSettings) {
    this.settingsValue = initial;
    this.root = el('aside', 'side-panel');
    this.root.setAttribute('aria-label', 'Trace and details');
    parent.appendChild(this.root);

    const traceSection = el('section', 'trace-controls');
    traceSection.appendChild(el('h2', undefined, 'Packet trace'));
    this.sourceLine = el('div', 'source-line');
    traceSection.appendChild(this.sourceLine);

    const row = el('div', 'control-row');
    this.protoSelect = document.createElement('vscode-single-select') as HTMLElement & { value: string };
    this.protoSelect.setAttribute('aria-label', 'Protocol');
    this.protoSelect.className = 'proto';
    for (const [value, label] of [['icmp', 'ICMP (ping)'], ['tcp', 'TCP'], ['udp', 'UDP']] as const) {
      const o = document.createElement('vscode-option');
      o.setAttribute('value', value);
      o.textContent = label;
      if (value === initial.proto) o.setAttribute('selected', '');
      this.protoSelect.appendChild(o);
    }
    this.portField = document.createElement('vscode-textfield') as HTMLElement & { value: string };
    this.portField.className = 'port';
    this.portField.setAttribute('placeholder', 'port');
    this.portField.setAttribute('aria-label', 'Port');
    if (initial.port) this.portField.setAttribute('value', String(initial.port));
    row.append(this.protoSelect, this.portField);
    traceSection.appendChild(row);

    this.byAddress = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
    this.byAddress.setAttribute('label', 'Containers by address (not by name)');
    this.byAddress.className = 'by-address';
    if (initial.targetBy === 'address') this.byAddress.setAttribute('checked', '');
    traceSection.appendChild(this.byAddress);

    this.clearButton = document.createElement('vscode-button');
    this.clearButton.setAttribute('secondary', '');
    this.clearButton.className = 'clear-source';
    this.clearButton.textContent = 'Stop tracing';
    this.clearButton.addEventListener('click', () => events.clearSource());
    traceSection.appendChild(this.clearButton);

    this.hint = el('p', 'hint');
    traceSection.appendChild(this.hint);
    this.root.appendChild(traceSection);

    this.resolution = el('section', 'resolution');
    this.resolution.setAttribute('aria-live', 'polite');
    this.resolution.hidden = true;
    this.root.appendChild(this.resolution);
    this.verdict = el('section', 'verdict');
    this.verdict.setAttribute('aria-live', 'polite');
    this.root.appendChild(this.verdict);
    this.legend = el('ul', 'verdict-legend');
    this.legend.setAttribute('aria-label', 'Verdicts');
    for (const v of VERDICTS) {
      const li = el('li', `legend-${v}`);
      li.dataset['verdict'] = v;
      li.append(el('span', 'swatch'), el('span', 'legend-name', v), el('span', 'legend-meaning', ` ${VERDICT_MEANING[v]}`));
      this.legend.appendChild(li);
    }
    this.legend.hidden = true;
    this.root.appendChild(this.legend);
    this.stepSlot = el('div', 'step-slot');
    this.root.appendChild(this.stepSlot);
    this.hops = el('ol', 'hops');
    this.hops.addEventListener('mouseleave', () => events.focusHop(null));
    this.root.appendChild(this.hops);
    this.details = el('section', 'details');
    this.root.appendChild(this.details);

    const changed = () => {
      const portText = this.portField.value.trim();
      const port = /^\d{1,5}$/.test(portText) && Number(portText) > 0 && Number(portText) < 65536 ? Number(portText) : undefined;
      this.portField.toggleAttribute('invalid', portText !== '' && port === undefined);
      const proto = (['icmp', 'tcp', 'udp'].includes(this.protoSelect.value) ? this.protoSelect.value : 'icmp') as TraceProto;
      this.settingsValue = { proto, targetBy: this.byAddress.checked ? 'address' : 'name', ...(port !== undefined ? { port } : {}) };
      events.settingsChanged(this.settingsValue);
    };
    this.protoSelect.addEventListener('change', changed);
    this.portField.addEventListener('change', changed);
    this.portField.addEventListener('input', changed);
    this.byAddress.addEventListener('change', changed);
    this.setSource(null);
  }

  get settings(): TraceSettings {
    return this.settingsValue;
  }

  /**
   * Takes the protocol and port of a trace shown from outside (Verify Trace, Trace From Here), so the
   * controls say what is shown and a later re-trace (a live host's refresh) keeps it. No change event.
   */
  adopt(s: { proto: TraceProto; port?: number }): void {
    const port = s.proto === 'icmp' ? undefined : s.port;
    this.settingsValue = { proto: s.proto, targetBy: this.settingsValue.targetBy, ...(port !== undefined ? { port } : {}) };
    this.protoSelect.value = s.proto;
    this.portField.value = port !== undefined ? String(port) : '';
    this.portField.removeAttribute('invalid');
  }

  setSource(name: string | null, canPick = false): void {
    this.sourceLine.replaceChildren();
    this.clearButton.hidden = name === null;
    if (name) {
      this.sourceLine.append('From ', el('strong', 'source-name', name));
      this.hint.textContent = 'Hover any container, address, network or published port: the path lights up and its hops are listed below. Esc stops.';
    } else {
      this.sourceLine.textContent = 'No source picked.';
      this.hint.textContent = canPick ? '' : 'Double-click a container (or select it and press “Trace from here”) to trace from it.';
      if (canPick) {
        const b = document.createElement('vscode-button');
        b.className = 'trace-from-selection';
        b.textContent = 'Trace from here';
        b.addEventListener('click', () => this.events.traceFromSelection());
        this.sourceLine.append(' ', b);
      }
    }
  }

  /** What the trace source resolves a hovered or searched name to (null: nothing to show). */
  showResolution(from: string | null, r: NameResolution | null): void {
    this.resolution.replaceChildren();
    this.resolution.hidden = !from || !r;
    if (!from || !r) return;
    this.resolution.dataset['name'] = r.name;
    const title = el('div', 'resolution-title');
    if (r.error === 'pending') title.append(`Resolving ${r.name} from ${from}…`);
    else if (r.error) title.append(r.error);
    else if (r.addresses.length) title.append(el('strong', undefined, from), ' resolves ', el('code', undefined, r.name), ' → ', el('code', 'resolution-addresses', r.addresses.join(', ')));
    else title.append(el('code', undefined, r.name), ` does not resolve from ${from}`);
    this.resolution.append(title);
    if (r.error) return;
    if (r.how) this.resolution.append(el('p', 'resolution-how', r.how));
    // getaddrinfo (ping, curl) can answer from /etc/hosts what the DNS server does not (links, extra_hosts).
    const dns = r.dns.join(', ');
    if (dns !== r.addresses.join(', ')) this.resolution.append(el('p', 'resolution-dns', dns ? `its DNS server (nslookup, cnm resolve) answers ${dns}` : 'its DNS server (nslookup, cnm resolve) answers nothing: the answer comes from /etc/hosts'));
  }

  private hopsFrame = 0;

  /** `pending`: a trace is being computed for this target. */
  showTrace(trace: TraceView | null, pending?: string, error?: string): void {
    cancelAnimationFrame(this.hopsFrame);
    this.verdict.replaceChildren();
    this.hops.replaceChildren();
    this.verdict.className = 'verdict';
    this.legend.hidden = !trace;
    for (const li of this.legend.children) li.classList.toggle('current', (li as HTMLElement).dataset['verdict'] === trace?.verdict);
    if (error) {
      this.verdict.classList.add('verdict-error');
      this.verdict.append(el('div', 'verdict-title', 'No trace'), el('p', 'reason', error));
      return;
    }
    if (!trace) {
      if (pending) this.verdict.append(el('div', 'verdict-title pending', `Tracing to ${pending}…`));
      return;
    }
    this.verdict.classList.add(`verdict-${trace.verdict}`);
    const to = `${trace.to}${trace.port !== undefined ? `:${trace.port}` : ''}/${trace.proto}`;
    this.verdict.append(
      el('div', 'verdict-title', trace.verdict === 'unknown' ? 'UNKNOWN — the engine cannot know' : `${trace.verdict.toUpperCase()}`),
      el('div', 'verdict-route', `${trace.from} → ${to}`),
      el('p', 'reason', trace.reason),
    );
    if (trace.fix) this.verdict.append(el('p', 'fix', `Fix: ${trace.fix}`));
    if (trace.spread) this.verdict.append(spreadList(trace.spread, (ids) => this.events.focusHop(ids)));
    // The hop list (long texts to lay out) follows in the next frame, so the path on the drawing
    // lights at once; sweeping the mouse over many targets only lists the last one's hops.
    this.hopsFrame = requestAnimationFrame(() => this.listHops(trace));
  }

  private listHops(trace: TraceView): void {
    this.hops.replaceChildren();
    trace.hops.forEach((hop, i) => {
      const li = el('li', `hop${hop.drop ? ' hop-drop' : hop.unknown ? ' hop-unknown' : ''}`);
      li.style.setProperty('--hop', String(i));
      const head = el('div', 'hop-head');
      head.append(el('span', 'hop-action', hopLabel(hop.action)), el('span', 'hop-node', `${hop.node}${hop.interface ? ` ${hop.interface}` : ''}`));
      li.append(head, el('div', 'hop-detail', hop.detail));
      const ref = hop.ruleRef;
      if (ref && this.events.showRule) {
        const a = el('a', 'hop-rule', ref.rule ? `${ref.table} ${ref.chain}: show the rule ▸` : `${ref.table} ${ref.chain}: show the policy ▸`);
        a.setAttribute('href', '#');
        a.setAttribute('role', 'button');
        a.title = ref.rule ?? `:${ref.chain} ${ref.verdict}`;
        a.addEventListener('click', (e) => {
          e.preventDefault();
          e.stopPropagation();
          this.events.showRule?.(ref);
        });
        li.append(a);
      }
      li.addEventListener('mouseenter', () => this.events.focusHop(hop.elements));
      li.dataset['hop'] = String(i);
      li.addEventListener('click', () => this.events.pickHop?.(i));
      this.hops.appendChild(li);
    });
    if (this.currentHop >= 0) this.markHop(this.currentHop);
  }

  private currentHop = -1;
  /** The step-through's current hop in the list (-1: none). */
  markHop(i: number): void {
    this.currentHop = i;
    for (const li of this.hops.children) li.classList.toggle('hop-current', (li as HTMLElement).dataset['hop'] === String(i));
    const at = this.hops.children[i] as HTMLElement | undefined;
    at?.scrollIntoView({ block: 'nearest' });
  }

  /** What the selected element is, in words; null: nothing selected. */
  showDetails(snapshot: DiagramSnapshot | undefined, id: string | null): void {
    this.details.replaceChildren();
    if (!snapshot || !id) return;
    const lines = describe(snapshot, id);
    if (!lines) return;
    this.details.append(el('h2', undefined, lines[0]!));
    const dl = el('ul', 'detail-lines');
    for (const line of lines.slice(1)) dl.append(el('li', undefined, line));
    this.details.append(dl);
    if (snapshot.live) return; // a live host's elements are written in no file
    const reveal = document.createElement('vscode-button');
    reveal.setAttribute('secondary', '');
    reveal.className = 'reveal';
    reveal.textContent = 'Show in file';
    reveal.addEventListener('click', () => this.events.reveal(id));
    this.details.append(reveal);
  }
}

/** Load balancing in words: every task IPVS may send a connection to, each with that connection's verdict. */
function spreadList(spread: ServiceSpread, focus: (ids: string[] | null) => void): HTMLElement {
  const box = el('div', 'spread');
  const n = spread.backends.length;
  const where = spread.via === 'mesh' ? 'IPVS in the ingress-sbox (the routing mesh)' : 'IPVS in the source\'s namespace (the service\'s VIP)';
  box.append(el('div', 'spread-title', `Service ${spread.service}: ${n} task${n === 1 ? '' : 's'} can be reached`),
    el('p', 'spread-how', `${where} picks one per connection, round robin in slot order; the path drawn is connection 1.`));
  const ul = el('ul', 'spread-tasks');
  ul.setAttribute('aria-label', `tasks of ${spread.service} IPVS may pick`);
  spread.backends.forEach((b, i) => {
    const li = el('li', `spread-task spread-${b.verdict}${i === spread.chosen ? ' chosen' : ''}`);
    li.append(el('span', 'spread-conn', `connection ${b.connection}`), ' → ', el('strong', undefined, b.task.split('.').slice(0, 2).join('.')),
      ` on ${b.host} (${b.address}): `, el('span', 'spread-verdict', b.verdict));
    li.title = b.reason;
    if (b.element) {
      li.addEventListener('mouseenter', () => focus([b.element!]));
      li.addEventListener('mouseleave', () => focus(null));
    }
    ul.append(li);
  });
  box.append(ul);
  return box;
}

/** A title and detail lines for an element of the snapshot. */
export function describe(s: DiagramSnapshot, id: string): string[] | undefined {
  for (const h of s.hosts) {
    if (h.id === id) return [`Host ${h.name}`, `Docker ${h.dockerVersion}`, ...h.interfaces.map((i) => `${i.name} ${i.address}`)];
    const iface = h.interfaces.find((i) => i.id === id);
    if (iface) return [`${h.name} ${iface.name}`, iface.address];
    const n = h.networks.find((x) => x.id === id);
    if (n) return [`Network ${n.name}`, `driver ${n.driver}${n.internal ? ', internal' : ''}${n.predefined ? ', predefined' : ''}`, n.subnet ? `subnet ${n.subnet}` : n.addressesUnknown ? 'external: subnet unknown' : 'no IPv4 subnet', n.gateway ? `gateway ${n.gateway}` : '', n.subnet6 ? `IPv6 ${n.subnet6}` : '', n.device ? `Linux bridge ${n.device}` : ''].filter(Boolean);
    for (const sb of h.sandboxes) {
      if (sb.id === id || sb.sharedBy.some((m) => m.id === id)) {
        const name = sb.id === id ? sb.name : sb.sharedBy.find((m) => m.id === id)!.name;
        if (sb.mode === 'ingress') {
          return [`ingress-sbox on ${h.name}`, 'the routing mesh\'s namespace (not a container): DOCKER-INGRESS DNATs published ports to its docker_gwbridge leg; IPVS picks a task and SNATs to its ingress leg',
            ...sb.endpoints.map((e) => `${e.ifname} ${e.ipv4 ?? ''} on ${h.networks.find((x) => x.id === e.networkId)?.name ?? '?'}`),
            sb.listening.length ? `IPVS for ${sb.listening.join(', ')}` : ''].filter(Boolean);
        }
        return [`Container ${name}`, sb.id === id ? `image ${sb.image}` : `in ${sb.name}'s network namespace`,
          sb.mode === 'host' ? 'network_mode: host' : sb.mode === 'none' ? 'network_mode: none (loopback only)' : sb.mode === 'stopped' ? 'not running' : `${sb.endpoints.length} interface${sb.endpoints.length === 1 ? '' : 's'}`,
          ...sb.endpoints.map((e) => `${e.ifname} ${e.ipv4 ?? (e.addressUnknown ? 'unknown address' : '')} on ${h.networks.find((x) => x.id === e.networkId)?.name ?? '?'}`),
          sb.listening.length ? `listens on ${sb.listening.join(', ')}` : '', sb.sharedBy.length && sb.id === id ? `shared with ${sb.sharedBy.map((m) => m.name).join(', ')}` : ''].filter(Boolean);
      }
      const ep = sb.endpoints.find((e) => e.id === id || e.linkId === id);
      if (ep) {
        const net = h.networks.find((x) => x.id === ep.networkId)?.name ?? '?';
        return [ep.linkId === id ? `veth link ${sb.name} ⟷ ${net}` : `Endpoint ${sb.name} on ${net}`, `${ep.ifname}${ep.veth ? ` ⟷ ${ep.veth} on the host` : ''}`,
          ep.ipv4 ? `IPv4 ${ep.ipv4}` : ep.addressUnknown ? 'IPv4 unknown (the network is external, its subnet unknown)' : '', ep.ipv6 ? `IPv6 ${ep.ipv6}` : '', ep.mac ? `MAC ${ep.mac}` : '', ep.aliases.length ? `aliases ${ep.aliases.join(', ')}` : ''].filter(Boolean);
      }
    }
    const p = h.ports.find((x) => x.id === id);
    if (p) return [`Published port ${p.hostPort}/${p.proto}`, `host ${p.hostIp}:${p.hostPort} → container port ${p.containerPort}`, `to ${h.sandboxes.find((x) => x.id === p.sandboxId)?.name ?? '?'}`];
  }
  for (const sv of s.services ?? []) {
    if (sv.id === id) {
      return [`Service ${sv.name}`, `${sv.mode}, ${sv.tasks.length} of ${sv.replicas} tasks, image ${sv.image}`, `endpoint_mode ${sv.endpointMode}`,
        ...(sv.endpointMode === 'vip' ? sv.vips.map((v) => `VIP ${v.address} on ${v.network}${v.ingress ? ' (ingress)' : ''}`) : ['DNS round robin: the name answers every task\'s address']),
        ...sv.ports.map((p) => `routing mesh ${p.published}/${p.proto} → ${p.target} on every node`),
        ...sv.tasks.map((t) => `task ${t.name.split('.').slice(0, 2).join('.')} on ${t.host}: ${t.addresses.map((a) => a.address).join(', ')}`)];
    }
    const p = sv.ports.find((x) => x.id === id);
    if (p) return [`Routing mesh port ${p.published}/${p.proto}`, `open on every node → ${sv.name}'s port ${p.target}`, 'nat DOCKER-INGRESS → ingress-sbox → IPVS → a task'];
  }
  return undefined;
}
