// Hover and completion while the engine rebuilds (issue 20; target: answered within 50 ms), on the
// 5,000-container file of diagnostics.bench.ts, through the real server (dist/server.js, debounce 0)
// over LSP stdio. Prints numbers; asserts nothing.
//   node --import tsx bench/rebuildRequests.bench.ts [CONTAINERS] [NETWORKS]
//
// Each round sends an edit that rebuilds the whole engine (the host's daemon version under `hosts:`,
// or the subnet of the first network, each toggled back and forth so the file stays valid) and then
// a hover (on a container's name, three quarters down the file) and a completion (in a container's
// `networks: [...]` list, a quarter down), far from the edit:
//  - "right after the edit": both requests sent just after didChange; what the user waits for, with
//    the server's parse of the new text (the server must read the new version before it can place the
//    position in it);
//  - "during the build": both requests sent once the server has published the parser's diagnostics of
//    the new version, i.e. while the engine is being rebuilt (in 15 ms slices).
// Each latency is request sent → answer received. The server answers from the last build's engine
// until the new one is done (languageServer.ts, provisionalAnalysisOf); that the rebuild really ran
// is checked on every round (cnm/analysisInfo reports a `build` phase) and the rebuild's own time is
// printed beside.
import { cpus, loadavg } from 'node:os';
import { LspSession } from '../test/lsp/lspHarness';
import { notMeasured, record, runs } from './figures';
import { generateTopology } from './generate';

const containers = Number(process.argv[2] ?? 5000);
const networks = Number(process.argv[3] ?? 500);
const ROUNDS = runs(10, 2); // per edit kind and per wave; each round is two requests
const uri = 'file:///bench/rebuild-requests.cnm.yaml';
const server = process.env.CNM_SERVER === 'dist' ? 'dist/server.js' : 'src/server/server.ts through tsx';
const kilo = (x: number) => x.toLocaleString('en-US');

