// The status bar item's text and tooltip: the workspace's topology files and Compose projects, and the Docker connection
// (the first host: the default one; others summed up). Pure: the caller passes the time.
import type { LiveConnectionStatus } from './liveHostsApi';

export interface StatusHost {
  label: string;
  endpoint: string;
  status: LiveConnectionStatus;
}

/** "retrying in 8 s", "retrying now", or what to do when retrying would not help. */
export function retryText(retryAt: number, now: number): string {
  if (!Number.isFinite(retryAt)) return 'check the endpoint';
  const s = Math.ceil((retryAt - now) / 1000);
  return s > 0 ? `retrying in ${s} s` : 'retrying now';
}

/** The Docker part of the status bar: `$(plug) docker: 20.10.24`, `$(debug-disconnect) docker unreachable — retrying in 8 s`. */
export function dockerStatusText(hosts: readonly StatusHost[], now: number): string {
  const first = hosts[0];
  if (!first) return '';
  const s = first.status;
  let text = s.kind === 'connected' ? `$(plug) docker: ${s.version ?? 'connected'}`
    : s.kind === 'connecting' ? '$(sync~spin) docker: connecting'
      : `$(debug-disconnect) docker unreachable — ${retryText(s.retryAt, now)}`;
  const others = hosts.slice(1);
  const down = others.filter((h) => h.status.kind === 'unreachable').length;
  if (down) text += ` $(warning) ${down} of ${hosts.length} hosts unreachable`;
  else if (others.length) text += ` (+${others.length} ${others.length === 1 ? 'host' : 'hosts'})`;
  return text;
}

/** The tooltip's lines about Docker (markdown): every host, its state and, when unreachable, why. */
export function dockerStatusTooltip(hosts: readonly StatusHost[], now: number): string {
  if (!hosts.length) return '';
  const lines = hosts.map((h) => {
    const s = h.status;
    const where = h.label === h.endpoint ? `\`${h.endpoint}\`` : `**${h.label}** (\`${h.endpoint}\`)`;
    return s.kind === 'connected' ? `- ${where}: connected, Docker ${s.version ?? ''}`.trimEnd()
      : s.kind === 'connecting' ? `- ${where}: connecting…`
        : `- ${where}: unreachable — ${retryText(s.retryAt, now)}\n\n  ${s.message}`;
  });
  return `Docker hosts:\n\n${lines.join('\n')}`;
}

/** `$(type-hierarchy) CNM: 12 topologies · 1 Compose project $(error) 2`: each kind of source counted on its own. */
export function topologyCountText(count: number, errors: number, composeProjects = 0): string {
  const compose = composeProjects ? ` · ${composeProjects} Compose ${composeProjects === 1 ? 'project' : 'projects'}` : '';
  return `$(type-hierarchy) CNM: ${count} ${count === 1 ? 'topology' : 'topologies'}${compose}${errors ? ` $(error) ${errors}` : ''}`;
}
