// Workspace trust: in an untrusted workspace no command changes a Docker host — the change is never
// started — and the user reads why and how to trust the workspace.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { guardHostChange, untrustedMessage } from '../../../src/extension/live/guard';

describe('the trust guard', () => {
  it('refuses in an untrusted workspace without running the change, and says why', async () => {
    let ran = false;
    const shown: string[] = [];
    const r = await guardHostChange(() => false, 'Remove Network', async () => { ran = true; return { ok: true }; }, (m) => shown.push(m));
    assert.equal(ran, false);
    assert.deepEqual(r, { ok: false, error: untrustedMessage('Remove Network') });
    assert.equal(shown.length, 1);
    assert.match(shown[0]!, /^Remove Network: this workspace is not trusted/);
    assert.match(shown[0]!, /Manage Workspace Trust/);
    assert.match(shown[0]!, /Reading hosts .* still works/);
  });

  it('runs the change in a trusted workspace and returns its result', async () => {
    const r = await guardHostChange(() => true, 'Create Network', async () => ({ ok: true, message: 'created' }));
    assert.deepEqual(r, { ok: true, message: 'created' });
  });

  it('asks about trust at the time of the action (trust can be granted while the window is open)', async () => {
    let trusted = false;
    const isTrusted = () => trusted;
    assert.equal((await guardHostChange(isTrusted, 'Apply', async () => 'done')) === 'done', false);
    trusted = true;
    assert.equal(await guardHostChange(isTrusted, 'Apply', async () => 'done'), 'done');
  });
});
