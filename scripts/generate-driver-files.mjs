// Writes the drivers' parts of the two static files VS Code reads before any code runs (the schema's
// driver examples and driver_opts docs, the grammar's driver pattern) from the drivers' descriptors.
// `npm run generate`; the build runs it too. `--check`: change nothing, exit 1 when a file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Regenerates both files; returns the ones that changed (written unless `check`). */
export async function generateDriverFiles({ check = false } = {}) {
  const engine = await tsImport(join(root, 'src/engine/index.ts'), import.meta.url);
  const changed = [];
  for (const [file, generate] of [[engine.SCHEMA_FILE, engine.generateSchema], [engine.GRAMMAR_FILE, engine.generateGrammar]]) {
    const path = join(root, file);
    const before = readFileSync(path, 'utf8');
    const after = generate(before, engine.SHIPPED_DESCRIPTORS);
    if (after === before) continue;
    changed.push(file);
    if (!check) writeFileSync(path, after);
  }
  return changed;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const changed = await generateDriverFiles({ check });
  if (check && changed.length > 0) {
    console.error(`out of date: ${changed.join(', ')} (run npm run generate)`);
    process.exit(1);
  }
  console.log(changed.length > 0 ? `generated ${changed.join(', ')}` : 'driver files up to date');
}
