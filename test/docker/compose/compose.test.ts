// Differential test of Compose projects: real `docker compose up` (v2, Debian 13's 2.26.1) plays each
// stack in stacks/ on a fresh lab host (its own dockerd in network namespaces: fresh address cursors; the
// main dockerd is never used, not even for the image: busybox:local is imported into the lab from the
// static busybox, harness/labTarget.ts), with every image replaced by busybox:local listening on the
// declared ports (an override file given with -f; the originals stay as written), while the engine reads
// the original files. Compared exactly as the topology-file differential compares (harness/observe.ts,
// harness/compare.ts): networks, containers, endpoints (addresses, MACs, DNS aliases), published ports,
// interfaces, routes, /etc/hosts, resolv.conf and every name look-up from every container; then real
// ICMP, TCP and UDP probes between the services and from the host against the packet tracer, and
// `iptables-save` against `cnm rules`. Values the engine says depend on start timing (its warnings) are
// compared as a set, and everything derived from them under that one assignment (compose/races.ts).
//
//   CI=true node --import tsx --test test/docker/compose/compose.test.ts
//   CNM_COMPOSE_VERSIONS=20.10 CNM_SCENARIO=modes node --import tsx --test test/docker/compose/compose.test.ts
//
// A stack may hold a `cnm-stack.json`: { "profiles": [...], "before": [[docker args], ...] } — profiles
// given to both sides, and docker commands run on the lab host before `up` (an external network).
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test, type TestContext } from 'node:test';
import { hostRules } from '../../../src/engine/netfilter/derive';
import { formatIptablesSave } from '../../../src/engine/netfilter/format';
import { Tracer, type TraceResult } from '../../../src/engine/trace';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { loadCompose, type ComposeReader, type LoadedCompose } from '../../../src/topology/compose';
import { compare, formatDisagreements, type EngineSide } from '../harness/compare';
import { dockerOk, hostRun, run } from '../harness/exec';
import { labMissing, type LabVersion } from '../harness/lab';
import { freshLabDaemon, stopLabDaemon } from '../harness/labTarget';
import { observe } from '../harness/observe';
import { containerScript, listenList, type PlayRecord } from '../harness/play';
import { waitForIpv6Dad } from '../harness/ipv6Settle';
import { moreProbes, runAnyProbes, startUdpListeners, udpHostPort } from '../harness/probeKinds';
import { AddressBook, assertSafe, probeLabel, safeTargets, scenarioProbes, type Observed, type Probe } from '../harness/probe';
import { addressLabels, bridgeLabels, canonicalPortOrder, diffRules, normaliseIptablesSave } from '../harness/rulesCompare';
import { unavailable } from '../../support/exclusions.mjs';
import { linkQueries, replicaQueries, translateRaces } from './races';

