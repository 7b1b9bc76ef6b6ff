// The diagram webview (dist/webview.js). It renders the snapshots the extension host sends, keeps the
// user's zoom and selection across them, and sends intents back: a selection, trace requests, an
// SVG to save. Traces are asked for all targets once a source is picked, so hovering mostly lights a
// path from the cache at once; a miss asks for that one target.
import { PROTOCOL_VERSION, type HostMessage } from '../src/protocol/messages';
import type { DiagramSnapshot } from '../src/protocol/diagram';
import type { TraceView } from '../src/protocol/trace';
import { exportSvg } from './exportSvg';
import { connectHost } from './hostBridge';
import type { DiagramLayout } from './layout';
import { DiagramView } from './render';
import { SidePanel, type TraceSettings } from './sidePanel';

const host = connectHost();
const app = document.getElementById('app') ?? document.body;
app.classList.add('cnm-app');

// ── page structure: toolbar, drawing, side panel ───────────────────────────
const toolbar = document.createElement('header');
toolbar.className = 'toolbar';
const title = document.createElement('span');
title.className = 'title';
title.textContent = app.getAttribute('data-title') ?? 'Diagram';
const problems = document.createElement('span');
problems.className = 'problems';
toolbar.append(title, problems);
const tools = document.createElement('vscode-toolbar-container');
tools.className = 'tools';
const tool = (icon: string, label: string, action: () => void) => {
  const b = document.createElement('vscode-toolbar-button');
  b.setAttribute('icon', icon);
  b.setAttribute('label', label);
  b.setAttribute('title', label);
  b.dataset.action = icon;
  b.addEventListener('click', action);
  tools.appendChild(b);
  return b;
};
toolbar.appendChild(tools);
const body = document.createElement('div');
body.className = 'body';
const canvas = document.createElement('div');
canvas.className = 'canvas';
body.appendChild(canvas);
app.append(toolbar, body);
const empty = document.createElement('div');
empty.className = 'empty';
empty.textContent = 'Loading the topology…';
canvas.appendChild(empty);

// ── state ───────────────────────────────────────────────────────────────────
let snapshot: DiagramSnapshot | undefined;
let layout: DiagramLayout | undefined;
let revision = -1;
let source: string | null = null;
let shownTarget: string | null = null;
/** The target whose trace is awaited for the panel. */
let panelPending: string | null = null;
let nextRequest = 1;
const cache = new Map<string, TraceView | { error: string }>();
const waiting = new Map<number, Set<string>>();
const exports = new Map<number, (saved: boolean) => void>();

const view = new DiagramView(canvas, {
  select: (id) => {
    host.post({ protocol: PROTOCOL_VERSION, type: 'selected', id });
    host.saveState({ selection: id });
    updatePanelForSelection();
  },
  hover: (id) => {
    if (id && source && id !== source) traceTo(id);
  },
  pickSource: (id) => setSource(id),
  moved: (t) => host.saveState({ transform: t, userMoved: view.userMoved }),
});

const panel = new SidePanel(body, {
  settingsChanged: () => {
    if (source) prefetch();
    if (shownTarget) traceTo(shownTarget);
  },
  traceFromSelection: () => {
    if (view.selection && canTraceFrom(view.selection)) setSource(view.selection);
  },
  clearSource: () => setSource(null),
  reveal: (id) => host.post({ protocol: PROTOCOL_VERSION, type: 'reveal', id }),
  focusHop: (ids) => view.focusHop(ids),
}, { proto: 'icmp', targetBy: 'name' });

tool('zoom-in', 'Zoom in', () => view.zoomBy(1.25));
tool('zoom-out', 'Zoom out', () => view.zoomBy(0.8));
tool('screen-full', 'Fit to window', () => {
  view.userMoved = false;
  view.fit();
});
tool('export', 'Export SVG…', () => void saveSvg());

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') setSource(null);
  else if ((e.key === '+' || e.key === '=') && !isTyping(e)) view.zoomBy(1.25);
  else if (e.key === '-' && !isTyping(e)) view.zoomBy(0.8);
  else if (e.key === '0' && !isTyping(e)) {
    view.userMoved = false;
    view.fit();
  }
});

function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName.startsWith('VSCODE-TEXT') || t.tagName === 'INPUT');
}

// ── messages from the host ─────────────────────────────────────────────────
host.onMessage((m: HostMessage) => {
  switch (m.type) {
    case 'snapshot':
      return applySnapshot(m.snapshot, m.revision, m.file);
    case 'select':
      view.setSelection(m.id && view.has(m.id) ? m.id : null);
      if (m.id) view.reveal(m.id);
      host.saveState({ selection: view.selection });
      return updatePanelForSelection();
    case 'traceResults': {
      const wanted = waiting.get(m.requestId);
      for (const r of m.results) {
        if (m.revision !== revision || !r.target) continue;
        if (r.error === 'stale') continue;
        cache.set(cacheKey(r.target), r.trace ?? { error: r.error ?? 'no trace' });
        wanted?.delete(r.target);
      }
      if (m.done) waiting.delete(m.requestId);
      // The target the user last hovered may just have arrived.
      if (panelPending && cache.has(cacheKey(panelPending))) show(panelPending);
      return;
    }
    case 'showTrace':
      if (view.has(m.source)) setSource(m.source, false);
      view.highlight(m.trace, m.target && view.has(m.target) ? m.target : null);
      panel.showTrace(m.trace);
      shownTarget = m.target;
      return;
    case 'exportDone':
      exports.get(m.requestId)?.(m.saved);
      exports.delete(m.requestId);
      return;
    case 'theme':
      document.body.dataset.theme = m.theme;
      return;
  }
});

