// The Docker HTTP layer against a local socket that misbehaves (no daemon): every request ends by its
// total deadline, even when the server trickles bytes; a cancelled request ends at once; an answer
// over the cap, or not JSON, is a clear MalformedAnswerError; a refusal keeps Docker's own message;
// the event stream has no idle timeout.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectDocker } from '../../../src/docker/client';
import { DockerHttp } from '../../../src/docker/transport';
import { CancelledError, DockerApiError, MalformedAnswerError, UnreachableError } from '../../../src/docker/types';

type Behaviour = (path: string, sock: Socket) => void;

const dir = mkdtempSync(join(tmpdir(), 'cnm-transport-'));
const socketPath = join(dir, 'fake.sock');
let behave: Behaviour = () => undefined;
let server: Server;
const open = new Set<Socket>();

const answer = (sock: Socket, status: string, body: string, type = 'application/json') =>
  sock.end(`HTTP/1.1 ${status}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);

describe('Docker HTTP layer', () => {
  before(async () => {
    server = createServer((sock) => {
      open.add(sock);
      sock.on('close', () => open.delete(sock));
      sock.on('error', () => undefined);
      let head = '';
      sock.on('data', (d: Buffer) => {
        head += d.toString();
        if (!head.includes('\r\n\r\n')) return;
        const path = /^\S+ (\S+)/.exec(head)?.[1] ?? '';
        head = '';
        behave(path, sock);
      });
    });
    await new Promise<void>((r) => server.listen(socketPath, r));
  });
  after(async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const http = () => new DockerHttp({ socketPath }, 300, 4096);

  it('a server that accepts and never answers: the request ends by its deadline, naming it', async () => {
    behave = () => undefined;
    const t0 = Date.now();
    await assert.rejects(http().request('network ls', '/networks'), (e) => e instanceof UnreachableError && e.message === 'network ls: no answer from Docker within 300 ms');
    assert.ok(Date.now() - t0 < 800);
  });

  it('a server that trickles a byte now and then still ends by the deadline (it is total, not idle)', async () => {
    behave = (_p, sock) => {
      sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : sock.write('1\r\n \r\n')), 50);
    };
    const t0 = Date.now();
    await assert.rejects(http().request('ps', '/containers/json'), /ps: no answer from Docker within 300 ms/);
    assert.ok(Date.now() - t0 < 800);
  });

  it('a cancelled request ends at once with a CancelledError', async () => {
    behave = () => undefined;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const t0 = Date.now();
    await assert.rejects(http().request('ps', '/containers/json', { signal: ac.signal, timeoutMs: 5000 }), (e) => e instanceof CancelledError && e.message === 'ps: cancelled');
    assert.ok(Date.now() - t0 < 250);
  });

  it('an answer over the cap is refused as not a Docker answer; so is one that is not JSON', async () => {
    behave = (_p, sock) => answer(sock, '200 OK', JSON.stringify(Array.from({ length: 1000 }, (_v, i) => ({ Id: String(i) }))));
    await assert.rejects(http().request('network ls', '/networks'), (e) => e instanceof MalformedAnswerError && /larger than 4096 bytes/.test(e.message));
    behave = (_p, sock) => answer(sock, '200 OK', '{"Id": "abc", ');
    await assert.rejects(http().request('network ls', '/networks'), (e) => e instanceof MalformedAnswerError && e.message === 'network ls: the answer is not JSON ("{\\"Id\\": \\"abc\\", ")');
  });

  it('a refusal keeps Docker\'s own message and status', async () => {
    behave = (_p, sock) => answer(sock, '403 Forbidden', '{"message":"bridge is a pre-defined network and cannot be removed"}');
    await assert.rejects(http().request('network rm bridge', '/networks/bridge', { method: 'DELETE' }), (e) => e instanceof DockerApiError && e.status === 403 && e.message === 'bridge is a pre-defined network and cannot be removed');
  });

  it('a missing socket is unreachable with the system\'s code', async () => {
    const c = connectDocker(`unix://${join(dir, 'none.sock')}`, { timeoutMs: 1000 });
    await assert.rejects(c.ping(), (e) => e instanceof UnreachableError && /^ping: cannot reach Docker \(ENOENT/.test(e.message));
  });

  it('a ping is answered on its own connection while every pooled one waits on a slow read', async () => {
    behave = (path, sock) => {
      if (path === '/_ping') answer(sock, '200 OK', 'OK', 'text/plain');
      // anything else: no answer yet (a daemon busy with a large read)
    };
    const c = connectDocker(`unix://${socketPath}`, { timeoutMs: 2000, concurrency: 2 });
    const slow = Array.from({ length: 4 }, (_v, i) => c.inspectContainer(`c${i}`).catch((e: Error) => e.message));
    await new Promise((r) => setTimeout(r, 50));
    await c.ping({ timeoutMs: 300 });
    for (const m of await Promise.all(slow)) assert.match(String(m), /no answer from Docker within 2 s/);
  });

  it('ping wants "OK"; the event stream stays open however long it is quiet', async () => {
    behave = (path, sock) => {
      if (path === '/_ping') {
        answer(sock, '200 OK', 'OK', 'text/plain');
        return;
      }
      // Headers, then silence: longer than the client's request deadline.
      sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const line = `${JSON.stringify({ Type: 'network', Action: 'create', Actor: { ID: 'n1', Attributes: { name: 'a' } } })}\n`;
      setTimeout(() => sock.write(`${Buffer.byteLength(line).toString(16)}\r\n${line}\r\n`), 700);
    };
    const c = connectDocker(`unix://${socketPath}`, { timeoutMs: 200 });
    await c.ping();
    let ended: Error | null | undefined;
    const got: string[] = [];
    const sub = await c.events((e) => got.push(`${e.kind} ${e.id}`), (err) => (ended = err));
    await new Promise((r) => setTimeout(r, 900));
    sub.close();
    assert.equal(ended, undefined, 'the stream did not end while quiet');
    assert.deepEqual(got, ['network:create n1']);
  });
});
