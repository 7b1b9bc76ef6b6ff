// The matrix view's content: sources × destinations, one square per probe (ICMP, then each port the
// target listens on) coloured by verdict, from the engine's reachabilityMatrix (what `cnm matrix` runs).
// Up to MAX_SINGLE containers each is a row and a column; beyond, the engine's groups of containers
// that behave alike are (a cell holds for every pair of the two groups). Pure: no `vscode`.
import type { MatrixResult, Verdict } from '../engine';

export const MAX_SINGLE = 60;
/** Beyond this many groups the grid would not be read: the first ones are shown and the rest counted. */
export const MAX_GROUPS = 150;

export interface MatrixAxis {
  label: string;
  /** Member count (groups), 1 for a container. */
  size: number;
  /** The container traced for this row or column (a group's first member). */
  container: number;
  /** Networks (names) the row's or column's containers have an address on. */
  networks: string[];
  title: string;
}

export interface MatrixProbeCell {
  label: string;
  verdict: Verdict;
}

export interface MatrixModel {
  title: string;
  grouped: boolean;
  containers: number;
  axis: MatrixAxis[];
  /** cells[r][c]: null on the diagonal of single containers (a container to itself) and when no pair exists. */
  cells: ({ address: string | null; probes: MatrixProbeCell[]; from: number; to: number } | null)[][];
  networks: string[];
  /** Groups left out (MAX_GROUPS). */
  hidden: number;
  counts: Record<Verdict, number>;
}

const VERDICTS: readonly Verdict[] = ['delivered', 'refused', 'dropped', 'unresolved', 'unknown'];

export function matrixModel(m: MatrixResult, title: string): MatrixModel {
  const grouped = m.containers.length > MAX_SINGLE;
  const many = new Set(m.containers.map((c) => c.host)).size > 1;
  const nameOf = (i: number) => (many ? `${m.containers[i]!.host}/${m.containers[i]!.name}` : m.containers[i]!.name);
  const members = grouped ? m.groups.slice(0, MAX_GROUPS) : m.containers.map((_, i) => [i]);
  const axis: MatrixAxis[] = members.map((g, k) => {
    const first = g[0]!;
    const c = m.containers[first]!;
    const networks = Object.keys(c.addresses);
    const label = grouped ? `g${k + 1} (${g.length})` : nameOf(first);
    const title = grouped
      ? `group g${k + 1}: ${g.length} containers that behave alike — ${g.slice(0, 5).map(nameOf).join(', ')}${g.length > 5 ? ', …' : ''}; networks ${networks.join(', ') || '-'}`
      : `${nameOf(first)}: ${Object.entries(c.addresses).map(([n, a]) => `${a} on ${n}`).join(', ') || 'no address'}; probes ${c.probes.map((p) => p.label).join(', ')}`;
    return { label, size: g.length, container: first, networks, title };
  });
  const counts: Record<Verdict, number> = { delivered: 0, refused: 0, dropped: 0, unresolved: 0, unknown: 0 };
  const cells = members.map((a, r) => members.map((b, c) => {
    let from = a[0]!;
    let to = b[0]!;
    if (from === to) {
      // A container to itself is no pair; a group to itself is every other member.
      if (!grouped || a.length < 2) return null;
      to = b[1]!;
    }
    if (grouped) {
      const cell = m.groupCell(r, c);
      if (!cell) {
        const ex = m.groupExceptions(r, c)[0];
        if (!ex) return null;
        [from, to] = ex;
      }
    }
    const cell = m.cell(from, to);
    const probes = m.containers[to]!.probes.map((p, k) => ({ label: p.label, verdict: cell.verdicts[k]! }));
    for (const p of probes) counts[p.verdict]++;
    return { address: cell.address, probes, from, to };
  }));
  const networks = [...new Set(axis.flatMap((x) => x.networks))].sort();
  return { title, grouped, containers: m.containers.length, axis, cells, networks, hidden: grouped ? Math.max(0, m.groups.length - MAX_GROUPS) : 0, counts };
}

export interface MatrixHtmlResources {
  cspSource: string;
  nonce: string;
}

