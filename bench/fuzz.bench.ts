// Fuzz soak: hostile input at volume, reported as figures (bench/README.md). 5,000 mutated topology
// files through parse + build, 5,000 mutated Compose projects through loadCompose, and 2,000 edits sent
// to the running language server (topology and Compose documents alternately), each followed by a
// feature request at a random position, and 2,000 mutated Docker answer sets read into a picture of the
// host (bench/answersFuzz.ts) — 14,000 in all (a tenth with --quick). The figures
// are the time per document / per request; the failures (a throw, a diagnostic outside its document, an
// internal error, a request unanswered within 15 s, the server gone) are printed and recorded as the
// figures' `failures` counts, never hidden. Asserts nothing; a bounded slice runs in the unit tier
// (test/unit/fuzzSoak.test.ts) and must find no failure there.
//   node --import tsx bench/fuzz.bench.ts [SEED]
import { LspSession } from '../test/lsp/lspHarness';
import { record, quick } from './figures';
import { fuzzAnswers } from './answersFuzz';
import { composeSeeds, fuzzCompose, fuzzLsp, fuzzTopology, topologySeeds, type FuzzRound } from './fuzzCore';

const SEED = Number(process.argv[2] ?? 20261207);
const scale = quick ? 0.1 : 1;
const TOPOLOGY = Math.round(5000 * scale);
const COMPOSE = Math.round(5000 * scale);
const LSP = Math.round(2000 * scale);
const ANSWERS = Math.round(2000 * scale);

let unhandled = 0;
process.on('unhandledRejection', (e) => {
  unhandled++;
  console.error(`unhandled rejection: ${e instanceof Error ? e.message : String(e)}`);
});

function report(id: string, name: string, measured: string, round: FuzzRound, wall: number): void {
  const sorted = [...round.times].sort((a, b) => a - b);
  const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] ?? NaN;
  console.log(`${name}: ${round.documents} documents in ${(wall / 1000).toFixed(1)} s; median ${p(0.5).toFixed(2)} ms, p95 ${p(0.95).toFixed(2)} ms, max ${p(1).toFixed(1)} ms; ` +
    `${round.withErrors} with errors reported; failures: ${round.failures.length}`);
  for (const f of round.failures.slice(0, 5)) console.log(`  FAILURE ${f}`);
  record({ id, name, unit: 'ms', stat: 'p95', samples: round.times, measured, extra: { documents: [round.documents], failures: [round.failures.length], withErrors: [round.withErrors], wallMs: [wall] } });
}

console.log(`fuzz soak, seed ${SEED}: ${topologySeeds().length} topology examples and ${composeSeeds().length} Compose projects as seeds`);
{
  const t0 = performance.now();
  const r = fuzzTopology(TOPOLOGY, SEED);
  report('fuzz.topology', `fuzz: ${TOPOLOGY.toLocaleString('en-US')} mutated topology files, parse + build (p95 per document)`, 'loadTopology of each mutated examples/*.cnm.yaml in one process; failures = throws, diagnostics outside the text, internal errors', r, performance.now() - t0);
}
{
  const t0 = performance.now();
  const r = fuzzCompose(COMPOSE, SEED + 1);
  report('fuzz.compose', `fuzz: ${COMPOSE.toLocaleString('en-US')} mutated Compose projects, loadCompose (p95 per project)`, 'loadCompose of each mutated examples/**/compose.yaml (a mutated override beside it one time in five) from memory; failures as above', r, performance.now() - t0);
}
{
  const t0 = performance.now();
  const r = fuzzAnswers(ANSWERS, SEED + 3);
  report('fuzz.answers', `fuzz: ${ANSWERS.toLocaleString('en-US')} mutated Docker answer sets, read into a picture (p95 per set)`, `a recorded 20.10 host made a swarm manager (version, ps + inspects, networks, info, nodes, services, tasks, events), 1-4 values changed per set (wrong types, missing, null, huge strings, negative numbers, unknown enums, bad addresses), through validate, swarmAnswers, withMembers, the engine replay, liveTopology + its text, importTopology, liveSwarm, swarmToEngine; withErrors = refused with a MalformedAnswerError (${r.pictured} gave a picture); failures = anything else thrown`, { documents: r.rounds, times: r.times, withErrors: r.refused, failures: r.failures }, performance.now() - t0);
}
async function lspRound(): Promise<void> {
  const lsp = await LspSession.start({ debounceMs: 0 });
  const t0 = performance.now();
  try {
    const r = await fuzzLsp(lsp, LSP, SEED + 2);
    report('fuzz.lsp', `fuzz: ${LSP.toLocaleString('en-US')} edits to the language server, a request at a random position after each (p95 per request)`, `the server process over LSP stdio (debounce 0): whole-text didChange of a mutated topology or Compose document, its diagnostics, then one of hover/completion/definition/references/documentSymbol/codeLens/codeAction; requests: ${JSON.stringify(r.requests)}`, r, performance.now() - t0);
    if (lsp.exited !== null) console.log(`FAILURE the language server exited (${lsp.exited})`);
  } finally {
    await lsp.stop();
  }
}
void lspRound().then(() => {
  console.log(`unhandled rejections in this process: ${unhandled}`);
  console.log(`documents in all: ${(TOPOLOGY + COMPOSE + LSP + ANSWERS).toLocaleString('en-US')}`);
});
