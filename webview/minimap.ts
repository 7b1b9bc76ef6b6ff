// The minimap: the whole layout in a corner canvas (hosts, bands, boxes, collapsed groups, what is lit
// or found), with the part in view outlined. Clicking or dragging on it moves the view there.
import type { DiagramLayout } from './layout';

/** At this zoom or more, a drawing wholly in view is readable without a map. */
const READABLE_ZOOM = 0.6;

export class Minimap {
  readonly canvas: HTMLCanvasElement;
  private base: HTMLCanvasElement | null = null;
  private scale = 1;
  private layout: DiagramLayout | undefined;
  private marks: { x: number; y: number; cls: string }[] = [];
  private frame = 0;
  /** 'auto': shown only while part of the drawing is out of view or too small to read. */
  private mode: 'auto' | 'shown' | 'hidden' = 'auto';

  constructor(parent: HTMLElement, private readonly view: { transform: { x: number; y: number; k: number }; size(): { w: number; h: number }; panTo(x: number, y: number): void }) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'minimap';
    this.canvas.width = 200;
    this.canvas.height = 140;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', 'Minimap of the whole diagram: click or drag to move the view');
    parent.appendChild(this.canvas);
    let dragging = false;
    const go = (e: PointerEvent) => {
      const r = this.canvas.getBoundingClientRect();
      const x = ((e.clientX - r.left) * (this.canvas.width / r.width)) / this.scale;
      const y = ((e.clientY - r.top) * (this.canvas.height / r.height)) / this.scale;
      this.view.panTo(x, y);
    };
    this.canvas.addEventListener('pointerdown', (e) => {
      dragging = true;
      this.canvas.setPointerCapture(e.pointerId);
      go(e);
    });
    this.canvas.addEventListener('pointermove', (e) => dragging && go(e));
    this.canvas.addEventListener('pointerup', () => (dragging = false));
  }

  /** A new layout: the static picture is drawn once, then only the view's outline is redrawn. */
  setLayout(l: DiagramLayout | undefined): void {
    this.layout = l;
    this.base = null;
    this.update();
  }

  /** Points to mark (search hits, the trace's path), as layout centres. */
  setMarks(marks: { x: number; y: number; cls: string }[]): void {
    this.marks = marks;
    this.update();
  }

  /** The user's toggle (kept with the view), or null while the map shows itself when needed. */
  get choice(): 'shown' | 'hidden' | null {
    return this.mode === 'auto' ? null : this.mode;
  }

  set choice(mode: 'shown' | 'hidden' | null) {
    this.mode = mode ?? 'auto';
    this.update();
  }

  /** The toolbar's button: hides a shown minimap, shows a hidden one (an automatic choice included). */
  toggle(): void {
    this.mode = this.canvas.hidden ? 'shown' : 'hidden';
    this.update();
  }

  update(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private colour(name: string, fallback: string): string {
    return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
  }

  private draw(): void {
    const l = this.layout;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const W = this.canvas.width, H = this.canvas.height;
    ctx.clearRect(0, 0, W, H);
    if (!l || !l.width) {
      this.canvas.hidden = true;
      return;
    }
    const t = this.view.transform;
    const { w, h } = this.view.size();
    // A drawing wholly in view at a readable zoom needs no map (it would only cover a corner of it).
    const inView = t.x >= -1 && t.y >= -1 && t.x + l.width * t.k <= w + 1 && t.y + l.height * t.k <= h + 1;
    this.canvas.hidden = this.mode === 'hidden' || (this.mode === 'auto' && inView && t.k >= READABLE_ZOOM);
    if (this.canvas.hidden) return;
    this.scale = Math.min(W / l.width, H / l.height);
    if (!this.base) this.base = this.drawBase(l, W, H);
    ctx.drawImage(this.base, 0, 0);
    const s = this.scale;
    for (const m of this.marks) {
      ctx.fillStyle = this.colour(m.cls === 'hit' ? '--cnm-focus' : '--cnm-ok', '#0078d4');
      ctx.fillRect(m.x * s - 2, m.y * s - 2, 5, 5);
    }
    ctx.strokeStyle = this.colour('--cnm-fg', '#cccccc');
    ctx.lineWidth = 1.5;
    ctx.strokeRect((-t.x / t.k) * s, (-t.y / t.k) * s, (w / t.k) * s, (h / t.k) * s);
  }

  private drawBase(l: DiagramLayout, W: number, H: number): HTMLCanvasElement {
    const c = document.createElement('canvas');
    c.width = W;
    c.height = H;
    const ctx = c.getContext('2d')!;
    const s = this.scale;
    ctx.fillStyle = this.colour('--cnm-bg', '#1f1f1f');
    ctx.fillRect(0, 0, W, H);
    const border = this.colour('--cnm-box-border', '#454545');
    const box = this.colour('--cnm-muted', '#9d9d9d');
    const bus = this.colour('--cnm-bridge', '#3794ff');
    const group = this.colour('--cnm-overlay', '#b180d7');
    for (const h of l.hosts) {
      ctx.strokeStyle = border;
      ctx.strokeRect(h.x * s, h.y * s, h.w * s, h.h * s);
      ctx.fillStyle = bus;
      for (const b of h.buses) ctx.fillRect(b.x1 * s, b.y * s - 0.5, (b.x2 - b.x1) * s, 1.5);
      ctx.fillStyle = box;
      for (const b of h.boxes) ctx.fillRect(b.x * s, b.y * s, Math.max(1, b.w * s), Math.max(1, b.h * s));
      ctx.fillStyle = group;
      for (const g of h.groups) ctx.fillRect(g.x * s, g.y * s, Math.max(2, g.w * s), Math.max(2, g.h * s));
    }
    return c;
  }
}
