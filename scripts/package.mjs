// `npm run package`: a production build and `vsce package` into cnm-explorer-<version>.vsix,
// holding only what runs (see .vscodeignore), then its size and file list.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { manifest, root } from './lib/paths.mjs';

const vsix = `${manifest.name}-${manifest.version}.vsix`;
const vsce = join(root, 'node_modules', '.bin', 'vsce');

// vsce runs the `vscode:prepublish` script (node scripts/build.mjs --production) before packing.
const result = spawnSync(vsce, [
  'package',
  '--no-dependencies', // everything is bundled by esbuild: node_modules stays out
  '--no-rewrite-relative-links', // the repository URL is a placeholder: keep README links relative
  '--out', vsix,
], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.error(`package: vsce failed${result.error ? `: ${result.error.message}` : ''}`);
  process.exit(1);
}

const listing = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' });
const files = listing.stdout.split('\n').filter(Boolean).sort();
const maps = files.filter((f) => f.endsWith('.map'));
if (maps.length) {
  console.error(`package: source maps got into the package: ${maps.join(', ')}`);
  process.exit(1);
}
console.log(`\n${vsix}: ${(statSync(join(root, vsix)).size / 1024).toFixed(1)} KiB, ${files.length} files of the extension`);
for (const f of files) console.log(`  ${f}`);
