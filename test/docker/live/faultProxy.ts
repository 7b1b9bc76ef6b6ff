// A unix-socket proxy in front of the real dockerd that can misbehave on command: pass everything
// through, cut every open connection (the event stream mid-burst), stop answering (accept and hang,
// open connections go silent), answer malformed JSON or an endless body, or have its socket removed.
// The daemon itself is never touched; only this test's socket and connections are.
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ProxyMode = 'pass' | 'hang' | 'malformed' | 'huge';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** The mode the connection was accepted in (a hung pair stays hung until cut). */
  mode: ProxyMode;
}

export class FaultProxy {
  readonly dir = mkdtempSync(join(tmpdir(), 'cnm-fault-'));
  readonly path = join(this.dir, 'docker.sock');
  private server: Server | null = null;
  private readonly pairs = new Set<Pair>();
  private current: ProxyMode = 'pass';
  /** Request lines seen ("GET /events?..."), in order: what the client asked for. */
  readonly requests: string[] = [];
  /** Bytes of junk sent in `huge` mode. */
  hugeBytes = 0;

  constructor(private readonly upstreamPath = '/var/run/docker.sock') {}

  get endpoint(): string {
    return `unix://${this.path}`;
  }

  get mode(): ProxyMode {
    return this.current;
  }

  count(prefix: string): number {
    return this.requests.filter((r) => r.startsWith(prefix)).length;
  }

  async start(): Promise<void> {
    this.server = createServer((c) => this.accept(c));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.path, () => resolve());
    });
  }

  /** Switches what new requests get. `hang` also silences the open connections (the event stream). */
  set(mode: ProxyMode): void {
    const before = this.current;
    this.current = mode;
    if (mode === 'hang') for (const p of this.pairs) p.mode = 'hang';
    // Leaving a fault: its connections go (the client reconnects to whatever comes next).
    if (before !== mode && before !== 'pass') for (const p of [...this.pairs]) if (p.mode !== mode) this.drop(p);
    if (mode === 'malformed' || mode === 'huge') for (const p of [...this.pairs]) if (p.mode === 'pass') this.drop(p);
  }

  /** Closes every open connection at once (as a daemon dying or a network cut would). */
  cut(): void {
    for (const p of [...this.pairs]) this.drop(p);
  }

  /** The socket file disappears (connections cut too): connecting fails with ENOENT. */
  async removeSocket(): Promise<void> {
    const s = this.server;
    this.server = null;
    this.cut();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    rmSync(this.path, { force: true });
  }

  /** The socket is back (after removeSocket). */
  async restore(): Promise<void> {
    if (!this.server) await this.start();
  }

  async close(): Promise<void> {
    await this.removeSocket();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private drop(p: Pair): void {
    this.pairs.delete(p);
    p.client.destroy();
    p.upstream?.destroy();
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: null, mode: this.current };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => this.drop(pair));
    if (pair.mode === 'pass') {
      const up = createConnection(this.upstreamPath);
      pair.upstream = up;
      up.on('error', () => this.drop(pair));
      up.on('close', () => this.drop(pair));
      up.on('data', (d: Buffer) => pair.mode === 'pass' && client.write(d));
    }
    let head = '';
    client.on('data', (d: Buffer) => {
      for (const m of d.toString('latin1').matchAll(/(?:^|\r\n)((?:GET|POST|DELETE|HEAD|PUT) \S+) HTTP\/1\.1/g)) this.requests.push(m[1]!);
      if (pair.mode === 'pass') return void pair.upstream?.write(d);
      if (pair.mode === 'hang') return; // read and never answer
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      head = '';
      if (pair.mode === 'malformed') {
        const body = '{"Id": "0123", "Name": "half an answer", ';
        client.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
        client.end();
      } else this.sendHuge(client);
    });
  }

  /** An endless JSON array, chunked, written as fast as the client reads it, until it hangs up. */
  private sendHuge(client: Socket): void {
    client.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const piece = Buffer.from('{"Id":"' + 'f'.repeat(64) + '","Name":"/x"},'.repeat(1));
    const chunk = Buffer.concat(Array.from({ length: Math.ceil((1 << 20) / piece.length) }, () => piece));
    const frame = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
    let first = true;
    const pump = () => {
      while (!client.destroyed && client.writable) {
        const data = first ? Buffer.concat([Buffer.from('1\r\n[\r\n'), frame]) : frame;
        first = false;
        this.hugeBytes += chunk.length;
        if (!client.write(data)) return void client.once('drain', pump);
      }
    };
    pump();
  }
}
