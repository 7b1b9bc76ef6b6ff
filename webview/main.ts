// The diagram webview (dist/webview.js). It renders the snapshots the extension host sends, keeps the
// user's zoom and selection across them, and sends intents back: a selection, trace requests, an
// SVG to save. Traces are asked for all targets once a source is picked, so hovering mostly lights a
// path from the cache at once; a miss asks for that one target.
import { LIMITS, PROTOCOL_VERSION, type DiagramViewState, type HostMessage, type NameResolution } from '../src/protocol/messages';
import type { DiagramSnapshot } from '../src/protocol/diagram';
import type { TraceView } from '../src/protocol/trace';
import { exportSvg } from './exportSvg';
import { connectHost } from './hostBridge';
import type { DiagramLayout } from './layout';
import { DiagramView } from './render';
import { SidePanel, type TraceSettings } from './sidePanel';
import { collapsedGroups, groupOfSandbox } from './groups';
import { bandMembers, groupKey } from './layout';
import { KeyboardNav } from './keyboard';
import { Minimap } from './minimap';
import { neighbourhood, searchSnapshot, type SearchHit } from './search';
import { Stepper } from './stepper';

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
// Search: a container, network, address, MAC, alias or published port.
const search = document.createElement('vscode-textfield') as HTMLElement & { value: string };
search.className = 'search';
search.setAttribute('placeholder', 'Search: container, network, address');
search.setAttribute('aria-label', 'Search the diagram for a container, network or address (Enter: next match)');
const searchCount = document.createElement('span');
searchCount.className = 'search-count';
searchCount.setAttribute('aria-live', 'polite');
toolbar.append(search, searchCount);
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

/** The user's expand (false) and collapse (true) choices per group key; big bands start collapsed. */
const groupChoices = new Map<string, boolean>();
let shownTrace: TraceView | null = null;
/** A clicked target's trace stays while the mouse moves on (to the panel's step controls). */
let pinned = false;
let focusOn = false;
let hits: SearchHit[] = [];
let hitIndex = -1;

const view: DiagramView = new DiagramView(canvas, {
  select: (id) => {
    host.post({ protocol: PROTOCOL_VERSION, type: 'selected', id });
    host.saveState({ selection: id });
    // A click on a target while tracing pins its trace; a click elsewhere lets hovering trace again.
    pinned = !!(id && source && id !== source && isTarget(id));
    if (pinned && id) traceTo(id);
    if (focusOn) {
      applyFocus();
      saveView();
    }
    updatePanelForSelection();
  },
  hover: (id) => {
    if (id && source && id !== source && !pinned && !stepper.active) traceTo(id);
    if (id && source && id !== source && !pinned) resolveName(nameForResolution(id));
  },
  toggleGroup: (key) => toggleGroup(key),
  pickSource: (id) => setSource(id),
  moved: (t) => {
    host.saveState({ transform: t, userMoved: view.userMoved });
    minimap?.update();
    if (view.userMoved) saveView();
  },
});
const minimap: Minimap = new Minimap(canvas, {
  get transform() {
    return view.transform;
  },
  size: () => view.size(),
  panTo: (x, y) => view.panTo(x, y),
});
const keyboard = new KeyboardNav(view.svg.node()!, {
  centreOf: (el) => {
    // A bus and a host are reached where their names are written (their left ends), not their middles.
    if (el.matches('g.bus')) {
      const line = el.querySelector('line.bus-line');
      return line ? { x: Number(line.getAttribute('x1')) + 60, y: Number(line.getAttribute('y1')) } : undefined;
    }
    if (el.matches('g.group')) {
      const c = layout?.centres.get(el.getAttribute('data-id') ?? '');
      const w = Number(el.querySelector('rect.group-box')?.getAttribute('width') ?? 0);
      return c ? { x: c.x - w / 2 + 60, y: c.y } : undefined;
    }
    if (el.matches('rect.host-frame')) return { x: Number(el.getAttribute('x')) + 60, y: Number(el.getAttribute('y')) + 20 };
    const id = el.getAttribute('data-id');
    const c = id ? layout?.centres.get(id) : undefined;
    if (c) return c;
    const b = (el as SVGGraphicsElement).getBBox?.();
    return b ? { x: b.x + b.width / 2, y: b.y + b.height / 2 } : undefined;
  },
  activate: (el) => {
    const group = el.getAttribute('data-group');
    if (group) return toggleGroup(group);
    const id = el.getAttribute('data-id');
    view.setSelection(id);
    el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
  },
  focused: (el) => {
    const id = el.getAttribute('data-id');
    if (id) view.reveal(id);
  },
});
view.svg.attr('role', 'group').attr('aria-label', 'Topology diagram: Tab enters it, the arrow keys move between containers, networks and ports, Enter selects or expands a group');
const stepper = new Stepper({
  step: (i, hop) => {
    document.body.dataset.step = String(i);
    if (i < 0 || !hop) {
      view.movePacket(null);
      view.mark('hop-current', null);
      panel.markHop(-1);
      return;
    }
    const at = [...hop.elements].reverse().map((id) => layout?.centres.get(id)).find(Boolean);
    if (at) view.movePacket(at, `${i + 1}`);
    view.mark('hop-current', hop.elements);
    panel.markHop(i);
    // The packet stays in sight, at a zoom where its surroundings can be read.
    const last = hop.elements.at(-1);
    if (last && view.transform.k < 0.45) view.centreOn(last, 0.6);
    else if (last) view.reveal(last);
  },
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
  pickHop: (i) => stepper.go(i),
  showRule: (ref) => host.post({ protocol: PROTOCOL_VERSION, type: 'showRule', host: ref.host, table: ref.table, chain: ref.chain, rule: ref.rule }),
}, { proto: 'icmp', targetBy: 'name' });
panel.stepSlot.appendChild(stepper.root);

