// Bundles the entry points with esbuild; `tsc --noEmit` (npm run typecheck) does the type-checking.
// First it regenerates the drivers' parts of the schema and the grammar (scripts/generate-driver-files.mjs),
// so a new driver's folder is all a developer adds.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDriverFiles } from './generate-driver-files.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const regenerated = await generateDriverFiles();
if (regenerated.length > 0) console.log(`generated ${regenerated.join(', ')} from the driver descriptors`);

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
  legalComments: 'none',
};
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** run.ts's lazy `require('./docker')` becomes a require of the bundle next to cli.js. */
function dockerPartApart() {
  return {
    name: 'cli-docker-apart',
    /** @param {esbuild.PluginBuild} build */
    setup(build) {
      build.onResolve({ filter: /^\.\/docker$/ }, (args) => (args.importer.endsWith(join('src', 'cli', 'run.ts')) ? { path: './cli-docker.js', external: true } : undefined));
      // `cnm lab`: lab hosts (src/lab) are a bundle of their own too, cli-lab.js.
      build.onResolve({ filter: /^\.\/lab$/ }, (args) => (args.importer.endsWith(join('src', 'cli', 'run.ts')) ? { path: './cli-lab.js', external: true } : undefined));
    },
  };
}

/** @type {esbuild.BuildOptions[]} */
const entryBuilds = [
  // The extension host: `vscode` is provided at run time. dockerode's optional native ssh helpers stay out.
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', 'cpu-features', './crypto/build/Release/sshcrypto.node'] },
  { ...node, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' },
  // The CLI in two bundles: cli.js reads files; `--docker` loads cli-docker.js (the Docker client, dockerode
  // and the live-host replay, with its own copy of the commands), so a file command never parses them.
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [dockerPartApart()] },
  { ...node, entryPoints: ['src/cli/docker.ts'], outfile: 'dist/cli-docker.js', external: ['cpu-features', './crypto/build/Release/sshcrypto.node'] },
  // `cnm lab` (lab hosts: dockerd in network namespaces, the play and the comparison), loaded by cli.js only for `cnm lab`.
  { ...node, entryPoints: ['src/cli/lab.ts'], outfile: 'dist/cli-lab.js' },
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
];

// An entry point another part of the project has not written yet is skipped (loudly), so the rest still builds.
export const builds = entryBuilds.filter((b) => {
  const entry = /** @type {string[]} */ (b.entryPoints)[0];
  if (existsSync(join(root, entry))) return true;
  console.warn(`esbuild: WARNING: ${entry} is missing; ${b.outfile} is not built`);
  return false;
});

// The extension-host test suite (Mocha in a real VS Code) is bundled too, only for development builds:
// index.js plus one file per *.test.ts, which index.js finds next to itself (as @vscode/test-electron expects).
const extensionTests = join(root, 'test/extension');
if (!production && existsSync(join(extensionTests, 'index.ts'))) {
  const tests = readdirSync(extensionTests).filter((f) => f.endsWith('.test.ts')).map((f) => `test/extension/${f}`);
  rmSync(join(root, 'out/test'), { recursive: true, force: true });
  builds.push({ ...node, entryPoints: ['test/extension/index.ts', ...tests], outdir: 'out/test', outbase: 'test/extension', external: ['vscode', 'mocha'] });
}

// A production build starts from an empty dist/, so no source map or stale bundle of a development build ships.
if (production) rmSync(join(root, 'dist'), { recursive: true, force: true });

function copyWebviewAssets() {
  mkdirSync(join(root, 'dist'), { recursive: true });
  // @vscode-elements ships a self-registering bundle; the webview loads it from dist/ (no remote content).
  const src = join(root, 'node_modules/@vscode-elements/elements/dist/bundled.js');
  if (existsSync(src)) cpSync(src, join(root, 'dist/vscode-elements.js'));
  // Only the stylesheet and the font it loads: the rest of the codicons package is for its own docs.
  const codicons = join(root, 'node_modules/@vscode/codicons/dist');
  for (const file of ['codicon.css', 'codicon.ttf']) {
    if (!existsSync(join(codicons, file))) continue;
    mkdirSync(join(root, 'dist/codicons'), { recursive: true });
    cpSync(join(codicons, file), join(root, 'dist/codicons', file));
  }
}

if (watch) {
  copyWebviewAssets();
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log('esbuild: watching…');
} else {
  const t = Date.now();
  try {
    await Promise.all(builds.map((b) => esbuild.build(b)));
  } catch {
    // esbuild has already printed each error with its file and line; a stack trace would add nothing.
    console.error('esbuild: the build failed');
    process.exit(1);
  }
  copyWebviewAssets();
  console.log(`esbuild: ${builds.length} bundles in ${Date.now() - t} ms`);
}
