// Messages between the extension host and the diagram webview. The host owns the state: it sends
// snapshots (each with a revision) and answers requests; the webview renders and sends intents.
// Both sides import only this folder, so it holds types and small guards, nothing that does I/O.
// Every message from the webview goes through isWebviewMessage before the host acts on it.
import type { DiagramSnapshot } from './diagram';
import { TRACE_PROTOS, type TraceProto, type TraceView } from './trace';

/** Bumped whenever a message changes shape; either side ignores messages of another version. */
export const PROTOCOL_VERSION = 2;

type V = { protocol: typeof PROTOCOL_VERSION };

// ── host → webview ─────────────────────────────────────────────────────────

/** A new picture. `revision` grows with every change of the source; the webview keeps zoom and selection. */
export type SnapshotMessage = V & { type: 'snapshot'; revision: number; snapshot: DiagramSnapshot; /** The source's URI, kept in the webview's state to restore it after a reload. */ file: string };
/** Select an element (or nothing) because the user selected it in the tree. */
export type SelectMessage = V & { type: 'select'; id: string | null };
/** Answers to a trace request (may come in several parts for many targets; `done` on the last). */
export type TraceResultsMessage = V & {
  type: 'traceResults';
  requestId: number;
  revision: number;
  results: { target: string; trace: TraceView | null; error?: string }[];
  done: boolean;
};
/** Show this trace now (the "Trace From Here" command, run from the tree or the palette). */
export type ShowTraceMessage = V & { type: 'showTrace'; revision: number; source: string; /** null: the destination is not drawn (a name that does not resolve, an outside address). */ target: string | null; trace: TraceView };
/** What the trace source resolves names to (the answer to a `resolve` request). */
export type ResolvedMessage = V & { type: 'resolved'; requestId: number; revision: number; source: string; results: NameResolution[] };

/** One name as a container resolves it. */
export interface NameResolution {
  name: string;
  /** What getaddrinfo returns (ping, curl): /etc/hosts first, then DNS. */
  addresses: string[];
  /** What the container's DNS server answers (`cnm resolve`, nslookup). */
  dns: string[];
  /** Which resolver and record answered, in words (the trace's resolve hop). */
  how: string;
  error?: string;
}

/** The answer to an export request. */
export type ExportDoneMessage = V & { type: 'exportDone'; requestId: number; saved: boolean; path?: string; error?: string };

/** The `cnm.diagram.theme` setting: `auto` follows VS Code's theme. */
export type ThemeMessage = V & { type: 'theme'; theme: 'auto' | 'light' | 'dark' };

/**
 * How the user left the diagram of this source: which groups they collapsed or expanded, their zoom,
 * focus mode, the search text and the minimap toggle. The host keeps it per source (workspace state), so closing the diagram, reopening it or
 * reloading the window brings the same picture back; the webview sends it whenever it changes.
 */
export interface DiagramViewState {
  /** Group keys (a host id, or `n/<host>/<network>` for a band) with the user's choice: true collapsed, false expanded. */
  groups: [string, boolean][];
  /** The user's own zoom and pan (absent: fit the window). */
  transform?: { x: number; y: number; k: number };
  /** Focus mode was on, around this selection (an element id) when there was one. */
  focus?: { selection?: string };
  /** The text in the search box. */
  search?: string;
  /** The minimap as the user toggled it (absent: shown when the drawing does not fit). */
  minimap?: 'shown' | 'hidden';
}

/** The view state kept for this source, sent before the first snapshot. */
export type ViewStateMessage = V & { type: 'viewState'; state: DiagramViewState };

export type HostMessage = SnapshotMessage | SelectMessage | TraceResultsMessage | ShowTraceMessage | ExportDoneMessage | ThemeMessage | ResolvedMessage | ViewStateMessage;

// ── webview → host ─────────────────────────────────────────────────────────

export type ReadyMessage = V & { type: 'ready' };
/** The user selected an element in the diagram (null: clicked the background). */
export type SelectedMessage = V & { type: 'selected'; id: string | null };
/**
 * Trace from one sandbox to targets (element ids of sandboxes, endpoints, ports or host interfaces).
 * `port` absent: ICMP echo, or the first port the target listens on for tcp/udp.
 */