/** The panel's trace and the step-through follow each other. */
function panelTrace(trace: TraceView | null, pending?: string, error?: string): void {
  panel.showTrace(trace, pending, error);
  if (trace !== shownTrace || !trace) {
    stepper.load(trace);
    view.movePacket(null);
    view.mark('hop-current', null);
    panel.markHop(-1);
  }
  shownTrace = trace;
  if (focusOn) applyFocus();
  minimapMarks();
}

tool('zoom-in', 'Zoom in', () => view.zoomBy(1.25));
tool('zoom-out', 'Zoom out', () => view.zoomBy(0.8));
tool('screen-full', 'Fit to window', () => {
  view.userMoved = false;
  view.fit(false);
  saveView();
});
tool('export', 'Export SVG…', () => void saveSvg());
const focusButton = tool('target', 'Focus: only the selection\'s neighbourhood, or the current trace\'s path', () => {
  focusOn = !focusOn;
  applyFocus();
  saveView();
});
tool('map', 'Show or hide the minimap', () => {
  minimap.toggle();
  saveView();
});

search.addEventListener('input', () => {
  window.clearTimeout(searchTimer);
  searchTimer = window.setTimeout(() => runSearch(search.value), 180);
});
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && hits.length) {
    e.preventDefault();
    window.clearTimeout(searchTimer);
    if (hitIndex < 0 || search.value.trim() !== lastQuery) return runSearch(search.value);
    goHit((hitIndex + (e.shiftKey ? hits.length - 1 : 1)) % hits.length);
  } else if (e.key === 'Enter') {
    runSearch(search.value);
  } else if (e.key === 'Escape') {
    e.stopPropagation();
    search.value = '';
    runSearch('');
  }
});
let searchTimer = 0;
let lastQuery = '';

function runSearch(q: string): void {
  if (q.trim() !== lastQuery) saveView();
  lastQuery = q.trim();
  // With a container as the trace source, a name typed in the search is resolved as that container would.
  if (lastQuery && source) resolveName(lastQuery);
  hits = snapshot ? searchSnapshot(snapshot, q) : [];
  hitIndex = -1;
  view.svg.classed('searching', hits.length > 0);
  document.body.dataset.searchHits = String(hits.length);
  if (!hits.length) {
    view.mark('search-hit', null);
    view.mark('search-current', null);
    searchCount.textContent = lastQuery ? 'no match' : '';
    minimapMarks();
    return;
  }
  goHit(0);
}

