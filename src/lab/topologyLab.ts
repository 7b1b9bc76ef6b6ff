// A user's topology file on lab hosts (`cnm lab up FILE`): one lab host per host of the file, of the
// Docker release the file (or --daemon-version) names, started with the file's daemon settings, joined by
// the lab's LAN (each host's eth0); then each host's networks and containers played on it, in file order.
// A kept lab outlives the command (a "manual" one, once played: an interrupted start removes it) and
// records the file it plays, so `cnm lab down FILE` finds it. What one dockerd per host cannot play yet is refused up front, with the reason.
import { readFileSync } from 'node:fs';
import type { TopologySpec } from '../topology/spec';
import { daemonFlags } from './daemonFlags';
import { keepLab, startLab, type Lab } from './lab';
import { HOST_NAME, isLabVersion, labRunDir, type LabVersion } from './labPaths';
import { labIds, teardownLabSync } from './labTeardown';
import { playOn, type PlayRecord } from './play';

/** The release a host without daemon.version runs: the system's dockerd (Debian's docker.io). */
export const DEFAULT_LAB_VERSION: LabVersion = '20.10';
const PLAYABLE_DRIVERS = new Set(['bridge', 'macvlan', 'ipvlan', 'host', 'null', 'none']);

/** Why lab hosts cannot play this file yet (one line), or null when they can. */
export function unplayableOnLab(spec: TopologySpec): string | null {
  if (spec.services.length > 0) return `swarm services (${spec.services.map((s) => s.name).join(', ')}) cannot be played on lab hosts yet`;
  const swarmHost = spec.hosts.find((h) => h.swarm);
  if (swarmHost) return `a swarm (hosts.${swarmHost.name}.swarm) cannot be played on lab hosts yet`;
  if (spec.hosts.length === 0) return 'the file has no hosts';
  if (spec.hosts.length > 8) return `${spec.hosts.length} hosts: a lab on one machine plays at most 8`;
  for (const h of spec.hosts) {
    if (!HOST_NAME.test(h.name) || h.name === 'lan') return `host name "${h.name}": a lab host's name is 1-12 of a-z, 0-9, starting with a letter (not "lan")`;
  }
  for (const n of spec.networks) {
    if (n.driver === 'overlay') return `network ${n.name}: overlay networks need a swarm, which lab hosts cannot play yet`;
    if (!PLAYABLE_DRIVERS.has(n.driver)) return `network ${n.name}: driver "${n.driver}" is a plugin lab hosts do not have`;
  }
  const piped = spec.containers.find((c) => c.pipework?.length);
  if (piped) return `container ${piped.name}: pipework attachments cannot be played on lab hosts yet`;
  return null;
}

/** Each host's Docker release: `override` (--daemon-version), else its daemon.version, else the system's. */
export function labVersions(spec: TopologySpec, override?: string): Map<string, LabVersion> | string {
  const out = new Map<string, LabVersion>();
  for (const h of spec.hosts) {
    const v = override ?? h.daemon.version ?? DEFAULT_LAB_VERSION;
    if (!isLabVersion(v)) return `Docker ${v} (host ${h.name}): lab hosts run 20.10 (the system's dockerd) or 26.1 (/opt/docker26)`;
    out.set(h.name, v);
  }
  return out;
}

/** What lab.json says of a lab `cnm lab up` made. */
interface LabRecord {
  id: string;
  file?: string;
}

/** The id of the lab playing `file` (an absolute path), if one is up. */
export function labOfFile(file: string): string | undefined {
  for (const id of labIds()) {
    try {
      const rec = JSON.parse(readFileSync(`${labRunDir(id)}/lab.json`, 'utf8')) as LabRecord;
      if (rec.file === file) return id;
    } catch {
      // a lab being made, or not one of `cnm lab`'s: not this file's
    }
  }
  return undefined;
}

/** The host's part of the file: its networks and containers. */
export function hostPart(spec: TopologySpec, host: string): TopologySpec {
  return { ...spec, networks: spec.networks.filter((n) => n.host === host), containers: spec.containers.filter((c) => c.host === host) };
}

export interface PlayedLab {
  lab: Lab;
  /** Each host's play, by host name. */
  played: Map<string, PlayRecord>;
}

/**
 * Starts the lab for `file` and plays it; on any failure (or when this process ends first) the lab is
 * removed again. `keep`: the lab stays once played, until `cnm lab down`.
 */
export async function upTopology(spec: TopologySpec, file: string, versions: ReadonlyMap<string, LabVersion>, keep: boolean, log: (line: string) => void): Promise<PlayedLab> {
  const lab = await startLab({
    hosts: spec.hosts.map((h) => ({ name: h.name, version: versions.get(h.name)!, flags: daemonFlags(h.daemon) })),
    lan: true,
    meta: { file },
    log,
  });
  try {
    const played = new Map<string, PlayRecord>();
    for (const h of lab.hosts) {
      const part = hostPart(spec, h.name);
      log(`${h.name}: playing ${part.networks.length} network(s) and ${part.containers.length} container(s)`);
      const record = await playOn(part, (args, opts) => h.docker(args, opts));
      for (const s of record.steps) {
        const what = `${s.object[0] === 'networks' ? 'network' : 'container'} ${s.object[1]}${s.network ? ` (connect to ${s.network})` : ''}`;
        if (s.skipped) log(`${h.name}: ${what}: not played: ${s.skipped}`);
        else if (!s.ok) log(`${h.name}: ${what}: docker refused: ${s.error}`);
        for (const w of s.warnings) log(`${h.name}: ${what}: WARNING: ${w}`);
      }
      played.set(h.name, record);
    }
    if (keep) keepLab(lab.id);
    return { lab, played };
  } catch (e) {
    teardownLabSync(lab.id);
    throw e;
  }
}

/** Removes the lab of `file`; the lines say what was done. */
export function downTopology(file: string): string[] | undefined {
  const id = labOfFile(file);
  if (!id) return undefined;
  return teardownLabSync(id).map((l) => `lab ${id}: ${l}`);
}
