// Plays one scenario on the real dockerd and prints what was observed (the docker side of the
// differential suite), then cleans up:  node --import tsx test/docker/harness/show.ts FILE [--keep]
import { assertNoForeignObjects, ensureDaemon, ensureImage, markCursorUsed, removeLeftovers, requireDaemon } from './daemon';
import { observe } from './observe';
import { play } from './play';
import { loadScenario } from './scenario';

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: show.ts FILE.cnm.yaml [--keep]');
  const keep = process.argv.includes('--keep');
  if (!(await requireDaemon()).reachable) return;
  const sc = loadScenario(file);
  if (sc.parseErrors.length > 0) console.error(`parse errors:\n  ${sc.parseErrors.join('\n  ')}`);
  await ensureImage();
  await assertNoForeignObjects();
  await removeLeftovers();
  await ensureDaemon(sc.daemonFlags, sc.needsFreshCursor);
  try {
    const record = await play(sc.spec);
    markCursorUsed();
    const obs = await observe(sc.spec, record);
    console.log(JSON.stringify({ steps: record.steps.map(({ argv, ...s }) => ({ ...s, argv: argv.slice(0, -1).join(' ') })), ...obs }, null, 2));
  } finally {
    if (!keep) await removeLeftovers();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