/** Shows match i: its group expanded if it was collapsed, centred, the count line updated. */
function goHit(i: number): void {
  const hit = hits[i];
  if (!hit || !snapshot) return;
  hitIndex = i;
  const key = groupOfSandbox(snapshot, hit.id);
  if (key && layout?.hosts.some((h) => h.groups.some((g) => g.key === key))) {
    groupChoices.set(key, false);
    draw();
    saveView();
  }
  view.mark('search-hit', hits.map((h) => h.id));
  view.mark('search-current', [hit.id]);
  view.centreOn(hit.id, 1);
  keyboard.focusId(hit.id);
  searchCount.textContent = `${i + 1} of ${hits.length}${hits.length >= 500 ? '+' : ''}: ${hit.what}`;
  document.body.dataset.searchCurrent = hit.id;
  minimapMarks();
}

function minimapMarks(): void {
  const marks: { x: number; y: number; cls: string }[] = [];
  for (const h of hits) {
    const c = layout?.centres.get(h.id);
    if (c) marks.push({ ...c, cls: 'hit' });
  }
  for (const hop of shownTrace?.hops ?? []) for (const id of hop.elements) {
    const c = layout?.centres.get(id);
    if (c) marks.push({ ...c, cls: 'trace' });
  }
  minimap.setMarks(marks);
}

/** Focus: everything but the current trace's path (or the selection's neighbourhood) fades. */
function applyFocus(): void {
  focusButton.toggleAttribute('checked', focusOn);
  focusButton.setAttribute('aria-pressed', String(focusOn));
  let ids: Set<string> | null = null;
  if (focusOn && snapshot) {
    if (shownTrace) {
      ids = new Set(shownTrace.hops.flatMap((h) => h.elements));
      if (source) ids.add(source);
      if (shownTarget) ids.add(shownTarget);
    } else if (view.selection) ids = neighbourhood(snapshot, view.selection);
  }
  view.svg.classed('focus-mode', !!ids);
  document.body.dataset.focus = ids ? String(ids.size) : '';
  view.mark('in-focus', ids);
  if (ids) view.fitTo(ids);
}

function isTarget(id: string): boolean {
  return !!view.elementsOf(id).some((el) => el.closest('[data-target]'));
}

function toggleGroup(key: string): void {
  if (!snapshot || !layout) return;
  const h = snapshot.hosts.find((x) => x.id === key);
  if (h) {
    // A host's toggle: collapse every band of it, or (when any is collapsed) expand them all.
    const anyCollapsed = (layout.hosts.find((x) => x.id === key)?.groups.length ?? 0) > 0;
    for (const band of bandMembers(h).keys()) groupChoices.set(groupKey(h.id, band), !anyCollapsed);
  } else {
    groupChoices.set(key, !collapsedGroups(snapshot, groupChoices).has(key));
  }
  draw();
  keyboard.focusId(h ? key : `group/${key}`);
  saveView();
}

// ── the view kept between openings ─────────────────────────────────────────
/** The zoom the host kept for this source, applied to the first picture instead of a fit. */
let keptTransform: DiagramViewState['transform'];
/** Focus, search and minimap as the host kept them, applied once to the first picture. */
let keptExtras: Pick<DiagramViewState, 'focus' | 'search' | 'minimap'> | null = null;
let saveTimer = 0;

/** Takes the grouping and zoom the user left this source's diagram with (sent before the first snapshot). */
function restoreView(state: DiagramViewState): void {
  groupChoices.clear();
  for (const [key, collapsed] of state.groups) groupChoices.set(key, collapsed);
  keptTransform = state.transform;
  keptExtras = { ...(state.focus ? { focus: state.focus } : {}), ...(state.search ? { search: state.search } : {}), ...(state.minimap ? { minimap: state.minimap } : {}) };
  document.body.dataset.viewRestored = String(state.groups.length);
  if (snapshot) draw();
}

/** The kept minimap choice, search text and focus, on the first picture (the search and focus move the view last). */
function restoreExtras(): void {
  const kept = keptExtras;
  keptExtras = null;
  if (!kept) return;
  if (kept.minimap) minimap.choice = kept.minimap;
  if (kept.search) {
    search.value = kept.search;
    runSearch(kept.search);
  }
  if (kept.focus) {
    focusOn = true;
    applyFocus();
  }
  document.body.dataset.viewExtras = [kept.focus ? 'focus' : '', kept.search ? 'search' : '', kept.minimap ? 'minimap' : ''].filter(Boolean).join(' ');
}