const base = generateTopology({ containers, networks });
console.log(`rebuild requests: ${containers} containers on ${networks} networks (${(base.length / 1024).toFixed(0)} KiB); ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);

/** Line and character of an offset in `text`. */
function pos(text: string, offset: number) {
  const head = text.slice(0, offset);
  const line = head.split('\n').length - 1;
  return { line, character: offset - (head.lastIndexOf('\n') + 1) };
}

/** An edit as a ranged change: `from` at `at` becomes `to` (and back on the next round). */
interface Edit { name: string; at: number; a: string; b: string }
const edits: Edit[] = [
  { name: 'hosts: daemon version', at: base.indexOf('version: "20.10"') + 'version: "'.length, a: '20.10', b: '23.0' },
  { name: 'networks: first subnet', at: base.indexOf('subnet: 10.64.0.0/24') + 'subnet: '.length, a: '10.64.0.0/24', b: '10.65.200.0/24' },
];
for (const e of edits) if (e.at < 'subnet: '.length) throw new Error(`edit "${e.name}" not found in the generated file`);

async function main(): Promise<void> {
  const lsp = await LspSession.start({ debounceMs: 0 });
  const right: number[] = [];
  const during: number[] = [];
  const rebuild: number[] = [];
  const answeredBeforeBuilt: number[] = [];
  let empty = 0;
  try {
    await lsp.open(uri, base);
    await lsp.request('cnm/analysisInfo', { uri });
    let text = base;
    // Where the requests go, in the current text (the edits are above both: re-found after each edit).
    const targets = () => {
      const hoverAt = text.indexOf(`  c${String(Math.floor(containers * 0.75)).padStart(5, '0')}:`) + 3;
      const listAt = text.indexOf('networks: [net', text.indexOf(`  c${String(Math.floor(containers / 4)).padStart(5, '0')}:`)) + 'networks: ['.length;
      return { hover: pos(text, hoverAt), completion: pos(text, listAt) };
    };
    for (const wave of ['right after the edit', 'during the build'] as const) {
      for (const edit of edits) {
        for (let n = 0; n < ROUNDS * 2; n++) {
          const [from, to] = n % 2 === 0 ? [edit.a, edit.b] : [edit.b, edit.a];
          if (text.slice(edit.at, edit.at + from.length) !== from) throw new Error(`edit "${edit.name}": text moved`);
          const change = { range: { start: pos(text, edit.at), end: pos(text, edit.at + from.length) }, text: to };
          text = text.slice(0, edit.at) + to + text.slice(edit.at + from.length);
          const version = lsp.version(uri) + 1;
          const firstPublish = wave === 'during the build' ? lsp.diagnosticsFor(uri, version, 60_000) : undefined;
          const t0 = performance.now();
          await lsp.change(uri, [change], false);
          if (firstPublish) await firstPublish;
          const at = targets();
          const ask = async <R>(method: string, p: unknown): Promise<{ ms: number; answer: R; doneAt: number }> => {
            const t = performance.now();
            const answer = await lsp.request<R>(method, p);
            return { ms: performance.now() - t, answer, doneAt: performance.now() };
          };
          const hover = ask<{ contents: unknown } | null>('textDocument/hover', { textDocument: { uri }, position: at.hover });
          const completion = ask<unknown[] | { items: unknown[] } | null>('textDocument/completion', { textDocument: { uri }, position: at.completion });
          const info = await lsp.request<{ version: number; timings: Record<string, number> } | null>('cnm/analysisInfo', { uri });
          const built = performance.now();
          const [h, c] = await Promise.all([hover, completion]);
          if (info?.version !== version || info.timings.build === undefined) throw new Error(`edit "${edit.name}" did not rebuild the engine (timings: ${JSON.stringify(info?.timings)})`);
          const items = Array.isArray(c.answer) ? c.answer : (c.answer?.items ?? []);
          if (!h.answer || items.length === 0) empty++;
          (wave === 'right after the edit' ? right : during).push(h.ms, c.ms);
          rebuild.push(built - t0);
          answeredBeforeBuilt.push(Number(h.doneAt < built) + Number(c.doneAt < built));
          console.log(`  ${wave.padEnd(21)} ${edit.name.padEnd(23)} hover ${h.ms.toFixed(0).padStart(5)} ms, completion ${c.ms.toFixed(0).padStart(5)} ms (${items.length} items); `
            + `edit → rebuild complete ${(built - t0).toFixed(0).padStart(5)} ms (build ${info.timings.build.toFixed(0)} ms, server CPU ${info.timings.cpu?.toFixed(0)} ms)`);
        }
      }
    }
  } finally {
    await lsp.stop();
  }
  const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
  const file = `${kilo(containers)} containers / ${kilo(networks)} networks`;
  const how = `${server} (debounce 0) over LSP stdio, the ${file} file: an edit that rebuilds the engine (${edits.map((e) => e.name).join('; ')}, toggled), then a hover on a container's name and a completion in a networks list far from it; request sent → answer received`;
  record({
    id: 'lsp.rebuild.requests', name: `hover + completion right after a rebuilding edit (p95 of ${right.length})`, unit: 'ms', stat: 'p95', samples: right, target: 50,
    measured: `${how}; sent just after didChange (the server parses the new text first). extra.rebuild: edit → rebuild complete; extra.beforeBuilt: answers (of 2) that came before it`,
    extra: { rebuild, beforeBuilt: answeredBeforeBuilt },
  });
  record({
    id: 'lsp.rebuild.requestsDuringBuild', name: `hover + completion during the rebuild (p95 of ${during.length})`, unit: 'ms', stat: 'p95', samples: during, target: 50,
    measured: `${how}; sent once the parser's diagnostics of the new version were published, while the engine rebuilds`,
  });
  console.log(`right after the edit: p95 ${p95(right).toFixed(1)} ms; during the build: p95 ${p95(during).toFixed(1)} ms; edit → rebuild complete median ${[...rebuild].sort((a, b) => a - b)[rebuild.length >> 1]!.toFixed(0)} ms; `
    + `${answeredBeforeBuilt.reduce((a, b) => a + b, 0)}/${answeredBeforeBuilt.length * 2} answers before the rebuild was complete; ${empty} rounds with an empty hover or completion   (target < 50 ms)`);
}

main().catch((e: unknown) => {
  console.error(e);
  const why = `the bench failed: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300);
  for (const [id, name] of [['lsp.rebuild.requests', 'hover + completion right after a rebuilding edit'], ['lsp.rebuild.requestsDuringBuild', 'hover + completion during the rebuild']] as const) {
    notMeasured({ id, name, unit: 'ms', stat: 'p95', measured: '', target: 50 }, why);
  }
  process.exitCode = 1;
});
