// `npm start`: builds the extension, installs code-server once (offline-safe), loads the extension
// into it and serves VS Code on 127.0.0.1 with examples/ open, until Ctrl-C.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ensureCodeServer } from './ensure-code-server.mjs';
import { freePort, installExtensionFolder, startCodeServer } from './lib/code-server.mjs';
import { manifest, root } from './lib/paths.mjs';

const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) fail('the build failed');

try {
  ensureCodeServer();
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}

// Project-local folders, git-ignored: settings and state survive restarts, nothing touches ~/.
const extensionsDir = join(root, '.cache', 'cs-extensions');
const userDataDir = join(root, '.cache', 'cs-user-data');
mkdirSync(extensionsDir, { recursive: true });
for (const old of readdirSync(extensionsDir)) {
  if (old.startsWith(`${manifest.publisher}.${manifest.name}-`)) rmSync(join(extensionsDir, old), { recursive: true, force: true });
}
installExtensionFolder(extensionsDir);

const examples = join(root, 'examples');
if (!existsSync(examples)) {
  mkdirSync(examples, { recursive: true });
  writeFileSync(join(examples, '.gitkeep'), '');
}

const wanted = process.env.PORT ? Number(process.env.PORT) : undefined;
if (wanted !== undefined && !(Number.isInteger(wanted) && wanted > 0 && wanted < 65536)) fail(`PORT=${process.env.PORT} is not a port number`);
const port = wanted ?? (await freePort(8080));

// Ctrl-C: stop code-server's whole process group (SIGTERM first), then leave.
let codeServer;
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping code-server…');
  await codeServer?.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

try {
  codeServer = await startCodeServer({ workspace: examples, port, userDataDir, extensionsDir, logFile: join(root, '.cache', 'code-server.log') });
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}

const url = `${codeServer.url}?folder=${encodeURI(examples)}`;
console.log(`
  CNM Explorer ${manifest.version} is running in code-server (VS Code in the browser):

      ${url}

  Open it in a browser on this machine; the CNM Explorer icon is in the activity bar.
  Log: .cache/code-server.log   Stop: Ctrl-C`);
if (onPath('code')) {
  console.log(`
  Desktop VS Code is installed too; to use it instead:
      npm run build && code --extensionDevelopmentPath="${root}" "${examples}"`);
}

const ended = await codeServer.exited;
if (!stopping) {
  console.error(`code-server ended by itself (${ended}); log:\n${codeServer.logTail()}`);
  await codeServer.stop();
  process.exit(1);
}

function onPath(command) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}