const HERE = dirname(fileURLToPath(import.meta.url));
const STACKS = join(HERE, 'stacks');
const IMAGE = 'busybox:local';
const COMPOSE_PLUGIN = '/usr/libexec/docker/cli-plugins/docker-compose';
const VERSIONS: LabVersion[] = (process.env.CNM_COMPOSE_VERSIONS?.split(',') as LabVersion[] | undefined) ?? ['20.10', '26.1'];
const ONLY = process.env.CNM_SCENARIO?.split(',');
const OUT_DIR = join(process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential'), 'compose');

const diskReader: ComposeReader = {
  readFile: (p) => (existsSync(p) && statSync(p).isFile() ? readFileSync(p, 'utf8') : undefined),
  exists: (p) => existsSync(p),
};

interface StackOptions {
  profiles?: string[];
  before?: string[][];
}

function ready(t: TestContext): boolean {
  const missing = labMissing(VERSIONS);
  if (!existsSync(COMPOSE_PLUGIN)) missing.push(`the Compose plugin ${COMPOSE_PLUGIN} is missing (apt-get install -t trixie docker-compose)`);
  if (!existsSync('/bin/busybox')) missing.push('/bin/busybox is missing (apt-get install -y busybox-static): lab hosts import busybox:local from it');
  if (missing.length === 0) return true;
  unavailable(t, `Compose differential cannot run here: ${missing.join('; ')}`);
  return false;
}

/**
 * The override that swaps every service's image for busybox listening as the harness's play does (one
 * httpd per TCP port the service listens on: its `expose` and the container ports of `ports`), so the
 * probes' expectations (harness/play.ts namespaceListeners) hold on both sides.
 */
function testOverride(loaded: LoadedCompose): string {
  const lines = ['services:'];
  for (const s of loaded.project.services) {
    const first = loaded.played.containersOf.get(s.name)?.[0];
    const c = loaded.spec.containers.find((x) => x.name === first);
    const script = containerScript(c ? listenList(c) : []);
    lines.push(`  ${JSON.stringify(s.name)}:`, `    image: ${IMAGE}`, '    build: !reset null', '    pull_policy: never', `    command: ["sh", "-c", ${JSON.stringify(script)}]`, '    healthcheck: !reset null');
  }
  return lines.join('\n') + '\n';
}

/** Which network namespace a probe source sends from (probes from one namespace take turns). */
function namespaceGroup(l: LoadedCompose, source: string): string {
  let name = source;
  for (let hops = 0; hops < 10; hops++) {
    const c = l.spec.containers.find((x) => x.name === name);
    if (!c || c.networkMode === 'host') return 'host';
    if (c.networkMode?.startsWith('container:')) name = c.networkMode.slice('container:'.length);
    else return name;
  }
  return name;
}

const totals = { dnsNames: 0, retried: 0, stacks: 0, containers: 0, endpoints: 0, lookups: 0, probes: 0, probesAgree: 0, rules: 0, rulesAgree: 0, raced: 0 };

after(() => {
  console.log(
    `  compose differential: ${totals.stacks} stack plays, ${totals.containers} containers, ${totals.endpoints} endpoints, ${totals.lookups} name look-ups, ${totals.dnsNames} DNSNames lists compared; ` +
      `${totals.probes} probes (${totals.probesAgree} agree, ${totals.retried} retried once after a timeout); rules agree on ${totals.rulesAgree} of ${totals.rules}; ${totals.raced} timing-dependent values compared as sets`,
  );
});

// The stacks, then the seed's cases as Compose projects (examples/15-compose-seed): what they teach holds on Docker.
const SEED = join(HERE, '..', '..', '..', 'examples', '15-compose-seed');
const stackDirs = new Map<string, string>([
  ...readdirSync(STACKS).filter((s) => existsSync(join(STACKS, s, 'compose.yaml'))).sort().map((s) => [s, join(STACKS, s)] as [string, string]),
  ...(existsSync(SEED) ? readdirSync(SEED).filter((s) => existsSync(join(SEED, s, 'compose.yaml'))).sort().map((s) => [`seed-${s}`, join(SEED, s)] as [string, string]) : []),
]);
const stacks = [...stackDirs.keys()].filter((s) => !ONLY || ONLY.some((o) => s.includes(o)));

for (const version of VERSIONS) {
  test(`docker compose up on Docker ${version} agrees with the engine`, { timeout: 40 * 60_000 }, async (t) => {
    if (!ready(t)) return;
    mkdirSync(OUT_DIR, { recursive: true });
    for (const stack of stacks) {
      await t.test(stack, async (st) => {
        const options = (existsSync(join(stackDirs.get(stack)!, 'cnm-stack.json')) ? JSON.parse(readFileSync(join(stackDirs.get(stack)!, 'cnm-stack.json'), 'utf8')) : {}) as StackOptions;
        const dir = mkdtempSync(join(tmpdir(), 'cnmcmp-'));
        const copy = join(dir, stack);
        cpSync(stackDirs.get(stack)!, copy, { recursive: true });
        const loaded = loadCompose(diskReader, stackDirs.get(stack)!, { daemonVersion: version, env: {}, ...(options.profiles ? { profiles: options.profiles } : {}) });
        assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], `the engine reads ${stack} without errors`);
        writeFileSync(join(copy, 'cnm-test.override.yaml'), testOverride(loaded));
        const problems: string[] = [];
        let stopUdp = (): void => {};
        try {
          const lab = await freshLabDaemon(version, []);
          const host = lab.host('host1');
          for (const args of options.before ?? []) await dockerOk(args);
          const profileArgs = (options.profiles ?? []).flatMap((p) => ['--profile', p]);
          const up = await run(host.cli, ['compose', '-f', join(copy, 'compose.yaml'), '-f', join(copy, 'cnm-test.override.yaml'), ...profileArgs, 'up', '-d'], { env: host.env, timeoutMs: 180_000 });
          assert.equal(up.code, 0, `docker compose up: ${up.stderr}`);

          // The docker side, read as the topology differential reads it.
          const ids = (await dockerOk(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${loaded.project.name}`])).split('\n').filter(Boolean);
          const names = ids.length
            ? (JSON.parse(await dockerOk(['inspect', ...ids])) as { Id: string; Name: string; NetworkSettings: { Networks: Record<string, { DNSNames?: string[] | null }> | null } }[])
            : [];
          const played: PlayRecord = { steps: [], containerIds: new Map(names.map((c) => [c.Name.replace(/^\//, ''), c.Id])) };
          const extra = [...linkQueries(loaded), ...replicaQueries(loaded)];
          const raw = await observe(loaded.spec, played, extra);
          const engineInspect = loaded.engine.inspect();
          // Timing-dependent values: compared as sets, then the docker side relabelled to the engine's assignment.
          const races = translateRaces(loaded, raw, engineInspect);
          problems.push(...races.problems);
          totals.raced += races.compared;
          const observed = races.observation;
          const engine: EngineSide = {
            inspect: engineInspect,
            resolve: (from, name) => loaded.engine.resolve('host1', from, name),
            diagnostics: loaded.diagnostics.filter((d) => d.severity === 'error'),
          };
          const disagreements = compare(loaded.spec, played, observed, engine, extra);
          if (disagreements.length) problems.push(formatDisagreements(`${stack} (Docker ${version})`, disagreements));
          // DNSNames (inspect, API 1.44+): every name the embedded DNS answers for the endpoint, own short id
          // normalised. 20.10 has no such field; the engine's are then internal (its DNS records).
          for (const c of names) {
            const cname = c.Name.replace(/^\//, '');
            for (const [net, ep] of Object.entries(c.NetworkSettings.Networks ?? {})) {
              if (ep.DNSNames === undefined) continue;
              const n = [...(loaded.engine.state.hosts.get('host1')?.networks.values() ?? [])].find((x) => x.name === net);
              const mine = [...(n?.endpoints.values() ?? [])].find((e) => e.name === cname);
              const norm = (xs: readonly string[] | null | undefined, id: string | undefined) => JSON.stringify((xs ?? []).map((x) => (id !== undefined && x === id.slice(0, 12) ? '<own short id>' : x)));
              const engineId = engineInspect.containers.find((x) => x.name === cname)?.id;
              totals.dnsNames++;
              if (norm(ep.DNSNames, c.Id) !== norm(mine?.dnsNames, engineId)) problems.push(`DNSNames of ${cname} on ${net}: dockerd ${norm(ep.DNSNames, c.Id)}, engine ${norm(mine?.dnsNames, engineId)}`);
            }
          }
          // Every container of the project is one the engine predicts (compare() walks the engine's list).
          for (const n of played.containerIds.keys()) if (!loaded.spec.containers.some((c) => c.name === n)) problems.push(`container ${n}: only in docker`);
          const projectNets = (await dockerOk(['network', 'ls', '--format', '{{.Name}}', '--filter', `label=com.docker.compose.project=${loaded.project.name}`])).split('\n').filter(Boolean);
          for (const n of projectNets) if (!loaded.spec.networks.some((x) => x.name === n)) problems.push(`network ${n}: only in docker`);

          // Probes: symbolic targets, each side its own addresses (harness/probe.ts), against the tracer.
          const realBook = new AddressBook(raw.inspect);
          const engineBook = new AddressBook(engineInspect);
          const tracer = new Tracer(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
          const safe = safeTargets(loaded.spec, raw.inspect);
          // Probes go to the real addresses (raw): the relabelled side is only for comparing values.
          const probes = [...scenarioProbes(loaded.spec, raw.inspect), ...moreProbes(loaded.spec, raw.inspect)];
          type Job = { probe: Probe; realDest: string; engineDest: string; realPort?: number; enginePort?: number };
          const bySource = new Map<string, Job[]>();
          for (const p of probes) {
            const realDest = realBook.resolve(p.target, engineBook);
            const engineDest = engineBook.resolve(p.target, realBook);
            const realPort = p.published ? (p.proto === 'udp' ? udpHostPort(raw.inspect, p.published) : realBook.hostPort(p.published)) : p.port;
            const enginePort = p.published ? (p.proto === 'udp' ? udpHostPort(engineInspect, p.published) : engineBook.hostPort(p.published)) : p.port;
            if (realDest === null || engineDest === null || realPort === null || enginePort === null) {
              if ((realDest === null || realPort === null) && (engineDest === null || enginePort === null)) continue; // neither side has it
              problems.push(`${probeLabel(p)}: its target is missing on ${realDest === null || realPort === null ? 'dockerd' : 'the engine'}`);
              continue;
            }
            assertSafe(realDest, p.fromHost, safe);
            bySource.set(p.from, [...(bySource.get(p.from) ?? []), { probe: p, realDest, engineDest, ...(realPort !== undefined ? { realPort } : {}), ...(enginePort !== undefined ? { enginePort } : {}) }]);
          }
          const groups = new Map<string, [string, Job[]][]>();
          for (const entry of bySource) groups.set(namespaceGroup(loaded, entry[0]), [...(groups.get(namespaceGroup(loaded, entry[0])) ?? []), entry]);
          // IPv6 duplicate address detection first (harness/ipv6Settle.ts): a tentative gateway drops packets.
          const stillTentative = await waitForIpv6Dad();
          if (stillTentative.length) console.error(`  IPv6 addresses still tentative after 8 s: ${stillTentative.join(', ')}`);
          stopUdp = await startUdpListeners(loaded.spec, raw.inspect);
          const results = (
            await Promise.all(
              [...groups.values()].map(async (members) => {
                const done: { list: Job[]; res: Observed[] }[] = [];
                for (const [source, list] of members) {
                  done.push({ list, res: await runAnyProbes(source, list[0]!.probe.fromHost, list.map((x) => ({ proto: x.probe.proto, dest: x.realDest, ...(x.realPort !== undefined ? { port: x.realPort } : {}) }))) });
                }
                return done;
              }),
            )
          ).flat();
          // A probe dockerd saw time out where the tracer says delivered is made once more, alone: on this
          // loaded 2-core machine a 2 s timeout is sometimes only slowness. Counted as retried.
          const trace = (x: Job): TraceResult => {
            try {
              return tracer.trace({ host: 'host1', from: x.probe.from, to: x.engineDest, proto: x.probe.proto, ...(x.enginePort !== undefined ? { port: x.enginePort } : {}) });
            } catch (e) {
              return { verdict: 'unknown', reason: `tracer error: ${(e as Error).message}`, hops: [] };
            }
          };
          for (const { list, res } of results) {
            for (const [i, x] of list.entries()) {
              if (res[i]!.verdict !== 'dropped' || trace(x).verdict !== 'delivered') continue;
              const [again] = await runAnyProbes(x.probe.from, x.probe.fromHost, [{ proto: x.probe.proto, dest: x.realDest, ...(x.realPort !== undefined ? { port: x.realPort } : {}) }]);
              totals.retried++;
              res[i] = { verdict: again!.verdict, output: `${res[i]!.output}\n(retried: ${again!.output})` };
            }
          }
          const records: object[] = [];
          let agree = 0;
          for (const { list, res } of results) {
            list.forEach((x, i) => {
              const o = res[i]!;
              const traced = trace(x);
              const ok = traced.verdict !== 'unknown' && o.verdict === traced.verdict;
              if (ok) agree++;
              else problems.push(`${probeLabel(x.probe)}: dockerd ${o.verdict} (${x.realDest}; ${o.output.split('\n').filter((l) => l && !l.startsWith('rc=')).slice(-1)[0] ?? ''}), engine ${traced.verdict} (${x.engineDest}): ${traced.reason}`);
              records.push({ probe: probeLabel(x.probe), dockerd: { dest: x.realDest, verdict: o.verdict, output: o.output }, engine: { dest: x.engineDest, verdict: traced.verdict, reason: traced.reason }, agree: ok });
            });
          }
          const probeCount = records.length;

          // Rules: the lab host's iptables-save against `cnm rules`, normalised.
          const saved = await hostRun('iptables-save', [], { timeoutMs: 30_000 });
          const hostState = loaded.engine.state.hosts.get('host1');
          let rulesDiff: string[] = ['iptables-save failed'];
          let rulesAsSet = false;
          if (saved.code === 0 && hostState) {
            const real = normaliseIptablesSave(saved.stdout, bridgeLabels(raw.inspect), addressLabels(raw.inspect));
            const mine = normaliseIptablesSave(formatIptablesSave(hostRules(hostState, loaded.engine.state.drivers)), bridgeLabels(engineInspect), addressLabels(engineInspect));
            rulesDiff = diffRules(canonicalPortOrder(real.lines), canonicalPortOrder(mine.lines));
            // Compose creates its networks in Go map order, and each network's rules go in where it is
            // created: with several networks, the blocks' order is timing-dependent — compared as a set.
            const sorted = (xs: string[]) => JSON.stringify([...xs].sort());
            if (rulesDiff.length && loaded.spec.networks.length > 1 && sorted(real.lines) === sorted(mine.lines)) {
              rulesDiff = [];
              rulesAsSet = true;
            }
          }
          for (const d of rulesDiff) problems.push(`rules: ${d}`);

          const endpoints = observed.inspect.containers.reduce((n, c) => n + c.endpoints.length, 0);
          totals.stacks++;
          totals.containers += observed.inspect.containers.length;
          totals.endpoints += endpoints;
          totals.lookups += observed.resolutions.length;
          totals.probes += probeCount;
          totals.probesAgree += agree;
          totals.rules++;
          if (rulesDiff.length === 0) totals.rulesAgree++;
          writeFileSync(join(OUT_DIR, `${stack}-${version}.json`), JSON.stringify({ stack, version, observed, engine: engineInspect, disagreements, probes: records, rulesDiff, races: races.sets }, null, 2));
          const line = `${stack} on ${version}: ${observed.inspect.networks.length} networks, ${observed.inspect.containers.length} containers, ${endpoints} endpoints, ${observed.resolutions.length} look-ups, ${probeCount} probes (${agree} agree), rules ${rulesDiff.length ? `${rulesDiff.length} differences` : rulesAsSet ? 'agree as a set' : 'agree'}, ${races.compared} timing-dependent values as sets; ${problems.length} problems`;
          console.log(`  ${line}`);
          st.diagnostic(line);
          assert.deepEqual(problems, [], `${stack} on ${version}:\n${problems.join('\n')}`);
        } finally {
          stopUdp();
          await stopLabDaemon();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    }
  });
}
