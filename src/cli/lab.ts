// The entry point of dist/cli-lab.js: `cnm lab up|down|compare FILE`, a topology file played on lab hosts
// (src/lab). run.ts loads it only for `cnm lab`, so no other command parses the lab code.
import { resolve } from 'node:path';
import { labMissing, openLab } from '../lab/lab';
import { compareLab, formatComparison } from '../lab/compare';
import { downTopology, labOfFile, labVersions, unplayableOnLab, upTopology } from '../lab/topologyLab';
import { labRunDir } from '../lab/labPaths';
import { isComposeTarget, loadFile } from './commands/load';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import type { CliIo } from './io';
import { LAB_DETAILS, LAB_SUMMARY, LAB_USAGE, parseLabArgs, type LabArgs } from './labArgs';

export const NOT_ROOT = 'cnm lab needs root (it starts dockerd in network namespaces): run it with sudo';

const isRoot = () => process.getuid?.() === 0;

/** `cnm lab …`: the exit code. Usage errors and refusals are one line on stderr, exit 2. */
export async function runLab(argv: readonly string[], io: CliIo): Promise<number> {
  let args: LabArgs | 'help';
  try {
    args = parseLabArgs(argv);
    if (args === 'help') {
      io.out(`usage: ${LAB_USAGE}\n\n${LAB_SUMMARY}\n\n${LAB_DETAILS}\n`);
      return EXIT_OK;
    }
    return await runAction(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cnm: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`cnm lab: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILED;
  }
}

function notRoot(io: CliIo): number {
  io.err(`${NOT_ROOT}\n`);
  return EXIT_USAGE;
}

async function runAction(args: LabArgs, io: CliIo): Promise<number> {
  const file = resolve(args.file);
  if (args.action === 'down') {
    if (!isRoot()) return notRoot(io);
    const lines = downTopology(file);
    if (!lines) throw new UsageError(`lab down: no lab plays ${args.file}`);
    io.out(`${lines.join('\n')}\n`);
    return EXIT_OK;
  }
  // What lab hosts cannot play is refused before asking for root: no sudo needed to learn that.
  if (isComposeTarget(io, args.file)) throw new UsageError(`lab ${args.action}: ${args.file} is a Compose file: lab hosts cannot play Compose projects yet (a lab host's DOCKER_HOST works with docker compose)`);
  const loaded = loadFile(args.daemonVersion !== undefined ? { ...io, daemonVersion: args.daemonVersion } : io, args.file);
  const why = unplayableOnLab(loaded.spec);
  if (why) throw new UsageError(`lab ${args.action}: cannot play ${args.file}: ${why}`);
  const versions = labVersions(loaded.spec, args.daemonVersion);
  if (typeof versions === 'string') throw new UsageError(`lab ${args.action}: ${versions}`);
  if (!isRoot()) return notRoot(io);
  const missing = labMissing([...versions.values()]);
  if (missing.length) throw new UsageError(`lab ${args.action}: ${missing.join('; ')}`);
  const log = (line: string) => io.err(`${line}\n`);

  const running = labOfFile(file);
  if (args.action === 'compare' && running) {
    io.err(`comparing with lab ${running}, which plays ${args.file}\n`);
    return report(await compareLab(loaded.spec, loaded.engine, openLab(running)), io);
  }
  if (running) throw new UsageError(`lab up: ${args.file} is already up as lab ${running} (cnm lab down ${args.file} removes it)`);

  const keep = args.action === 'up';
  const { lab } = await upTopology(loaded.spec, file, versions, keep, log);
  try {
    if (keep) {
      const lines = [`lab ${lab.id} plays ${args.file}${lab.lan ? ` (LAN ${lab.lan.subnet})` : ''}:`];
      for (const h of lab.hosts) {
        lines.push(`  ${h.name}  Docker ${h.version}${h.lanAddress ? `  ${h.lanAddress}` : ''}  namespace ${h.netns}`);
        lines.push(`    DOCKER_HOST=${h.dockerHost} ${h.cli} ps`);
      }
      lines.push(`logs and sockets in ${labRunDir(lab.id)}; remove it all with: cnm lab down ${args.file}`);
      io.out(`${lines.join('\n')}\n`);
    }
    if (!args.compare) return EXIT_OK;
    return report(await compareLab(loaded.spec, loaded.engine, lab), io);
  } finally {
    if (!keep) await lab.stop();
  }
}

function report(rows: Awaited<ReturnType<typeof compareLab>>, io: CliIo): number {
  io.out(formatComparison(rows));
  return rows.some((r) => r.outcome === 'disagree') ? EXIT_FAILED : EXIT_OK;
}
