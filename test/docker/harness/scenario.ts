// A scenario file: its text, the parsed TopologySpec (with the project's own parser, so both sides read
// the file identically), the dockerd flags it needs, and whether it needs fresh in-memory cursors.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { daemonFlags } from '../../../src/lab/daemonFlags';
import { parseTopology } from '../../../src/topology/parse';
import type { TopologySpec } from '../../../src/topology/spec';

export const SCENARIO_DIR = join(__dirname, '..', 'scenarios');

export interface Scenario {
  name: string;
  file: string;
  text: string;
  spec: TopologySpec;
  /** Parse-level errors: a scenario must parse cleanly (engine errors are what it may show). */
  parseErrors: string[];
  daemonFlags: string[];
  /** It allocates from the default pools or ephemeral/range ports, so results depend on dockerd's cursors. */
  needsFreshCursor: boolean;
}

export function scenarioFiles(dir = SCENARIO_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cnm.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/** Scenarios whose macvlan/ipvlan parents the harness makes (harness/hostLinks.ts): played by the differential suite only. */
export const HOST_LINK_SCENARIO_DIR = join(SCENARIO_DIR, '..', 'scenarios-hostlinks');

export function loadScenario(file: string): Scenario {
  const text = readFileSync(file, 'utf8');
  const parsed = parseTopology(text);
  const parseErrors = parsed.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
  const spec = parsed.spec;
  const daemon = spec.hosts[0]?.daemon ?? {};
  if (daemon.version !== '20.10') {
    parseErrors.push(`hosts.host1.daemon.version must be "20.10" (the daemon the suite runs), not ${JSON.stringify(daemon.version)}`);
  }
  return {
    name: basename(file).replace(/\.cnm\.yaml$/, ''),
    file,
    text,
    spec,
    parseErrors,
    daemonFlags: daemonFlags(daemon),
    needsFreshCursor: usesPools(spec) || usesDynamicPorts(spec),
  };
}

export { daemonFlags } from '../../../src/lab/daemonFlags';

const POOL_DRIVERS = ['bridge', 'macvlan', 'ipvlan'];

function usesPools(spec: TopologySpec): boolean {
  return spec.networks.some(
    (n) => POOL_DRIVERS.includes(n.driver) && !['bridge', 'host', 'none', 'default'].includes(n.name) && !n.ipamConfig.some((c) => c.subnet !== undefined && !c.subnet.includes(':')),
  );
}

/** Ephemeral (`80`, `127.0.0.1::80`) and range (`8000-8010:80`) host ports come from in-memory cursors. */
function usesDynamicPorts(spec: TopologySpec): boolean {
  return spec.containers.some((c) =>
    c.ports.some((p) => {
      const bare = p.replace(/\/[a-z]+$/i, '');
      const bracket = /^\[[^\]]*\]:(.*)$/.exec(bare);
      const parts = (bracket ? bracket[1]! : bare).split(':');
      const hostPort = parts.length >= 2 ? parts[parts.length - 2]! : '';
      return hostPort === '' || hostPort.includes('-');
    }),
  );
}

/**
 * The scenario's text with `hosts.host1.daemon.version` set to `version`: what the engine loads when the
 * scenario is played on a lab host of that release (the docker side plays the same spec).
 */
export function textForVersion(sc: Scenario, version: string): string {
  const re = /(\bversion:\s*)"20\.10"/g;
  const hits = sc.text.match(re)?.length ?? 0;
  if (hits !== 1) throw new Error(`${sc.name}: expected one \`version: "20.10"\` to set to ${version}, found ${hits}`);
  const text = sc.text.replace(re, `$1"${version}"`);
  const got = parseTopology(text).spec.hosts[0]?.daemon?.version;
  if (got !== version) throw new Error(`${sc.name}: daemon.version is ${JSON.stringify(got)} after setting it to ${version}`);
  return text;
}
