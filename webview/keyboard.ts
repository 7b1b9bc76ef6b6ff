// Keyboard navigation in the drawing: one node at a time is in the tab order (roving tabindex); the
// arrow keys move to the nearest node in that direction, Home to the first, Enter or Space activates
// (selects a node, expands or collapses a group). Nodes carry role="button" and an aria-label.
export const NODE_SELECTOR = 'g.sandbox, g.group, g.bus, g.port, rect.host-frame, text.group-toggle';

export interface KeyboardApi {
  centreOf(el: Element): { x: number; y: number } | undefined;
  activate(el: Element): void;
  focused(el: Element): void;
}

const DIRS: Record<string, [number, number]> = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };

export class KeyboardNav {
  private current: Element | null = null;

  constructor(private readonly svg: SVGSVGElement, private readonly api: KeyboardApi) {
    svg.addEventListener('keydown', (e) => this.onKey(e));
    svg.addEventListener('focusin', (e) => {
      const el = (e.target as Element).closest?.(NODE_SELECTOR);
      if (el) this.setCurrent(el, false);
    });
  }

  /** After a render: keep the current node if it is still drawn, else the first node enters the tab order. */
  refresh(): void {
    if (this.current?.isConnected) return;
    const first = this.svg.querySelector(NODE_SELECTOR);
    if (first) this.setCurrent(first, false);
  }

  /** Moves the keyboard focus to the node drawn for `id` (a search hit, a step). */
  focusId(id: string): void {
    const el = this.svg.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (el?.matches(NODE_SELECTOR)) this.setCurrent(el, false);
  }

  private setCurrent(el: Element, focus: boolean): void {
    if (this.current && this.current !== el) {
      this.current.setAttribute('tabindex', '-1');
      this.current.classList.remove('kb-current');
    }
    this.current = el;
    el.setAttribute('tabindex', '0');
    el.classList.add('kb-current');
    if (focus) {
      (el as SVGElement).focus({ preventScroll: true });
      this.api.focused(el);
    }
  }

  private onKey(e: KeyboardEvent): void {
    const at = (e.target as Element).closest?.(NODE_SELECTOR);
    if (!at) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.api.activate(at);
      return;
    }
    if (e.key === 'Home') {
      e.preventDefault();
      const first = this.svg.querySelector(NODE_SELECTOR);
      if (first) this.setCurrent(first, true);
      return;
    }
    const dir = DIRS[e.key];
    if (!dir) return;
    e.preventDefault();
    const from = this.api.centreOf(at);
    if (!from) return;
    let best: Element | null = null;
    let bestScore = Infinity;
    for (const el of this.svg.querySelectorAll(NODE_SELECTOR)) {
      if (el === at) continue;
      const c = this.api.centreOf(el);
      if (!c) continue;
      const dx = c.x - from.x, dy = c.y - from.y;
      const along = dx * dir[0] + dy * dir[1];
      if (along <= 4) continue;
      const across = Math.abs(dx * dir[1] - dy * dir[0]);
      const score = along + across * 2.5;
      if (score < bestScore) {
        bestScore = score;
        best = el;
      }
    }
    if (best) this.setCurrent(best, true);
  }
}
