// The step-through trace, as Packet Tracer's simulation mode: play, pause, step forward and back. At
// each hop the packet marker moves on the drawing and this section shows the packet's headers as they
// leave the hop (what changed there marked, with what it was), the rewrite done there and the chain and
// rule that acted. Headers come from the tracer (TraceHopView.packet); a hop without them (the socket,
// name resolution) shows the last headers known.
import { hopLabel, type HopPacketView, type TraceHopView, type TraceView } from '../src/protocol/trace';

export interface StepperEvents {
  /** Hop `i` is now the current one (-1: stepping ended). */
  step(i: number, hop: TraceHopView | null): void;
}

const PLAY_MS = 1100;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(cls: string, icon: string, label: string, action: () => void): HTMLElement {
  const b = document.createElement('vscode-button');
  b.className = cls;
  b.setAttribute('icon', icon);
  b.setAttribute('aria-label', label);
  b.setAttribute('title', label);
  b.setAttribute('secondary', '');
  b.addEventListener('click', action);
  return b;
}

export class Stepper {
  readonly root: HTMLElement;
  private trace: TraceView | null = null;
  private index = -1;
  private timer = 0;
  private readonly counter: HTMLElement;
  private readonly playButton: HTMLElement;
  private readonly headers: HTMLElement;

  constructor(private readonly events: StepperEvents) {
    this.root = el('section', 'stepper');
    this.root.setAttribute('aria-label', 'Step through the trace');
    this.root.hidden = true;
    const bar = el('div', 'stepper-bar');
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Step-through controls');
    this.playButton = button('step-play', 'debug-start', 'Play', () => (this.timer ? this.pause() : this.play()));
    bar.append(
      button('step-back', 'debug-step-back', 'Step back', () => this.go(this.index - 1)),
      this.playButton,
      button('step-forward', 'debug-step-over', 'Step forward', () => this.go(this.index + 1)),
      button('step-stop', 'debug-stop', 'Leave step-through', () => this.stop()),
    );
    this.counter = el('span', 'step-counter');
    this.counter.setAttribute('aria-live', 'polite');
    bar.append(this.counter);
    this.headers = el('div', 'step-headers');
    this.headers.setAttribute('aria-live', 'polite');
    this.root.append(bar, this.headers);
  }

  /** Stepping (or playing): hovering other targets does not replace the trace meanwhile. */
  get active(): boolean {
    return this.index >= 0;
  }

  get current(): number {
    return this.index;
  }

  load(trace: TraceView | null): void {
    this.pause();
    this.trace = trace && trace.hops.length ? trace : null;
    this.index = -1;
    this.root.hidden = !this.trace;
    this.render();
  }

  play(): void {
    if (!this.trace) return;
    if (this.index >= this.trace.hops.length - 1) this.go(0);
    else if (this.index < 0) this.go(0);
    this.pause();
    this.timer = window.setInterval(() => {
      if (!this.trace || this.index >= this.trace.hops.length - 1) return this.pause();
      this.go(this.index + 1);
    }, PLAY_MS);
    this.setPlaying(true);
  }

  pause(): void {
    if (this.timer) window.clearInterval(this.timer);
    this.timer = 0;
    this.setPlaying(false);
  }

  stop(): void {
    this.pause();
    this.index = -1;
    this.render();
    this.events.step(-1, null);
  }

  go(i: number): void {
    if (!this.trace) return;
    const n = this.trace.hops.length;
    this.index = Math.max(0, Math.min(n - 1, i));
    this.render();
    this.events.step(this.index, this.trace.hops[this.index]!);
  }

  private setPlaying(on: boolean): void {
    this.playButton.setAttribute('icon', on ? 'debug-pause' : 'debug-start');
    this.playButton.setAttribute('aria-label', on ? 'Pause' : 'Play');
    this.playButton.setAttribute('title', on ? 'Pause' : 'Play');
    this.root.classList.toggle('playing', on);
  }