/** Sends the grouping, zoom, focus, search and minimap to the host to keep (once the user stops changing them). */
function saveView(): void {
  window.clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => {
    const groups = [...groupChoices].slice(-LIMITS.groups);
    const state: DiagramViewState = view.userMoved ? { groups, transform: view.transform } : { groups };
    if (focusOn) state.focus = view.selection ? { selection: view.selection } : {};
    const q = search.value.trim().slice(0, LIMITS.nameLength);
    if (q) state.search = q;
    const map = minimap.choice;
    if (map) state.minimap = map;
    host.post({ protocol: PROTOCOL_VERSION, type: 'saveViewState', state });
    document.body.dataset.viewSaved = String(groups.length);
    // How many times it was sent (tests wait for the next one).
    document.body.dataset.viewSaves = String(Number(document.body.dataset.viewSaves ?? '0') + 1);
  }, 300);
}

/** Lays out and draws the snapshot with the groups as chosen; keeps what is lit, found and focused. */
function draw(): void {
  if (!snapshot) return;
  layout = view.render(snapshot, { collapsed: collapsedGroups(snapshot, groupChoices) });
  keyboard.refresh();
  minimap.setLayout(layout);
  document.body.dataset.groups = String(layout.hosts.reduce((n, h) => n + h.groups.length, 0));
  if (shownTrace) view.highlight(shownTrace, shownTarget && view.has(shownTarget) ? shownTarget : null);
  if (hits.length) view.mark('search-hit', hits.map((x) => x.id));
  if (hitIndex >= 0 && hits[hitIndex]) view.mark('search-current', [hits[hitIndex]!.id]);
  if (focusOn) applyFocus();
  if (stepper.active) stepper.go(stepper.current);
  minimapMarks();
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && stepper.active) stepper.stop();
  else if (e.key === 'Escape' && focusOn) {
    focusOn = false;
    applyFocus();
    saveView();
  } else if (e.key === 'Escape') setSource(null);
  else if ((e.key === 'f' || e.key === 'F') && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    search.focus();
  }
  else if ((e.key === '+' || e.key === '=') && !isTyping(e)) view.zoomBy(1.25);
  else if (e.key === '-' && !isTyping(e)) view.zoomBy(0.8);
  else if (e.key === '0' && !isTyping(e)) {
    view.userMoved = false;
    view.fit(false);
    saveView();
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
      // The controls take the shown trace's protocol and port: re-traces (a new snapshot) keep them.
      panel.adopt({ proto: m.trace.proto, ...(m.trace.port !== undefined ? { port: m.trace.port } : {}) });
      if (view.has(m.source)) setSource(m.source, false);
      view.highlight(m.trace, m.target && view.has(m.target) ? m.target : null);
      shownTarget = m.target;
      pinned = true;
      panelTrace(m.trace);
      return;
    case 'resolved':
      if (m.revision !== revision || m.source !== source) return;
      for (const r of m.results) if (r.error !== 'stale') resolutions.set(resolutionKey(r.name), r);
      if (resolving && resolutions.has(resolutionKey(resolving))) panel.showResolution(nameOf(source), resolutions.get(resolutionKey(resolving))!);
      return;
    case 'exportDone':
      exports.get(m.requestId)?.(m.saved);
      exports.delete(m.requestId);
      return;
    case 'theme':
      document.body.dataset.theme = m.theme;
      return;
    case 'viewState':
      return restoreView(m.state);
  }
});

