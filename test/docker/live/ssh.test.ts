// The ssh transport end to end: an `ssh` on PATH that records its arguments and runs the local docker
// CLI's `docker system dial-stdio` stands in for a remote host, so the real dockerd answers through the
// same stdin/stdout pipe a real ssh session would carry (no network, no ssh-agent).
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connectDocker } from '../../../src/docker/client';
import { takeSnapshot } from '../../../src/docker/snapshot';
import { client, requireLive } from './support';

test('ssh://user@host:port talks to dockerd through `ssh … docker system dial-stdio`', { timeout: 120_000 }, async (t) => {
  if (!(await requireLive(t, client()))) return;
  const dir = mkdtempSync(join(tmpdir(), 'cnm-fake-ssh-'));
  const oldPath = process.env.PATH;
  try {
    writeFileSync(join(dir, 'ssh'), `#!/bin/sh\necho "$@" > "${dir}/args"\nexec /usr/bin/docker system dial-stdio\n`);
    chmodSync(join(dir, 'ssh'), 0o755);
    process.env.PATH = `${dir}:${oldPath}`;
    const c = connectDocker('ssh://ops@build.example:2222');
    assert.equal(c.description, 'ssh://ops@build.example:2222');
    const snap = await takeSnapshot(c);
    assert.match(snap.daemon.version, /^\d+\.\d+/);
    assert.ok(snap.networks.some((n) => n.name === 'bridge'), 'the default bridge, read over the pipe');
    assert.equal(readFileSync(join(dir, 'args'), 'utf8').trim(), '-o ConnectTimeout=30 -o BatchMode=yes -T -l ops -p 2222 -- build.example docker system dial-stdio');
  } finally {
    process.env.PATH = oldPath;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an ssh host that cannot be reached is one clear error', { timeout: 120_000 }, async (t) => {
  if (!(await requireLive(t, client()))) return;
  const dir = mkdtempSync(join(tmpdir(), 'cnm-fake-ssh-'));
  const oldPath = process.env.PATH;
  try {
    writeFileSync(join(dir, 'ssh'), '#!/bin/sh\necho "ssh: Could not resolve hostname nowhere.invalid: Name or service not known" >&2\nexit 255\n');
    chmodSync(join(dir, 'ssh'), 0o755);
    process.env.PATH = `${dir}:${oldPath}`;
    await assert.rejects(connectDocker('ssh://nowhere.invalid').ping(), (e: Error) => e.name === 'UnreachableError' && /Could not resolve hostname nowhere\.invalid/.test(e.message));
  } finally {
    process.env.PATH = oldPath;
    rmSync(dir, { recursive: true, force: true });
  }
});