function applySnapshot(s: DiagramSnapshot, rev: number, file: string): void {
  const first = snapshot === undefined;
  snapshot = s;
  revision = rev;
  cache.clear();
  empty.remove();
  const started = performance.now();
  layout = view.render(s);
  document.body.dataset.revision = String(rev);
  document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
  // When the browser has painted it (the frame after the one that rendered), for the benchmark.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    document.body.dataset.paintedMs = (performance.now() - started).toFixed(1);
    document.body.dataset.paintedRevision = String(rev);
  }));
  title.textContent = s.title;
  problems.textContent = s.problems.errors ? `${s.problems.errors} error${s.problems.errors === 1 ? '' : 's'} in the file: what failed is not drawn` : '';
  host.saveState({ file });
  if (first) {
    const st = host.state();
    if (st.transform && st.userMoved) {
      view.userMoved = true;
      view.setTransform(st.transform);
    } else view.fit();
    if (st.selection && view.has(st.selection)) view.setSelection(st.selection);
  }
  if (source && !view.has(source)) setSource(null);
  else if (source) prefetch();
  if (shownTarget && source && view.has(shownTarget)) traceTo(shownTarget);
  else if (shownTarget) {
    view.highlight(null, null);
    panel.showTrace(null);
    shownTarget = null;
  }
  updatePanelForSelection();
}

// ── tracing ────────────────────────────────────────────────────────────────
/** A trace starts in a running container or on a host itself (its own network stack). */
function canTraceFrom(id: string): boolean {
  return !!snapshot?.hosts.some((h) => h.id === id || h.sandboxes.some((s) => s.id === id && s.mode !== 'stopped'));
}

function setSource(id: string | null, fetchAll = true): void {
  if (id !== null && !canTraceFrom(id)) return;
  source = id;
  view.markSource(id);
  view.highlight(null, null);
  shownTarget = null;
  panel.showTrace(null);
  panel.setSource(id ? nameOf(id) : null, !!view.selection && canTraceFrom(view.selection));
  document.body.dataset.traceSource = id ?? '';
  if (id && fetchAll) prefetch();
}

function nameOf(id: string): string {
  for (const h of snapshot?.hosts ?? []) {
    if (h.id === id) return h.name;
    for (const s of h.sandboxes) if (s.id === id) return s.name;
  }
  return id;
}

function settings(): TraceSettings {
  return panel.settings;
}

function cacheKey(target: string): string {
  const s = settings();
  return `${revision}|${source}|${s.proto}|${s.port ?? ''}|${s.targetBy}|${target}`;
}

/** Every drawn target: traces for all of them are computed in the background. */
function allTargets(): string[] {
  const out: string[] = [];
  for (const h of snapshot?.hosts ?? []) {
    for (const sb of h.sandboxes) {
      if (sb.id !== source) out.push(sb.id);
      for (const e of sb.endpoints) if (sb.id !== source) out.push(e.id);
    }
    for (const p of h.ports) out.push(p.id);
    for (const i of h.interfaces) out.push(i.id);
    for (const n of h.networks) if (n.gateway) out.push(n.id);
  }
  return out.slice(0, 5000);
}

function request(targets: string[]): void {
  if (!source || !targets.length) return;
  const id = nextRequest++;
  waiting.set(id, new Set(targets));
  const s = settings();
  host.post({ protocol: PROTOCOL_VERSION, type: 'trace', requestId: id, revision, source, targets, proto: s.proto, targetBy: s.targetBy, ...(s.port !== undefined ? { port: s.port } : {}) });
}

function prefetch(): void {
  request(allTargets().filter((t) => !cache.has(cacheKey(t))));
}

function traceTo(target: string): void {
  if (!source || target === source) return;
  if (cache.has(cacheKey(target))) return show(target);
  panelPending = target;
  panel.showTrace(null, labelOf(target));
  request([target]);
}

function show(target: string): void {
  const r = cache.get(cacheKey(target));
  if (!r) return;
  const started = performance.now();
  shownTarget = target;
  panelPending = null;
  if ('error' in r) {
    view.highlight(null, null);
    panel.showTrace(null, undefined, r.error);
  } else {
    view.highlight(r, target);
    panel.showTrace(r);
  }
  document.body.dataset.highlightMs = (performance.now() - started).toFixed(2);
  document.body.dataset.shownTarget = target;
}

function labelOf(id: string): string {
  for (const h of snapshot?.hosts ?? []) {
    for (const s of h.sandboxes) {
      if (s.id === id) return s.name;
      const e = s.endpoints.find((x) => x.id === id);
      if (e) return e.ipv4 ?? s.name;
    }
  }
  return id.split('/').map(decodeURIComponent).pop() ?? id;
}

function updatePanelForSelection(): void {
  panel.showDetails(snapshot, view.selection);
  if (!source) panel.setSource(null, !!view.selection && canTraceFrom(view.selection));
}

// ── export ─────────────────────────────────────────────────────────────────
async function saveSvg(): Promise<boolean> {
  const svgText = exportSvg(view.svg.node()!, layout);
  const id = nextRequest++;
  const done = new Promise<boolean>((resolve) => exports.set(id, resolve));
  host.post({ protocol: PROTOCOL_VERSION, type: 'exportSvg', requestId: id, svg: svgText });
  return done;
}

window.addEventListener('error', (e) => host.post({ protocol: PROTOCOL_VERSION, type: 'log', level: 'error', message: String(e.message).slice(0, 2000) }));
host.post({ protocol: PROTOCOL_VERSION, type: 'ready' });
