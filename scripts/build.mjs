// Bundles the four entry points with esbuild; `tsc --noEmit` (npm run typecheck) does the type-checking.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** @type {esbuild.BuildOptions[]} */
export const builds = [
  // The extension host: `vscode` is provided at run time. dockerode's optional native ssh helpers stay out.
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'] },
  { ...node, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: ['cpu-features', './crypto/build/Release/sshcrypto.node'] },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
];

// The extension-host test suite (Mocha in a real VS Code) is bundled too, only for development builds.
if (!production && existsSync(join(root, 'test/extension/index.ts'))) {
  builds.push({ ...node, entryPoints: ['test/extension/index.ts'], outfile: 'out/test/index.js', external: ['vscode', 'mocha'] });
}

function copyWebviewAssets() {
  mkdirSync(join(root, 'dist'), { recursive: true });
  // @vscode-elements ships a self-registering bundle; the webview loads it from dist/ (no remote content).
  const src = join(root, 'node_modules/@vscode-elements/elements/dist/bundled.js');
  if (existsSync(src)) cpSync(src, join(root, 'dist/vscode-elements.js'));
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  if (existsSync(codicons)) cpSync(codicons, join(root, 'dist/codicons'), { recursive: true });
}

if (watch) {
  copyWebviewAssets();
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log('esbuild: watching…');
} else {
  const t = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  copyWebviewAssets();
  console.log(`esbuild: ${builds.length} bundles in ${Date.now() - t} ms`);
}
