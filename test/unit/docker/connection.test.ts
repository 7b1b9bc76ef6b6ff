// Where `cnm --docker` and the explorer connect: the same precedence and files as the docker CLI.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { contextDirName, describeEndpoint, EndpointError, resolveEndpoint, sshDialCommand, tlsWarning, type ConnectionEnv } from '../../../src/docker/connection';
import { tlsProblem } from '../../../src/docker/transport';

function fakeEnv(env: Record<string, string>, files: Record<string, string> = {}): ConnectionEnv {
  return { env, configDir: '/home/u/.docker', readFile: (p) => files[p] ?? null };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('resolveEndpoint', () => {
  it('without anything: the default unix socket', () => {
    const ep = resolveEndpoint(undefined, fakeEnv({}));
    assert.deepEqual(ep, { kind: 'unix', socketPath: '/var/run/docker.sock', source: { from: 'default' } });
  });

  it('an explicit ENDPOINT wins over DOCKER_HOST and the context', () => {
    const ep = resolveEndpoint('unix:///run/user/1000/docker.sock', fakeEnv({ DOCKER_HOST: 'tcp://10.0.0.1:2375' }));
    assert.equal(ep.kind, 'unix');
    assert.equal(ep.kind === 'unix' && ep.socketPath, '/run/user/1000/docker.sock');
    assert.equal(ep.source.from, 'explicit');
  });

  it('DOCKER_HOST tcp without TLS uses port 2375; with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, the certificates', () => {
    const plain = resolveEndpoint(undefined, fakeEnv({ DOCKER_HOST: 'tcp://build.example:2375' }));
    assert.deepEqual(plain, { kind: 'tcp', host: 'build.example', port: 2375, tls: null, source: { from: 'DOCKER_HOST' } });
    const files = { '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' };
    const tls = resolveEndpoint(undefined, fakeEnv({ DOCKER_HOST: 'tcp://build.example', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' }, files));
    assert.equal(tls.kind, 'tcp');
    if (tls.kind !== 'tcp') return;
    assert.equal(tls.port, 2376, 'TLS default port');
    assert.deepEqual(tls.tls, { verify: true, dir: '/certs', ca: 'CA', cert: 'CERT', key: 'KEY' });
  });

  it('TLS verification without a readable ca.pem is a clear error, not a silent downgrade', () => {
    assert.throws(() => resolveEndpoint(undefined, fakeEnv({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nowhere' })), (e: Error) => e instanceof EndpointError && /ca\.pem cannot be read/.test(e.message));
  });

  it('verification is never turned off silently: DOCKER_TLS_VERIFY=0 still verifies (as the docker CLI), DOCKER_CERT_PATH alone warns', () => {
    const files = { '/certs/ca.pem': 'CA', '/certs/cert.pem': 'CERT', '/certs/key.pem': 'KEY' };
    const zero = resolveEndpoint(undefined, fakeEnv({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '0', DOCKER_CERT_PATH: '/certs' }, files));
    assert.equal(zero.kind === 'tcp' && zero.tls?.verify, true);
    assert.equal(tlsWarning(zero), undefined);
    const pathOnly = resolveEndpoint(undefined, fakeEnv({ DOCKER_HOST: 'tcp://h:2376', DOCKER_CERT_PATH: '/certs' }, files));
    assert.equal(pathOnly.kind === 'tcp' && pathOnly.tls?.verify, false);
    assert.match(tlsWarning(pathOnly) ?? '', /^TLS without verifying the daemon's certificate \(DOCKER_TLS_VERIFY is not set .*h:2376/);
    assert.equal(describeEndpoint(pathOnly), 'tcp://h:2376 (TLS, daemon not verified) (DOCKER_HOST)');
    const tlsOnly = resolveEndpoint(undefined, fakeEnv({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS: '1' }));
    assert.equal(tlsOnly.kind === 'tcp' && tlsOnly.tls?.verify, false);
    assert.ok(tlsWarning(tlsOnly));
  });

  it('half a client certificate (cert.pem without key.pem) is a clear error before any handshake', () => {
    assert.throws(() => resolveEndpoint(undefined, fakeEnv({ DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/c' }, { '/c/ca.pem': 'CA', '/c/cert.pem': 'CERT' })), (e: Error) => e instanceof EndpointError && /\/c\/cert\.pem is there but \/c\/key\.pem cannot be read/.test(e.message));
  });

  it('a refused handshake says which side refused and what to check', () => {
    assert.match(tlsProblem('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', '/c') ?? '', /^TLS: the daemon's certificate is not signed by \/c\/ca\.pem, so it was refused/);
    assert.match(tlsProblem('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames: IP: 10.0.0.2 is not in the cert's list: 10.0.0.1") ?? '', /not for this host name or address.*10\.0\.0\.2/);
    assert.match(tlsProblem('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'x', '/c', false) ?? '', /requires a client certificate and none was given \(\/c\/cert\.pem and key\.pem not found\)/);
    assert.match(tlsProblem('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'x', '/c', true) ?? '', /refused our client certificate/);
    assert.equal(tlsProblem('ECONNREFUSED', 'x'), undefined);
  });

  it('the current context from config.json and the context store (meta under sha256 of the name, TLS beside it)', () => {
    const dir = sha('prod');
    assert.equal(contextDirName('prod'), dir);
    const files = {
      '/home/u/.docker/config.json': JSON.stringify({ auths: {}, currentContext: 'prod' }),
      [`/home/u/.docker/contexts/meta/${dir}/meta.json`]: JSON.stringify({ Name: 'prod', Metadata: {}, Endpoints: { docker: { Host: 'tcp://prod.example:2376', SkipTLSVerify: false } } }),
      [`/home/u/.docker/contexts/tls/${dir}/docker/ca.pem`]: 'PRODCA',
      [`/home/u/.docker/contexts/tls/${dir}/docker/cert.pem`]: 'PRODCERT',
      [`/home/u/.docker/contexts/tls/${dir}/docker/key.pem`]: 'PRODKEY',
    };
    const ep = resolveEndpoint(undefined, fakeEnv({}, files));
    assert.equal(ep.kind, 'tcp');
    if (ep.kind !== 'tcp') return;
    assert.equal(ep.host, 'prod.example');
    assert.deepEqual(ep.tls, { verify: true, dir: `/home/u/.docker/contexts/tls/${dir}/docker`, ca: 'PRODCA', cert: 'PRODCERT', key: 'PRODKEY' });
    assert.equal(describeEndpoint(ep), 'tcp://prod.example:2376 (TLS) (context prod)');
  });

  it('DOCKER_CONTEXT overrides config.json; DOCKER_HOST overrides both', () => {
    const files = {
      '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'prod' }),
      [`/home/u/.docker/contexts/meta/${sha('remote')}/meta.json`]: JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'ssh://ops@remote.example:2222' } } }),
    };
    const ep = resolveEndpoint(undefined, fakeEnv({ DOCKER_CONTEXT: 'remote' }, files));
    assert.deepEqual(ep, { kind: 'ssh', host: 'remote.example', user: 'ops', port: 2222, source: { from: 'context', context: 'remote' } });
    assert.equal(resolveEndpoint(undefined, fakeEnv({ DOCKER_CONTEXT: 'remote', DOCKER_HOST: 'unix:///x.sock' }, files)).kind, 'unix');
  });

  it('the "default" context means the default socket; an unknown context or a broken meta.json says which', () => {
    assert.equal(resolveEndpoint(undefined, fakeEnv({}, { '/home/u/.docker/config.json': '{"currentContext":"default"}' })).source.from, 'default');
    assert.throws(() => resolveEndpoint(undefined, fakeEnv({ DOCKER_CONTEXT: 'ghost' })), /docker context "ghost" not found/);
    const files = { [`/home/u/.docker/contexts/meta/${sha('bad')}/meta.json`]: '{"Endpoints":{}}' };
    assert.throws(() => resolveEndpoint(undefined, fakeEnv({ DOCKER_CONTEXT: 'bad' }, files)), /docker context "bad" has no docker endpoint/);
    assert.throws(() => resolveEndpoint(undefined, fakeEnv({}, { '/home/u/.docker/config.json': '{not json' })), /config\.json is not valid JSON/);
  });

  it('a malformed ENDPOINT gets one clear line', () => {
    assert.throws(() => resolveEndpoint('ftp://x', fakeEnv({})), /unsupported Docker endpoint "ftp:\/\/x"/);
    assert.throws(() => resolveEndpoint('unix://', fakeEnv({})), /no socket path/);
  });
});

describe('ssh transport', () => {
  it('runs `docker system dial-stdio` on the remote host, as the docker CLI does (no agent, no socket forwarding)', () => {
    const ep = resolveEndpoint('ssh://ops@remote.example:2222', fakeEnv({}));
    assert.equal(ep.kind, 'ssh');
    if (ep.kind !== 'ssh') return;
    const cmd = sshDialCommand(ep);
    assert.equal(cmd.file, 'ssh');
    assert.deepEqual(cmd.args.slice(-5), ['--', 'remote.example', 'docker', 'system', 'dial-stdio']);
    assert.ok(cmd.args.includes('-l') && cmd.args[cmd.args.indexOf('-l') + 1] === 'ops');
    assert.ok(cmd.args.includes('-p') && cmd.args[cmd.args.indexOf('-p') + 1] === '2222');
  });

  it('a host name cannot smuggle ssh options (it comes after "--"); a remote socket path becomes --host', () => {
    const cmd = sshDialCommand({ kind: 'ssh', host: '-oProxyCommand=evil', socketPath: '/run/docker.sock', source: { from: 'explicit' } });
    const dash = cmd.args.indexOf('--');
    assert.ok(dash >= 0 && cmd.args.indexOf('-oProxyCommand=evil') > dash);
    assert.deepEqual(cmd.args.slice(dash + 1), ['-oProxyCommand=evil', 'docker', '--host=unix:///run/docker.sock', 'system', 'dial-stdio']);
  });
});
