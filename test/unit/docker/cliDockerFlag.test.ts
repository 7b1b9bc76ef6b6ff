// `--docker [ENDPOINT]` in place of FILE: what is an ENDPOINT and what stays a positional.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractDockerFlag, wantsDocker } from '../../../src/cli/docker';

describe('--docker [ENDPOINT]', () => {
  it('takes the next token as ENDPOINT only when it looks like one', () => {
    assert.deepEqual(extractDockerFlag(['--docker', '--json']), { endpoint: undefined, readHost: false, rest: ['--json'] });
    assert.deepEqual(extractDockerFlag(['--docker', 'tcp://10.0.0.5:2376', '--json']), { endpoint: 'tcp://10.0.0.5:2376', readHost: false, rest: ['--json'] });
    assert.deepEqual(extractDockerFlag(['--docker', 'ssh://ops@h', '--from', 'a', 'web']), { endpoint: 'ssh://ops@h', readHost: false, rest: ['--from', 'a', 'web'] });
    assert.deepEqual(extractDockerFlag(['--docker=unix:///run/docker.sock']), { endpoint: 'unix:///run/docker.sock', readHost: false, rest: [] });
    // `cnm resolve --docker web --from app`: "web" is NAME, not an endpoint.
    assert.deepEqual(extractDockerFlag(['--docker', 'web', '--from', 'app']), { endpoint: undefined, readHost: false, rest: ['web', '--from', 'app'] });
    // --read-host: the user's consent to read an ssh host's rules, routes and sysctls over ssh.
    assert.deepEqual(extractDockerFlag(['--docker', 'ssh://ops@h', '--read-host', '--from', 'a']), { endpoint: 'ssh://ops@h', readHost: true, rest: ['--from', 'a'] });
  });

  it('is recognised in both spellings, and not inside other words', () => {
    assert.equal(wantsDocker(['x', '--docker']), true);
    assert.equal(wantsDocker(['--docker=tcp://h:1']), true);
    assert.equal(wantsDocker(['--dockerfile']), false);
  });
});
