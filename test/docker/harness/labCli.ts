// Lab hosts by hand (as root):
//   node --import tsx test/docker/harness/labCli.ts up 2 [--version 20.10|26.1] [--swarm] [--no-lan]
//   node --import tsx test/docker/harness/labCli.ts ls
//   node --import tsx test/docker/harness/labCli.ts down [ID]     # one lab, or every lab
//   node --import tsx test/docker/harness/labCli.ts sweep         # only labs left by interrupted runs
// `up` leaves the lab running after it exits (a "manual" lab: no test run's sweep removes it) and prints
// each host's DOCKER_HOST and CLI; `down` removes it all.
import { readFileSync } from 'node:fs';
import { isLabVersion, labRunDir, type LabVersion } from './labPaths';
import { startLab } from './lab';
import { isManual, labIds, labKept, sweepLeftovers, teardownLabSync } from './labTeardown';

const USAGE = 'usage: labCli.ts up N [--version 20.10|26.1] [--swarm] [--no-lan] | ls | down [ID] | sweep';

function fail(message: string): never {
  console.error(`labCli: ${message}\n${USAGE}`);
  process.exit(2);
}

interface Described {
  hosts?: { name: string; version: string; dockerHost: string; cli: string; lanAddress?: string }[];
}

function describe(id: string): Described {
  try {
    return JSON.parse(readFileSync(`${labRunDir(id)}/lab.json`, 'utf8')) as Described;
  } catch {
    return {};
  }
}

async function up(args: string[]): Promise<void> {
  const count = Number(args[0]);
  if (!Number.isInteger(count) || count < 1 || count > 9) fail('up needs a number of hosts, 1 to 9');
  let version: LabVersion = '20.10';
  let swarm = false;
  let lan = true;
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--version') {
      const v = args[++i] ?? '';
      if (!isLabVersion(v)) fail(`--version ${v}: 20.10 or 26.1`);
      version = v;
    } else if (a === '--swarm') swarm = true;
    else if (a === '--no-lan') lan = false;
    else fail(`unknown option ${a}`);
  }
  if (swarm && !lan) fail('--swarm needs the LAN');
  const names = Array.from({ length: count }, (_, i) => `node${i + 1}`);
  const lab = await startLab({
    hosts: names.map((name) => ({ name, version })),
    lan,
    swarm: swarm ? { manager: names[0]!, workers: names.slice(1) } : undefined,
    manual: true,
    log: (l) => console.log(l),
  });
  console.log(`\nlab ${lab.id}${lab.lan ? `, LAN ${lab.lan.subnet} in namespace ${lab.lan.netns}` : ''}${lab.swarm ? `, swarm manager ${lab.swarm.manager.name}` : ''}`);
  for (const h of lab.hosts) {
    console.log(`  ${h.name}  Docker ${h.version}  ${h.lanAddress ?? ''}\n    DOCKER_HOST=${h.dockerHost} ${h.cli} ps      # namespace ${h.netns}`);
  }
  console.log(`remove it: node --import tsx test/docker/harness/labCli.ts down ${lab.id}`);
}

function ls(): void {
  const ids = labIds();
  if (!ids.length) console.log('no labs');
  for (const id of ids) {
    const state = isManual(id) ? 'manual' : labKept(id) ? 'in use by a running test' : 'left over (sweep removes it)';
    console.log(`lab ${id}: ${state}`);
    for (const h of describe(id).hosts ?? []) console.log(`  ${h.name}  Docker ${h.version}  ${h.lanAddress ?? ''}  DOCKER_HOST=${h.dockerHost} ${h.cli}`);
  }
}

function down(id: string | undefined): void {
  const ids = id ? [id] : labIds().filter((i) => isManual(i) || !labKept(i));
  if (id && !labIds().includes(id)) fail(`no lab ${id} (labCli.ts ls lists them)`);
  if (id && labKept(id) && !isManual(id)) fail(`lab ${id} belongs to a running test; it removes it itself`);
  if (!ids.length) console.log('no labs to remove (labs of running tests are left alone)');
  for (const i of ids) for (const line of teardownLabSync(i)) console.log(`lab ${i}: ${line}`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (process.getuid?.() !== 0) fail('lab hosts need root');
  if (command === 'up') await up(rest);
  else if (command === 'ls') ls();
  else if (command === 'down') down(rest[0]);
  else if (command === 'sweep') {
    const lines = sweepLeftovers();
    console.log(lines.length ? lines.join('\n') : 'no labs left by interrupted runs');
  }
  else fail(command ? `unknown command ${command}` : 'a command is needed');
}

main().catch((e: unknown) => {
  console.error(`labCli: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
