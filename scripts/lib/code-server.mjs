// Starts and stops code-server instances for `npm start` and the test tiers: loopback only, no auth,
// their own user-data and extensions folders, in a process group of their own so that stopping
// them also ends the extension host and every helper process they started.
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheDir, codeServerBin } from '../ensure-code-server.mjs';
import { extensionFolderName, root } from './paths.mjs';

/** What an installed copy of the extension holds: the same list as the .vsix (see .vscodeignore). */
export const extensionFiles = ['package.json', 'dist', 'media', 'syntaxes', 'README.md', 'CHANGELOG.md', 'LICENSE'];

/** Settings that keep code-server quiet and offline: no welcome page, tips, updates or gallery look-ups. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.commandCenter.enabled': false,
};

/** The installed code-server package; its bundled VS Code is under lib/vscode. */
export const codeServerHome = join(cacheDir, 'node_modules', 'code-server');

export function codeServerInstalled() {
  return existsSync(codeServerBin);
}

/** A port nobody listens on now, on 127.0.0.1 (0 lets the kernel pick; otherwise the first free from `from`). */
export async function freePort(from = 0) {
  for (let port = from; port < 65536; port++) {
    const got = await new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = /** @type {import('node:net').AddressInfo} */ (server.address());
        server.close(() => resolve(bound));
      });
    });
    if (got !== undefined) return got;
    if (from === 0) break;
  }
  throw new Error(`no free port on 127.0.0.1 from ${from}`);
}

/** Copies the built extension into `extensionsDir` as VS Code would install it; returns its folder. */
export function installExtensionFolder(extensionsDir) {
  if (!existsSync(join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  const target = join(extensionsDir, extensionFolderName);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const f of extensionFiles) {
    if (!existsSync(join(root, f))) continue;
    // Source maps are left out, as in the .vsix.
    cpSync(join(root, f), join(target, f), { recursive: true, filter: (src) => !src.endsWith('.map') });
  }
  return target;
}

/**
 * Starts code-server and waits until it answers.
 * @param {{ workspace?: string, port?: number, userDataDir?: string, extensionsDir?: string,
 *   env?: Record<string, string>, settings?: Record<string, unknown>, logFile?: string, startupTimeoutMs?: number,
 *   workspaceTrust?: boolean }} options  workspaceTrust: VS Code's workspace trust stays on (off by default: tests run trusted)
 */
export async function startCodeServer(options = {}) {
  if (!codeServerInstalled()) throw new Error(`code-server is not installed (${codeServerBin}): run node scripts/ensure-code-server.mjs`);
  const port = options.port ?? (await freePort());
  const scratch = mkdtempSync(join(tmpdir(), 'cnm-code-server-'));
  const userDataDir = options.userDataDir ?? join(scratch, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(scratch, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const settingsFile = join(userDataDir, 'User', 'settings.json');
  const existing = existsSync(settingsFile) ? safeJson(readFileSync(settingsFile, 'utf8')) : {};
  writeFileSync(settingsFile, JSON.stringify({ ...quietSettings, ...existing, ...options.settings }, null, 2));

  const logFile = options.logFile ?? join(scratch, 'code-server.log');
  const log = openSync(logFile, 'a');
  const args = ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir, '--disable-telemetry', '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override'];
  if (options.workspace) args.push(options.workspace);
  const child = spawn(codeServerBin, args, {
    detached: true, // its own process group: stop() ends code-server and all it started
    stdio: ['ignore', log, log],
    // An empty gallery turns the marketplace off, so code-server makes no requests to open-vsx.org.
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', ...options.env },
  });
  closeSync(log); // the child holds its own copy
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.on('exit', (code, signal) => { exited = true; resolve(code ?? signal); }));
  const killGroup = (signal) => {
    try { process.kill(-child.pid, signal); } catch { /* already gone */ }
  };
  // Even when the caller crashes or is interrupted, the group does not outlive this process.
  const onExit = () => killGroup('SIGKILL');
  process.on('exit', onExit);
  const onSignal = () => process.exit(130); // runs the 'exit' handlers, which plain signal death skips
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    if (process.listenerCount(signal) === 0) process.once(signal, onSignal);
  }

  const instance = {
    port,
    url: `http://127.0.0.1:${port}/`,
    pid: child.pid,
    userDataDir,
    extensionsDir,
    logFile,
    scratch,
    /** Settles when the code-server process ends, with its exit code or signal. */
    exited: exitedPromise,
    /** The last lines of code-server's log, for error messages. */
    logTail: (lines = 30) => readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n'),
    /** Stops the whole process group (SIGTERM, then SIGKILL after 5 s) and removes the temp folders. */
    async stop() {
      killGroup('SIGTERM');
      const deadline = Date.now() + 5000;
      while (!exited && Date.now() < deadline) await sleep(100);
      killGroup('SIGKILL'); // helpers (extension host, pty host) may outlive the main process
      process.off('exit', onExit);
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(signal, onSignal);
      rmSync(scratch, { recursive: true, force: true }); // only our temp folders: a caller's own dirs live elsewhere
    },
  };

  const deadline = Date.now() + (options.startupTimeoutMs ?? 60_000);
  while (!(await healthy(port))) {
    if (exited || Date.now() > deadline) {
      const tail = instance.logTail();
      await instance.stop();
      throw new Error(`code-server ${exited ? 'exited' : 'did not answer'} on port ${port}; log:\n${tail}`);
    }
    await sleep(250);
  }
  return instance;
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return {}; }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