function applySnapshot(s: DiagramSnapshot, rev: number, file: string): void {
  const first = snapshot === undefined;
  snapshot = s;
  revision = rev;
  cache.clear();
  resolutions.clear();
  empty.remove();
  const started = performance.now();
  draw();
  document.body.dataset.revision = String(rev);
  document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
  // Wall-clock times (ms since the epoch) of the snapshot's arrival and of its painted frame: the
  // workbench benchmark compares them with the time of the click that opened the diagram in the page
  // around this frame (bench/diagramWorkbench.bench.ts).
  document.body.dataset.snapshotAt = (performance.timeOrigin + started).toFixed(1);
  // When the browser has painted it (the frame after the one that rendered), for the benchmark.
  requestAnimationFrame(() => requestAnimationFrame(() => {
    document.body.dataset.paintedMs = (performance.now() - started).toFixed(1);
    document.body.dataset.paintedAt = (performance.timeOrigin + performance.now()).toFixed(1);
    document.body.dataset.paintedRevision = String(rev);
  }));
  title.textContent = s.title;
  problems.textContent = s.problems.errors ? `${s.problems.errors} error${s.problems.errors === 1 ? '' : 's'} in the file: what failed is not drawn` : '';
  host.saveState({ file });
  if (first) {
    const st = host.state();
    if (keptTransform) {
      view.userMoved = true;
      view.setTransform(keptTransform);
    } else if (st.transform && st.userMoved) {
      view.userMoved = true;
      view.setTransform(st.transform);
    } else view.fit();
    if (st.selection && view.has(st.selection)) view.setSelection(st.selection);
    else if (keptExtras?.focus?.selection && view.has(keptExtras.focus.selection)) view.setSelection(keptExtras.focus.selection);
    restoreExtras();
  }
  if (source && !view.has(source)) setSource(null);
  else if (source) prefetch();
  if (shownTarget && source && view.has(shownTarget)) traceTo(shownTarget);
  else if (shownTarget) {
    view.highlight(null, null);
    shownTarget = null;
    panelTrace(null);
  }
  updatePanelForSelection();
}

// ── tracing ────────────────────────────────────────────────────────────────
/** A trace starts in a running container or on a host itself (its own network stack). */
function canTraceFrom(id: string): boolean {
  return !!snapshot?.hosts.some((h) => h.id === id || h.sandboxes.some((s) => s.id === id && s.mode !== 'stopped' && s.mode !== 'ingress'));
}

function setSource(id: string | null, fetchAll = true): void {
  if (id !== null && !canTraceFrom(id)) return;
  source = id;
  view.markSource(id);
  view.highlight(null, null);
  shownTarget = null;
  pinned = false;
  panelTrace(null);
  panel.setSource(id ? nameOf(id) : null, !!view.selection && canTraceFrom(view.selection));
  resolving = null;
  panel.showResolution(null, null);
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
  for (const sv of snapshot?.services ?? []) out.push(sv.id, ...sv.ports.map((p) => p.id));
  return out.slice(0, 5000);
}

// ── name resolution ────────────────────────────────────────────────────────
const resolutions = new Map<string, NameResolution>();
/** The name whose resolution the panel shows (or awaits). */
let resolving: string | null = null;

function resolutionKey(name: string): string {
  return `${revision}|${source}|${name.toLowerCase()}`;
}

/** The name a hovered element is looked up by: a container's or a service's name. */
function nameForResolution(id: string): string | null {
  for (const h of snapshot?.hosts ?? []) {
    for (const s of h.sandboxes) {
      if (s.id === id) return s.mode === 'ingress' ? null : s.name;
      const m = s.sharedBy.find((x) => x.id === id);
      if (m) return m.name;
    }
  }
  return snapshot?.services?.find((sv) => sv.id === id)?.name ?? null;
}

/** Shows what the trace source (a container) resolves `name` to, asking the host when it is not known yet. */
function resolveName(name: string | null): void {
  if (!name || !source || !source.startsWith('c/')) {
    if (!source || !source.startsWith('c/')) panel.showResolution(null, null);
    return;
  }
  resolving = name;
  const had = resolutions.get(resolutionKey(name));
  if (had) return panel.showResolution(nameOf(source), had);
  panel.showResolution(nameOf(source), { name, addresses: [], dns: [], how: '', error: 'pending' });
  host.post({ protocol: PROTOCOL_VERSION, type: 'resolve', requestId: nextRequest++, revision, source, names: [name.slice(0, 253)] });
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
  panelTrace(null, labelOf(target));
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
    panelTrace(null, undefined, r.error);
  } else {
    view.highlight(r, target);
    panelTrace(r);
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
  for (const sv of snapshot?.services ?? []) {
    if (sv.id === id) return `service ${sv.name}`;
    const p = sv.ports.find((x) => x.id === id);
    if (p) return `routing mesh :${p.published}`;
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
