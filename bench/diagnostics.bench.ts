// Diagnostics after a one-character edit of a 5,000-container topology (SPEC target: under 150 ms).
// Prints numbers; asserts nothing.
//   node --import tsx bench/diagnostics.bench.ts [CONTAINERS] [NETWORKS]
//
// Two measurements:
//  - in process: DocumentAnalyzer.analyzeNow, phase by phase (what the server computes per edit), and
//    its CPU time ("cpu"), which a busy machine inflates less than wall time;
//  - end to end: the real server process over LSP (debounce 0): didChange sent → publishDiagnostics
//    received. With the editor's 100 ms debounce, add 100 ms of waiting for the user to pause.
// Seven kinds of one-character edit in the middle of the file: in an image name and in a comment (the
// engine sees nothing new: its last build is reused), in a published port (networking changes for that
// container only: it is re-played in place on the last build, Engine.replaceContainer) and in the name
// of a container's network (it moves to another network: it and the later containers of both networks
// are re-played, since their addresses may move). Under `networks:`, one network's label (set on the
// built network), subnet and driver option (the network and the containers on it are re-played in
// place, Engine.replaceNetwork). A change that reaches further (a container other
// containers share a namespace with, an ephemeral port, a quarter of the file to re-play) rebuilds the
// engine, as the first edit after opening does. When a rebuild is slow, the server first publishes the
// parser's diagnostics with the last build's (moved to the new text), then the complete set: both
// times are printed.
import { cpus, loadavg } from 'node:os';
import { DocumentAnalyzer } from '../src/server/analysis';
import { LspSession } from '../test/lsp/lspHarness';
import { generateTopology } from './generate';

const containers = Number(process.argv[2] ?? 5000);
const networks = Number(process.argv[3] ?? 500);
const RUNS = 7;

