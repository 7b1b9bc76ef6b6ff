// Grouping for big topologies: every host is a group, and so is every network band in it (the
// sandboxes whose first interface is on that network). A collapsed group is drawn as one box with its
// count; bands bigger than COLLAPSE_AT start collapsed, so a 2,000-container file opens as a readable
// list of groups instead of a grid of tiny boxes. The user's own expand/collapse choices win.
import { select } from 'd3';
import type { DiagramHost, DiagramSnapshot } from '../src/protocol/diagram';
import { bandMembers, groupKey, type GroupLayout, type HostLayout } from './layout';

/** Bands with more sandboxes than this start collapsed. */
export const COLLAPSE_AT = 60;

/** The group keys drawn collapsed: the defaults (big bands), then the user's choices (`true`: collapsed). */
export function collapsedGroups(s: DiagramSnapshot, choices: ReadonlyMap<string, boolean>): Set<string> {
  const out = new Set<string>();
  for (const h of s.hosts) {
    if (choices.get(h.id) === true) out.add(h.id);
    for (const [band, list] of bandMembers(h)) {
      const key = groupKey(h.id, band);
      const choice = choices.get(key);
      if (choice === true || (choice === undefined && list.length > COLLAPSE_AT)) out.add(key);
    }
  }
  return out;
}

/** The group key of a band that holds `sandboxId` (its home band), or undefined. */
export function groupOfSandbox(s: DiagramSnapshot, id: string): string | undefined {
  for (const h of s.hosts) {
    for (const [band, list] of bandMembers(h)) {
      if (list.some((sb) => sb.id === id || sb.sharedBy.some((m) => m.id === id) || sb.endpoints.some((e) => e.id === id || e.linkId === id))) return groupKey(h.id, band);
    }
  }
  return undefined;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type G = import('d3').Selection<SVGGElement, any, any, any>;

/** Draws a host's collapsed groups: a box with the count, a link to the bus; activating it expands. */
export function drawGroups(layer: G, host: DiagramHost, l: HostLayout): void {
  const byId = new Map(host.sandboxes.map((sb) => [sb.id, sb]));
  const netName = new Map(host.networks.map((n) => [n.id, n.name]));
  const ports = new Map<string, number>();
  for (const p of host.ports) ports.set(p.sandboxId, (ports.get(p.sandboxId) ?? 0) + 1);
  layer.selectAll<SVGGElement, GroupLayout>('g.group')
    .data(l.groups, (d) => d.id)
    .join((e) => {
      const g = e.append('g').attr('class', 'group');
      g.append('path').attr('class', 'group-link');
      g.append('rect').attr('class', 'group-box').attr('rx', 8);
      g.append('text').attr('class', 'group-name').attr('x', 12).attr('y', 18);
      g.append('text').attr('class', 'group-meta').attr('x', 12).attr('y', 34);
      g.append('title');
      return g;
    })
    .attr('data-id', (d) => d.id)
    .attr('data-group', (d) => d.key)
    .attr('role', 'button')
    .attr('aria-expanded', 'false')
    .attr('aria-label', (d) => `${groupLabel(d, netName)}: ${d.members.length} containers, collapsed. Enter expands.`)
    .attr('transform', (d) => `translate(${d.x},${d.y})`)
    .each(function (d) {
      const g = select(this);
      const shared = d.members.reduce((n, id) => n + (byId.get(id)?.sharedBy.length ?? 0), 0);
      const published = d.members.reduce((n, id) => n + (ports.get(id) ?? 0), 0);
      const stopped = d.members.filter((id) => byId.get(id)?.mode === 'stopped').length;
      g.select('path.group-link').attr('d', d.busY !== undefined ? `M${d.w / 2},${d.h}V${d.busY - d.y}` : null);
      g.select('rect.group-box').attr('width', d.w).attr('height', d.h);
      const n = d.members.length + shared;
      g.select('text.group-name').text(`▸ ${n.toLocaleString('en-US')} container${n === 1 ? '' : 's'} · ${groupLabel(d, netName)}`);
      g.select('text.group-meta').text([published ? `${published} published port${published === 1 ? '' : 's'}` : '', stopped ? `${stopped} stopped` : '', 'click to expand'].filter(Boolean).join(' · '));
      g.select('title').text(`${d.members.length} sandboxes whose first interface is on ${groupLabel(d, netName)}: click (or Enter) to draw them`);
    });
}

function groupLabel(d: GroupLayout, netName: Map<string, string>): string {
  return d.networkId ? netName.get(d.networkId) ?? d.networkId : 'no network';
}

interface Toggle { key: string; x: number; y: number; text: string; label: string }

/** The collapse controls: one per expanded band with sandboxes, one per host (collapse or expand all). */
export function drawToggles(layer: G, host: DiagramHost, l: HostLayout): void {
  const members = bandMembers(host);
  const collapsedBands = new Set(l.groups.map((g) => g.networkId));
  const toggles: Toggle[] = [];
  for (const b of l.buses) {
    const n = members.get(b.id)?.length ?? 0;
    if (!n || collapsedBands.has(b.id)) continue;
    const name = host.networks.find((x) => x.id === b.id)?.name ?? b.id;
    toggles.push({ key: groupKey(host.id, b.id), x: b.x2 - 6, y: b.bandTop + 14, text: `▾ ${n}`, label: `Collapse ${name} (${n} containers)` });
  }
  const anyCollapsed = l.groups.length > 0;
  toggles.push({ key: host.id, x: l.x + l.w - 12, y: l.y + 22, text: anyCollapsed ? '▸ expand all' : '▾ collapse all', label: `${anyCollapsed ? 'Expand' : 'Collapse'} every network group of ${host.name}` });
  layer.selectAll<SVGTextElement, Toggle>('text.group-toggle')
    .data(toggles, (d) => d.key)
    .join('text')
    .attr('class', 'group-toggle')
    .attr('data-group', (d) => d.key)
    .attr('role', 'button')
    .attr('tabindex', '-1')
    .attr('aria-label', (d) => d.label)
    .attr('text-anchor', 'end')
    .attr('x', (d) => d.x)
    .attr('y', (d) => d.y)
    .text((d) => d.text)
    .each(function (d) {
      const t = select(this);
      if (t.select('title').empty()) t.append('title');
      t.select('title').text(d.label);
    });
}