/** The panel's page: a table with sticky headers, a network filter, a legend; a click on a square asks the extension to trace it. */
export function matrixHtml(model: MatrixModel, r: MatrixHtmlResources): string {
  const csp = ["default-src 'none'", `style-src 'nonce-${r.nonce}'`, `script-src 'nonce-${r.nonce}'`].join('; ');
  const head = model.axis.map((x, c) => `<th class="col" scope="col" data-col="${c}" data-nets="${esc(x.networks.join(' '))}" title="${esc(x.title)}"><span>${esc(x.label)}</span></th>`).join('');
  const rows = model.axis.map((x, r0) => {
    const tds = model.cells[r0]!.map((cell, c) => {
      const nets = esc(model.axis[c]!.networks.join(' '));
      if (!cell) return `<td class="self" data-col="${c}" data-nets="${nets}"></td>`;
      const squares = cell.probes.map((p, k) => {
        const what = `${model.axis[r0]!.label} → ${model.axis[c]!.label}${cell.address ? ` (${cell.address})` : ''} ${p.label}: ${p.verdict}`;
        return `<button class="p v-${p.verdict}" data-r="${r0}" data-c="${c}" data-k="${k}" title="${esc(what)} — click to trace" aria-label="${esc(what)}"></button>`;
      }).join('');
      return `<td data-col="${c}" data-nets="${nets}">${squares}</td>`;
    }).join('');
    return `<tr data-row="${r0}" data-nets="${esc(x.networks.join(' '))}"><th class="row" scope="row" title="${esc(x.title)}">${esc(x.label)}</th>${tds}</tr>`;
  }).join('\n');
  const legend = VERDICTS.map((v) => `<span class="legend"><span class="p v-${v}"></span>${v} ${model.counts[v]}</span>`).join(' ');
  const options = ['<option value="">all networks</option>', ...model.networks.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`)].join('');
  const about = model.grouped
    ? `${model.containers} containers in ${model.axis.length + model.hidden} groups that behave alike: each row and column is a group (its size in brackets); a square holds for every pair of the two groups.${model.hidden ? ` The first ${model.axis.length} groups are shown; ${model.hidden} more are left out (cnm matrix FILE lists them all).` : ''}`
    : `${model.containers} containers: rows are sources, columns destinations; one square per probe of the destination (ICMP, then each port it listens on).`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${esc(model.title)}</title>
<style nonce="${r.nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 8px 12px; }
header { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 8px; }
select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); padding: 2px 4px; }
p.about { color: var(--vscode-descriptionForeground); margin: 4px 0 8px; }
.wrap { overflow: auto; max-height: calc(100vh - 110px); }
table { border-collapse: collapse; }
th { font-weight: normal; white-space: nowrap; background: var(--vscode-editor-background); }
th.col { position: sticky; top: 0; z-index: 1; vertical-align: bottom; height: 110px; }
th.col span { display: inline-block; writing-mode: vertical-rl; transform: rotate(180deg); max-height: 105px; overflow: hidden; text-overflow: ellipsis; }
th.row { position: sticky; left: 0; text-align: right; padding-right: 6px; z-index: 1; }
td { border: 1px solid var(--vscode-editorWidget-border, #8884); padding: 2px; white-space: nowrap; text-align: center; }
td.self { background: repeating-linear-gradient(45deg, transparent 0 3px, var(--vscode-editorWidget-border, #8884) 3px 4px); }
.p { display: inline-block; width: 12px; height: 12px; margin: 1px; padding: 0; border: 1px solid transparent; border-radius: 2px; cursor: pointer; vertical-align: middle; }
.p:focus-visible, .p:hover { outline: 2px solid var(--vscode-focusBorder); outline-offset: 1px; }
.v-delivered { background: var(--vscode-charts-green); }
.v-refused { background: var(--vscode-charts-orange); }
.v-dropped { background: var(--vscode-charts-red); }
.v-unresolved { background: var(--vscode-charts-purple); }
.v-unknown { background: transparent; border: 1px dashed var(--vscode-charts-yellow); }
.legend { margin-right: 10px; white-space: nowrap; }
.legend .p { cursor: default; }
.hidden { display: none; }
</style>
</head>
<body>
<header><strong>${esc(model.title)}</strong>
<label>Network <select id="net" aria-label="Show only the containers on a network">${options}</select></label>
<span id="legend">${legend}</span></header>
<p class="about">${esc(about)} Click a square to trace it.</p>
<div class="wrap"><table id="matrix" aria-label="Reachability matrix">
<thead><tr><th class="corner">from ╲ to</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></div>
<script nonce="${r.nonce}">
const vscode = acquireVsCodeApi();
const table = document.getElementById('matrix');
table.addEventListener('click', (e) => {
  const b = e.target.closest('button.p');
  if (!b) return;
  vscode.postMessage({ type: 'trace', row: Number(b.dataset.r), col: Number(b.dataset.c), probe: Number(b.dataset.k) });
});
const select = document.getElementById('net');
const on = (el, net) => !net || (el.dataset.nets || '').split(' ').includes(net);
function filter(net) {
  for (const tr of table.querySelectorAll('tbody tr')) tr.classList.toggle('hidden', !on(tr, net));
  for (const el of table.querySelectorAll('[data-col]')) el.classList.toggle('hidden', !on(el, net));
  vscode.setState({ net });
}
select.addEventListener('change', () => filter(select.value));
const saved = vscode.getState();
if (saved && saved.net && [...select.options].some((o) => o.value === saved.net)) { select.value = saved.net; filter(saved.net); }
</script>
</body>
</html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
