// Installs code-server 4.99.4 once into .cache/code-server (git-ignored), offline-safe:
// @vscode/ripgrep's postinstall would download rg, so we seed its cache from Debian's /usr/bin/rg.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.99.4';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = join(root, '.cache', 'code-server');
export const codeServerBin = join(cacheDir, 'node_modules', '.bin', 'code-server');

export function ensureCodeServer({ quiet = false } = {}) {
  const marker = join(cacheDir, `.installed-${CODE_SERVER_VERSION}`);
  if (existsSync(marker) && existsSync(codeServerBin)) return codeServerBin;
  if (!existsSync('/usr/bin/rg')) {
    throw new Error('ripgrep is missing: install it first (apt-get install -y ripgrep libkrb5-dev)');
  }
  const rgCache = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  mkdirSync(rgCache, { recursive: true });
  const tarball = join(rgCache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (!existsSync(tarball)) {
    const t = mkdtempSync(join(tmpdir(), 'rg-'));
    copyFileSync('/usr/bin/rg', join(t, 'rg'));
    execFileSync('tar', ['-C', t, '-czf', tarball, 'rg']);
  }
  mkdirSync(cacheDir, { recursive: true });
  if (!existsSync(join(cacheDir, 'package.json'))) {
    writeFileSync(join(cacheDir, 'package.json'), JSON.stringify({ name: 'cnm-code-server-cache', private: true }));
  }
  if (!quiet) console.log(`Installing code-server ${CODE_SERVER_VERSION} into ${cacheDir} (once)…`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: cacheDir,
    stdio: quiet ? 'ignore' : 'inherit',
    // npm 11 blocks dependency install scripts by default; code-server's postinstall (and the nested installs
    // it runs for its bundled VS Code) must run, so they are allowed for this one folder.
    env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', npm_config_dangerously_allow_all_scripts: 'true' },
  });
  if (!existsSync(codeServerBin)) throw new Error(`code-server did not install into ${cacheDir}`);
  writeFileSync(marker, new Date().toISOString());
  return codeServerBin;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    console.log(ensureCodeServer());
  } catch (e) {
    console.error(`cnm: ${e.message}`);
    process.exit(1);
  }
}