// One network in the middle without static addresses gets labels and a driver option, to edit them.
const edited = (() => {
  const text = generateTopology({ containers, networks });
  for (let k = Math.floor(networks / 2); k < networks; k++) {
    const prefix = `10.${64 + (k >> 8)}.${k & 255}.`;
    if (text.includes(`ipv4_address: ${prefix}`)) continue;
    return { k, prefix };
  }
  return undefined;
})();
const netLine = (k: number) => `  net${String(k).padStart(4, '0')}:\n    subnet: 10.${64 + (k >> 8)}.${k & 255}.0/24\n`;
const generated = generateTopology({ containers, networks });
const base = `# bench topology\n${edited ? generated.replace(netLine(edited.k), `${netLine(edited.k)}    labels: { tier: a }\n    driver_opts: { com.docker.network.driver.mtu: "1500" }\n`) : generated}`;
console.log(`diagnostics: ${containers} containers on ${networks} networks (${(base.length / 1024).toFixed(0)} KiB, ${base.split('\n').length} lines); ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);

interface Edit {
  name: string;
  /** The text after the n-th edit (n = 1, 2, …; alternating so the file stays valid). */
  apply(n: number): { text: string; offset: number; removed: number; inserted: string };
}

const middle = base.indexOf(`  c${String(Math.floor(containers / 2)).padStart(5, '0')}:`);
const imageAt = base.indexOf('busybox', middle) + 3;
const portMatch = /ports: \["(\d)/.exec(base.slice(middle));
const portAt = portMatch ? middle + portMatch.index + 'ports: ["'.length : -1;
const commentAt = 2; // "# bench topology": shifts every offset after it

function toggle(offset: number, a: string, b: string) {
  return (n: number) => {
    const inserted = n % 2 === 1 ? b : a;
    return { text: base.slice(0, offset) + inserted + base.slice(offset + 1), offset, removed: 1, inserted };
  };
}

const edits: Edit[] = [
  { name: 'image name (engine reused)', apply: toggle(imageAt, base[imageAt]!, 'X') },
  {
    name: 'comment insert (engine reused)',
    apply: (n) => (n % 2 === 1 ? { text: base.slice(0, commentAt) + 'x' + base.slice(commentAt), offset: commentAt, removed: 0, inserted: 'x' } : { text: base, offset: commentAt, removed: 1, inserted: '' }),
  },
];
if (portAt > 0) edits.push({ name: 'published port (re-played)', apply: toggle(portAt, base[portAt]!, base[portAt] === '2' ? '3' : '2') });
// The last digit of a network name in a `networks: [netNNNN]` list: the container moves to the next network.
const netMatch = /networks: \[net\d{3}(\d)\]/.exec(base.slice(middle));
const netAt = netMatch ? middle + netMatch.index + 'networks: [net'.length + 3 : -1;
if (netAt > 0) edits.push({ name: 'network switch (re-played)', apply: toggle(netAt, base[netAt]!, base[netAt] === '0' ? '1' : '0') });
// Under `networks:`, in that network: a label value (set on the built network), the second octet of its
// subnet (10.6x → 10.7x: the network and its containers are re-played) and a driver option (the same).
if (edited) {
  const at = base.indexOf(netLine(edited.k));
  const labelAt = base.indexOf('tier: a', at) + 'tier: '.length;
  const subnetAt = base.indexOf('subnet: 10.', at) + 'subnet: 10.'.length;
  const mtuAt = base.indexOf('"1500"', at) + 2;
  edits.push({ name: 'network label (engine kept)', apply: toggle(labelAt, 'a', 'b') });
  edits.push({ name: 'network subnet (re-played)', apply: toggle(subnetAt, base[subnetAt]!, '7') });
  edits.push({ name: 'network driver_opts (re-played)', apply: toggle(mtuAt, '5', '4') });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function fmt(ms: number): string {
  return `${ms.toFixed(1).padStart(7)} ms`;
}

// ---- in process
{
  const analyzer = new DocumentAnalyzer('file:///bench.cnm.yaml');
  let t = performance.now();
  const first = analyzer.analyzeNow(1, base);
  console.log(`in process  open (full parse + build): ${fmt(performance.now() - t)}  (${first.diagnostics.length} diagnostics)`);
  let version = 1;
  for (const edit of edits) {
    const totals: number[] = [];
    const phases: Record<string, number[]> = {};
    for (let n = 1; n <= RUNS * 2; n++) {
      const { text } = edit.apply(n);
      t = performance.now();
      const a = analyzer.analyzeNow(++version, text);
      totals.push(performance.now() - t);
      for (const [k, v] of Object.entries(a.timings)) (phases[k] ??= []).push(v);
    }
    const breakdown = Object.entries(phases)
      .map(([k, v]) => `${k} ${median(v).toFixed(1)}`)
      .join(', ');
    console.log(`in process  ${edit.name.padEnd(32)} median ${fmt(median(totals))}  min ${fmt(Math.min(...totals))}  [${breakdown}]`);
  }
}

// ---- end to end, over LSP
async function endToEnd(): Promise<void> {
  const lsp = await LspSession.start({ debounceMs: 0 });
  try {
    const uri = 'file:///bench/diagnostics.cnm.yaml';
    let t = performance.now();
    await lsp.open(uri, base);
    console.log(`over LSP    open → first diagnostics:        ${fmt(performance.now() - t)}`);
    let current = base;
    for (const edit of edits) {
      const totals: number[] = [];
      const finals: number[] = [];
      const cpu: number[] = [];
      for (let n = 1; n <= RUNS * 2; n++) {
        const { text, offset, removed, inserted } = edit.apply(n);
        const before = current;
        const pos = (o: number) => {
          const head = before.slice(0, o);
          const line = head.split('\n').length - 1;
          return { line, character: o - (head.lastIndexOf('\n') + 1) };
        };
        // The ranged change an editor sends: replace `removed` characters at `offset`.
        const changes = [{ range: { start: pos(offset), end: pos(offset + removed) }, text: inserted }];
        if (before.slice(0, offset) + inserted + before.slice(offset + removed) !== text) throw new Error(`bad edit ${edit.name}`);
        t = performance.now();
        await lsp.change(uri, changes);
        totals.push(performance.now() - t);
        // cnm/analysisInfo answers once the analysis of this version is complete (engine included).
        const info = await lsp.request<{ timings: Record<string, number> } | null>('cnm/analysisInfo', { uri });
        finals.push(performance.now() - t);
        if (info?.timings.cpu !== undefined) cpu.push(info.timings.cpu);
        current = text;
      }
      console.log(`over LSP    ${edit.name.padEnd(32)} first publish median ${fmt(median(totals))}  min ${fmt(Math.min(...totals))}  | complete median ${fmt(median(finals))}  | server CPU median ${fmt(median(cpu))}`);
    }
  } finally {
    await lsp.stop();
  }
}

void endToEnd().then(() => console.log('(target: under 150 ms after a one-character edit, plus the 100 ms debounce in the editor)'));
