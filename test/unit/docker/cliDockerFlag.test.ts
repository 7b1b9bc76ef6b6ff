// `--docker [ENDPOINT]` in place of FILE: what is an ENDPOINT and what stays a positional.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractDockerFlag, wantsDocker } from '../../../src/cli/docker';
import { resolveNodeEndpoint } from '../../../src/docker';

describe('--docker [ENDPOINT]', () => {
  it('takes the next token as ENDPOINT only when it looks like one', () => {
    assert.deepEqual(extractDockerFlag(['--docker', '--json']), { endpoint: undefined, nodes: [], readHost: false, rest: ['--json'] });
    assert.deepEqual(extractDockerFlag(['--docker', 'tcp://10.0.0.5:2376', '--json']), { endpoint: 'tcp://10.0.0.5:2376', nodes: [], readHost: false, rest: ['--json'] });
    assert.deepEqual(extractDockerFlag(['--docker', 'ssh://ops@h', '--from', 'a', 'web']), { endpoint: 'ssh://ops@h', nodes: [], readHost: false, rest: ['--from', 'a', 'web'] });
    assert.deepEqual(extractDockerFlag(['--docker=unix:///run/docker.sock']), { endpoint: 'unix:///run/docker.sock', nodes: [], readHost: false, rest: [] });
    // `cnm resolve --docker web --from app`: "web" is NAME, not an endpoint.
    assert.deepEqual(extractDockerFlag(['--docker', 'web', '--from', 'app']), { endpoint: undefined, nodes: [], readHost: false, rest: ['web', '--from', 'app'] });
    // --read-host: the user's consent to read an ssh host's rules, routes and sysctls over ssh.
    assert.deepEqual(extractDockerFlag(['--docker', 'ssh://ops@h', '--read-host', '--from', 'a']), { endpoint: 'ssh://ops@h', nodes: [], readHost: true, rest: ['--from', 'a'] });
  });

  it('takes every --docker-node ENDPOINT, and refuses one without its ENDPOINT', () => {
    assert.deepEqual(extractDockerFlag(['--docker', 'unix:///m.sock', '--docker-node', 'unix:///w1.sock', '--docker-node=tcp://10.0.0.6:2375', '--from', 'a']), {
      endpoint: 'unix:///m.sock', nodes: ['unix:///w1.sock', 'tcp://10.0.0.6:2375'], readHost: false, rest: ['--from', 'a'],
    });
    assert.throws(() => extractDockerFlag(['--docker', '--docker-node']), /--docker-node needs an ENDPOINT/);
    assert.throws(() => extractDockerFlag(['--docker', '--docker-node', '--json']), /--docker-node needs an ENDPOINT/);
  });

  it('reads a swarm node as an endpoint, a socket path or a context name', () => {
    assert.deepEqual(resolveNodeEndpoint('/run/w.sock'), { kind: 'unix', socketPath: '/run/w.sock', source: { from: 'explicit' } });
    assert.equal(resolveNodeEndpoint('tcp://10.0.0.6:2375').kind, 'tcp');
    assert.throws(() => resolveNodeEndpoint('  '), /empty/);
    assert.throws(() => resolveNodeEndpoint('no-such-context-s8'), /no-such-context-s8/);
  });

  it('is recognised in both spellings, and not inside other words', () => {
    assert.equal(wantsDocker(['x', '--docker']), true);
    assert.equal(wantsDocker(['--docker=tcp://h:1']), true);
    assert.equal(wantsDocker(['--dockerfile']), false);
  });
});