export type TraceRequestMessage = V & {
  type: 'trace';
  requestId: number;
  revision: number;
  source: string;
  targets: string[];
  proto: TraceProto;
  port?: number;
  /** Sandboxes as targets: by container name (DNS decides, as in `ping web`) or by address. */
  targetBy: 'name' | 'address';
};
/** Save this SVG text (the diagram, styles inlined) through a save dialog. */
export type ExportSvgMessage = V & { type: 'exportSvg'; requestId: number; svg: string };
/** Show the element in the topology file. */
export type RevealMessage = V & { type: 'reveal'; id: string };
/** What the trace source (a container's element id) resolves these names to (hover, search). */
export type ResolveRequestMessage = V & { type: 'resolve'; requestId: number; revision: number; source: string; names: string[] };
/** Open the rules view at the rule (null: the chain's policy) that decided a trace hop. */
export type ShowRuleMessage = V & { type: 'showRule'; host: string; table: string; chain: string; rule: string | null };
/** Diagnostics from the webview for the output channel. */
export type LogMessage = V & { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** The user changed the grouping or the zoom: the host keeps it for the next time this source's diagram opens. */
export type SaveViewStateMessage = V & { type: 'saveViewState'; state: DiagramViewState };

export type WebviewMessage = ReadyMessage | SelectedMessage | TraceRequestMessage | ExportSvgMessage | RevealMessage | LogMessage | ResolveRequestMessage | ShowRuleMessage | SaveViewStateMessage;

// ── guards ─────────────────────────────────────────────────────────────────

/** Limits on what the webview may send, so a bad or hostile message cannot make the host do much work. */
export const LIMITS = { idLength: 512, targets: 5000, svgBytes: 50_000_000, logLength: 4000, names: 50, nameLength: 253, groups: 2000 } as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= LIMITS.idLength;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
const isReal = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A view state as either side may send it: bounded, every field of the right type, a zoom the diagram allows. */
export function isDiagramViewState(v: unknown): v is DiagramViewState {
  if (!isObj(v) || !Array.isArray(v.groups) || v.groups.length > LIMITS.groups) return false;
  if (!v.groups.every((g) => Array.isArray(g) && g.length === 2 && isId(g[0]) && typeof g[1] === 'boolean')) return false;
  if (v.focus !== undefined && !(isObj(v.focus) && (v.focus.selection === undefined || isId(v.focus.selection)))) return false;
  if (v.search !== undefined && !(typeof v.search === 'string' && v.search.length <= LIMITS.nameLength)) return false;
  if (v.minimap !== undefined && v.minimap !== 'shown' && v.minimap !== 'hidden') return false;
  if (v.transform === undefined) return true;
  const t = v.transform;
  return isObj(t) && isReal(t.x) && isReal(t.y) && isReal(t.k) && t.k > 0 && t.k <= 100;
}

/** Every message from the webview is checked before the host acts on it; anything else is dropped. */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!isObj(value) || value.protocol !== PROTOCOL_VERSION) return false;
  switch (value.type) {
    case 'ready':
      return true;
    case 'selected':
      return value.id === null || isId(value.id);
    case 'trace':
      return isCount(value.requestId) && isCount(value.revision) && isId(value.source)
        && Array.isArray(value.targets) && value.targets.length <= LIMITS.targets && value.targets.every(isId)
        && TRACE_PROTOS.includes(value.proto as TraceProto) && (value.port === undefined || isPort(value.port))
        && (value.targetBy === 'name' || value.targetBy === 'address');
    case 'exportSvg':
      return isCount(value.requestId) && typeof value.svg === 'string' && value.svg.length <= LIMITS.svgBytes
        && /^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/.test(value.svg);
    case 'reveal':
      return isId(value.id);
    case 'resolve':
      return isCount(value.requestId) && isCount(value.revision) && isId(value.source)
        && Array.isArray(value.names) && value.names.length >= 1 && value.names.length <= LIMITS.names
        && value.names.every((n) => typeof n === 'string' && n.length > 0 && n.length <= LIMITS.nameLength);
    case 'showRule':
      return isId(value.host) && typeof value.table === 'string' && /^(filter|nat|raw|mangle|security)$/.test(value.table)
        && typeof value.chain === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value.chain)
        && (value.rule === null || (typeof value.rule === 'string' && value.rule.startsWith('-A ') && value.rule.length <= LIMITS.logLength));
    case 'saveViewState':
      return isDiagramViewState(value.state);
    case 'log':
      return (value.level === 'info' || value.level === 'warn' || value.level === 'error')
        && typeof value.message === 'string' && value.message.length <= LIMITS.logLength;
    default:
      return false;
  }
}

/** The webview checks what it receives too: a stale or mangled message must not break the drawing. */
export function isHostMessage(value: unknown): value is HostMessage {
  if (!isObj(value) || value.protocol !== PROTOCOL_VERSION) return false;
  switch (value.type) {
    case 'snapshot':
      return isCount(value.revision) && isObj(value.snapshot) && Array.isArray((value.snapshot as Obj).hosts);
    case 'select':
      return value.id === null || isId(value.id);
    case 'traceResults':
      return isCount(value.requestId) && isCount(value.revision) && Array.isArray(value.results) && typeof value.done === 'boolean';
    case 'showTrace':
      return isCount(value.revision) && isId(value.source) && (value.target === null || isId(value.target)) && isObj(value.trace);
    case 'exportDone':
      return isCount(value.requestId) && typeof value.saved === 'boolean';
    case 'theme':
      return value.theme === 'auto' || value.theme === 'light' || value.theme === 'dark';
    case 'resolved':
      return isCount(value.requestId) && isCount(value.revision) && isId(value.source) && Array.isArray(value.results)
        && value.results.every((r) => isObj(r) && typeof r.name === 'string' && Array.isArray(r.addresses) && Array.isArray(r.dns) && typeof r.how === 'string');
    case 'viewState':
      return isDiagramViewState(value.state);
    default:
      return false;
  }
}