  private render(): void {
    this.headers.replaceChildren();
    const t = this.trace;
    if (!t) return;
    const n = t.hops.length;
    if (this.index < 0) {
      this.counter.textContent = `${n} hops: ▶ plays them one by one`;
      return;
    }
    const hop = t.hops[this.index]!;
    this.counter.textContent = `Hop ${this.index + 1} of ${n}`;
    const head = el('div', 'step-where');
    head.append(el('strong', 'step-action', hopLabel(hop.action)), ` at ${hop.node}${hop.interface ? ` (${hop.interface})` : ''}`);
    this.headers.append(head);
    const { packet, stale } = this.packetAt(this.index);
    const before = this.index > 0 ? this.packetAt(this.index - 1).packet : undefined;
    const rewrite = rewriteOf(hop, packet, before);
    if (rewrite) this.headers.append(el('div', 'step-rewrite', rewrite));
    const chain = /^(raw|mangle|nat|filter|filter6)\s/.test(hop.action) ? hop.action.replace('filter6', 'ip6tables filter') : null;
    if (chain) this.headers.append(el('div', 'step-chain', `Chain: ${chain}`));
    // A NAT hop's detail is its rewrite, already said above.
    if (!(rewrite && /^(DNAT|SNAT|MASQUERADE)$/.test(hop.action))) this.headers.append(el('div', chain ? 'step-rule' : 'step-detail', `${chain ? 'Rule: ' : ''}${hop.detail}`));
    if (!packet) {
      this.headers.append(el('p', 'hint', 'No packet yet: the source is still resolving the name.'));
      return;
    }
    const table = el('table', 'packet-headers');
    table.setAttribute('aria-label', `Packet headers at hop ${this.index + 1}`);
    const row = (name: string, value: string | undefined, was: string | undefined) => {
      const tr = el('tr', was !== undefined && was !== value ? 'changed' : undefined);
      tr.dataset['field'] = name.toLowerCase().replace(/\s+/g, '-');
      const td = el('td', 'value', value ?? '—');
      if (was !== undefined && was !== value) td.append(el('span', 'was', ` (was ${was ?? '—'})`));
      tr.append(el('th', undefined, name), td);
      table.append(tr);
    };
    const ports = (p?: HopPacketView) => (p && p.proto !== 'icmp' ? `${p.sport ?? '?'} → ${p.dport ?? '?'}` : p ? '—' : undefined);
    row('Source', packet.src, before?.src);
    row('Destination', packet.dst, before?.dst);
    row('Protocol', packet.proto.toUpperCase(), before?.proto.toUpperCase());
    row('Ports', ports(packet), before ? ports(before) : undefined);
    row('TTL', String(packet.ttl), before ? String(before.ttl) : undefined);
    row('Source MAC', packet.srcMac, before ? before.srcMac : undefined);
    row('Destination MAC', packet.dstMac, before ? before.dstMac : undefined);
    const outer = (p?: HopPacketView) => (p?.outer ? `${p.outer.src} → ${p.outer.dst} UDP ${p.outer.dport}${p.outer.vni === undefined ? '' : `, VNI ${p.outer.vni}`}` : undefined);
    if (packet.outer || before?.outer) row('VXLAN outer', outer(packet) ?? 'none (decapsulated)', before ? outer(before) ?? 'none (decapsulated)' : undefined);
    this.headers.append(table);
    if (stale) this.headers.append(el('p', 'hint', 'Headers as at the last hop that recorded them.'));
  }

  /** The headers at hop i: its own, else the last earlier hop's. */
  private packetAt(i: number): { packet?: HopPacketView; stale: boolean } {
    const hops = this.trace?.hops ?? [];
    for (let j = i; j >= 0; j--) {
      const p = hops[j]?.packet;
      if (p) return { packet: p, stale: j !== i };
    }
    return { stale: false };
  }
}

/** The rewrite a hop did, in words, from its action and the headers before and after it. */
function rewriteOf(hop: TraceHopView, p?: HopPacketView, before?: HopPacketView): string | null {
  const a = hop.action;
  if (a === 'DNAT' && p && before) return `DNAT: destination ${before.dst}${before.dport !== undefined ? `:${before.dport}` : ''} → ${p.dst}${p.dport !== undefined ? `:${p.dport}` : ''}`;
  if ((a === 'SNAT' || a === 'MASQUERADE') && p && before) return `${a}: source ${before.src} → ${p.src}`;
  if (a === 'encapsulate' && p?.outer) return p.outer.vni === undefined ? `UDP encapsulation: the frame travels inside UDP ${p.outer.src} → ${p.outer.dst}:${p.outer.dport}` : `VXLAN encapsulation: the frame travels inside UDP ${p.outer.src} → ${p.outer.dst}:${p.outer.dport}, VNI ${p.outer.vni}`;
  if (a === 'decapsulate') return 'VXLAN decapsulation: the outer headers are stripped';
  if (a === 'conntrack') return `conntrack: ${hop.detail}`;
  if (a === 'DNAT' || a === 'SNAT' || a === 'MASQUERADE') return `${a}: ${hop.detail}`;
  return null;
}
