// The fuzz soak's rounds, shared by bench/fuzz.bench.ts (10,000+ documents, figures in the bench results)
// and a bounded slice in the unit tier (test/unit/fuzzSoak.test.ts): mutated topology files through
// parse + build, mutated Compose projects through loadCompose (the main file and its override), and the
// running language server with a feature request at a random position after each edit. A round counts
// what would hurt a user — a throw, a diagnostic outside its document, an "Internal error", a request
// not answered within its deadline, the server gone — and times each document.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology, type Range } from '../src/topology';
import { loadCompose } from '../src/topology/compose';
import { featureRequests } from '../test/lsp/lspHarness';
import { mulberry32, mutate } from '../test/unit/topology/mutate';

const ROOT = join(__dirname, '..');
const EXAMPLES = join(ROOT, 'examples');

export interface FuzzRound {
  documents: number;
  /** Per document, ms. */
  times: number[];
  /** Documents whose result had an error diagnostic (the mutations do break files). */
  withErrors: number;
  failures: string[];
}

/** Every topology file of examples/ (counted from the folder). */
export function topologySeeds(): string[] {
  return readdirSync(EXAMPLES).filter((f) => f.endsWith('.cnm.yaml')).sort().map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));
}

/** Every compose.yaml under examples/ (the Compose example and the seed's projects), with its folder's other files. */
export function composeSeeds(): { main: string; siblings: Record<string, string> }[] {
  const out: { main: string; siblings: Record<string, string> }[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir).sort();
    if (names.includes('compose.yaml')) {
      const siblings: Record<string, string> = {};
      for (const n of names) if (n !== 'compose.yaml' && statSync(join(dir, n)).isFile()) siblings[n] = readFileSync(join(dir, n), 'utf8');
      out.push({ main: readFileSync(join(dir, 'compose.yaml'), 'utf8'), siblings });
    }
    for (const n of names) if (statSync(join(dir, n)).isDirectory()) walk(join(dir, n));
  };
  walk(EXAMPLES);
  return out;
}

export function rangeInside(text: string, r: Range): boolean {
  const lines = text.split('\n');
  const ok = (p: { line: number; character: number }) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length;
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}

function record(round: FuzzRound, what: string, text: string): void {
  // The first few in full (to replay), then a count.
  round.failures.push(round.failures.length < 5 ? `${what}\n--- document:\n${text.slice(0, 2000)}` : what);
}

/** `documents` mutated topology files through parse + build. */
export function fuzzTopology(documents: number, seed: number): FuzzRound {
  const seeds = topologySeeds();
  const rnd = mulberry32(seed);
  const round: FuzzRound = { documents, times: [], withErrors: 0, failures: [] };
  for (let i = 0; i < documents; i++) {
    let text = mutate(seeds[i % seeds.length]!, rnd);
    if (rnd() < 0.3) text = mutate(text, rnd);
    const t0 = performance.now();
    try {
      const loaded = loadTopology(text);
      round.times.push(performance.now() - t0);
      for (const d of loaded.diagnostics) {
        if (!rangeInside(text, d.range)) record(round, `topology ${i}: diagnostic outside the document ${JSON.stringify(d.range)}: ${d.message}`, text);
        if (!d.message || d.message.startsWith('Internal error')) record(round, `topology ${i}: ${d.message || 'an empty message'}`, text);
      }
      if (loaded.diagnostics.some((d) => d.severity === 'error')) round.withErrors++;
    } catch (e) {
      round.times.push(performance.now() - t0);
      record(round, `topology ${i}: threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`, text);
    }
  }
  return round;
}

/** `documents` mutated Compose projects (the main file, and now and then a mutated override beside it) through loadCompose. */
export function fuzzCompose(documents: number, seed: number): FuzzRound {
  const seeds = composeSeeds();
  const rnd = mulberry32(seed);
  const round: FuzzRound = { documents, times: [], withErrors: 0, failures: [] };
  for (let i = 0; i < documents; i++) {
    const s = seeds[i % seeds.length]!;
    let main = mutate(s.main, rnd);
    if (rnd() < 0.3) main = mutate(main, rnd);
    const files: Record<string, string> = { '/p/compose.yaml': main };
    for (const [n, t] of Object.entries(s.siblings)) files[`/p/${n}`] = t;
    if (rnd() < 0.2) files['/p/compose.override.yaml'] = mutate(s.main, rnd);
    const reader = { readFile: (p: string) => files[p], exists: (p: string) => p in files || p === '/p' };
    const t0 = performance.now();
    try {
      const loaded = loadCompose(reader, '/p/compose.yaml', { env: {} });
      round.times.push(performance.now() - t0);
      for (const d of loaded.diagnostics) {
        const text = files[d.file];
        if (text !== undefined && !rangeInside(text, d.range)) record(round, `compose ${i}: diagnostic outside ${d.file} ${JSON.stringify(d.range)}: ${d.message}`, text);
        if (!d.message || d.message.startsWith('Internal error')) record(round, `compose ${i}: ${d.message || 'an empty message'}`, main);
      }
      if (loaded.diagnostics.some((d) => d.severity === 'error')) round.withErrors++;
    } catch (e) {
      round.times.push(performance.now() - t0);
      // ComposeLoadError is the documented refusal (no Compose file found); nothing else may escape.
      if ((e as Error)?.name !== 'ComposeLoadError') record(round, `compose ${i}: threw ${e instanceof Error ? e.stack ?? e.message : String(e)}`, main);
    }
  }
  return round;
}

/** What fuzzLsp needs of a language-server session (test/lsp/lspHarness.ts's LspSession). */
export interface LspLike {
  open(uri: string, text: string): Promise<unknown>;
  change(uri: string, changes: { text: string }[]): Promise<{ range: Range; message: unknown }[] | undefined>;
  request(method: string, params: unknown): Promise<unknown>;
  readonly exited: number | null;
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/**
 * `documents` edits sent to the running server (whole-text changes of mutated topology and Compose
 * files, alternately), each followed by one feature request at a random position. Times the request.
 */
export async function fuzzLsp(lsp: LspLike, documents: number, seed: number, deadlineMs = 15_000): Promise<FuzzRound & { requests: Record<string, number> }> {
  const rnd = mulberry32(seed);
  const topo = topologySeeds();
  const compose = composeSeeds().map((s) => s.main);
  const docs = [
    { uri: 'file:///fuzz-soak/doc.cnm.yaml', seeds: topo, text: topo[0]! },
    { uri: 'file:///fuzz-soak/compose.yaml', seeds: compose, text: compose[0]! },
  ];
  for (const d of docs) await lsp.open(d.uri, d.text);
  const round: FuzzRound & { requests: Record<string, number> } = { documents, times: [], withErrors: 0, failures: [], requests: {} };
  for (let i = 0; i < documents; i++) {
    const d = docs[i % docs.length]!;
    const base = rnd() < 0.15 ? d.seeds[Math.floor(rnd() * d.seeds.length)]! : d.text;
    // Editors send well-formed UTF-16: a mutation that split a surrogate pair is mended.
    const text = mutate(base, rnd).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
    d.text = text;
    try {
      const published = await withTimeout(lsp.change(d.uri, [{ text }]), deadlineMs, `diagnostics of document ${i}`);
      const lines = text.split(/\r\n|\r|\n/);
      for (const diag of published ?? []) {
        const inside = [diag.range.start, diag.range.end].every((p) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length);
        if (!inside) record(round, `lsp ${i}: diagnostic outside ${d.uri} ${JSON.stringify(diag.range)}: ${JSON.stringify(diag.message)}`, text);
      }
      if ((published ?? []).length) round.withErrors++;
      const position = positionAt(text, Math.floor(rnd() * (text.length + 1)));
      const requests = featureRequests(d.uri, position, published ?? []);
      const [method, params] = requests[Math.floor(rnd() * requests.length)]!;
      round.requests[method] = (round.requests[method] ?? 0) + 1;
      const t0 = performance.now();
      await withTimeout(lsp.request(method, params), deadlineMs, `${method} on document ${i}`);
      round.times.push(performance.now() - t0);
    } catch (e) {
      record(round, `lsp ${i}: ${e instanceof Error ? e.message : String(e)}`, text);
      if (lsp.exited !== null) {
        record(round, `lsp: the server exited (${lsp.exited}) at document ${i}`, text);
        break;
      }
    }
  }
  return round;
}
