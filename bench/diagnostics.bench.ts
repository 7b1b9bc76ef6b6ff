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
import { record, runs } from './figures';
import { generateTopology } from './generate';
import { findYamlLanguageServer, YamlLanguageServer, YLS_VALIDATION_DELAY_MS } from './yls';

const containers = Number(process.argv[2] ?? 5000);
const networks = Number(process.argv[3] ?? 500);
const RUNS = runs(7, 2);

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

// ---- end to end, over LSP; the same file and the same edits in yaml-language-server (the baseline)
/** The ranged change an editor sends for the n-th edit, made on `before` (the text the server has). */
function rangedChange(before: string, edit: Edit, n: number) {
  const { text, offset, removed, inserted } = edit.apply(n);
  const pos = (o: number) => {
    const head = before.slice(0, o);
    const line = head.split('\n').length - 1;
    return { line, character: o - (head.lastIndexOf('\n') + 1) };
  };
  if (before.slice(0, offset) + inserted + before.slice(offset + removed) !== text) throw new Error(`bad edit ${edit.name}`);
  return { text, changes: [{ range: { start: pos(offset), end: pos(offset + removed) }, text: inserted }] };
}

const kilo = (x: number) => x.toLocaleString('en-US');
const uri = 'file:///bench/diagnostics.cnm.yaml';
const OPENS = runs(3, 1);
const YLS_EDITS = runs(3, 1); // pairs of edits per kind: yaml-language-server takes seconds per edit
const server = process.env.CNM_SERVER === 'dist' ? 'dist/server.js' : 'src/server/server.ts through tsx';

interface Timed {
  open: number[];
  edits: Map<string, number[]>;
}

async function cnmOverLsp(): Promise<Timed & { firstPublish: number[]; cpu: Map<string, number[]> }> {
  const out = { open: [] as number[], firstPublish: [] as number[], edits: new Map<string, number[]>(), cpu: new Map<string, number[]>() };
  // Each open in a fresh server process: what a user waits for when the file is opened.
  for (let o = 0; o < OPENS; o++) {
    const lsp = await LspSession.start({ debounceMs: 0 });
    try {
      const t = performance.now();
      await lsp.open(uri, base);
      out.firstPublish.push(performance.now() - t);
      await lsp.request('cnm/analysisInfo', { uri });
      out.open.push(performance.now() - t);
      console.log(`over LSP    open → first diagnostics ${fmt(out.firstPublish.at(-1)!)}  | complete ${fmt(out.open.at(-1)!)}  (${server}, fresh process)`);
      if (o < OPENS - 1) continue;
      let current = base;
      for (const edit of edits) {
        const totals: number[] = [];
        const finals: number[] = [];
        const cpu: number[] = [];
        for (let n = 1; n <= RUNS * 2; n++) {
          const { text, changes } = rangedChange(current, edit, n);
          const t0 = performance.now();
          await lsp.change(uri, changes);
          totals.push(performance.now() - t0);
          // cnm/analysisInfo answers once the analysis of this version is complete (engine included).
          const info = await lsp.request<{ timings: Record<string, number> } | null>('cnm/analysisInfo', { uri });
          finals.push(performance.now() - t0);
          if (info?.timings.cpu !== undefined) cpu.push(info.timings.cpu);
          current = text;
        }
        out.edits.set(edit.name, finals);
        out.cpu.set(edit.name, cpu);
        console.log(`over LSP    ${edit.name.padEnd(32)} first publish median ${fmt(median(totals))}  min ${fmt(Math.min(...totals))}  | complete median ${fmt(median(finals))}  | server CPU median ${fmt(median(cpu))}`);
      }
    } finally {
      await lsp.stop();
    }
  }
  return out;
}

async function ylsOverLsp(bin: string): Promise<Timed & { raw: number[] }> {
  const out = { open: [] as number[], raw: [] as number[], edits: new Map<string, number[]>() };
  // The schema must be in use, or the baseline would time a server that checks nothing.
  {
    const s = await YamlLanguageServer.start(bin);
    try {
      const d = await s.open('file:///bench/schema-check.cnm.yaml', 'bogus_key: 1\n');
      if (!d.some((x) => /bogus_key/.test(typeof x.message === 'string' ? x.message : ''))) throw new Error(`yaml-language-server does not apply the JSON Schema (diagnostics: ${JSON.stringify(d.map((x) => x.message))})`);
    } finally {
      await s.stop();
    }
  }
  for (let o = 0; o < OPENS; o++) {
    const s = await YamlLanguageServer.start(bin);
    try {
      const t = performance.now();
      const d = await s.open(uri, base);
      const raw = performance.now() - t;
      out.raw.push(raw);
      out.open.push(raw - YLS_VALIDATION_DELAY_MS);
      console.log(`yaml-language-server open → diagnostics ${fmt(raw)} (${d.length} diagnostics; less its ${YLS_VALIDATION_DELAY_MS} ms validation delay: ${fmt(raw - YLS_VALIDATION_DELAY_MS)})`);
      if (o < OPENS - 1) continue;
      let current = base;
      for (const edit of edits) {
        const times: number[] = [];
        for (let n = 1; n <= YLS_EDITS * 2; n++) {
          const { text, changes } = rangedChange(current, edit, n);
          const t0 = performance.now();
          await s.change(uri, changes);
          const r = performance.now() - t0;
          out.raw.push(r);
          times.push(r - YLS_VALIDATION_DELAY_MS);
          current = text;
        }
        out.edits.set(edit.name, times);
        console.log(`yaml-language-server ${edit.name.padEnd(32)} median ${fmt(median(times))} (less its ${YLS_VALIDATION_DELAY_MS} ms delay)`);
      }
    } finally {
      await s.stop();
    }
  }
  return out;
}

async function endToEnd(): Promise<void> {
  const cnm = await cnmOverLsp();
  const found = findYamlLanguageServer();
  let yls: (Timed & { raw: number[] }) | { missing: string };
  if ('bin' in found) {
    try {
      yls = await ylsOverLsp(found.bin);
    } catch (e) {
      yls = { missing: `yaml-language-server failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  } else yls = found;
  const ylsName = 'bin' in found ? `yaml-language-server ${found.version}` : 'yaml-language-server';
  const ylsMeasured = `${ylsName} over LSP stdio with only schemas/cnm-topology.schema.json (schema store off), the same text and ranged changes; `
    + `each sample less its fixed ${YLS_VALIDATION_DELAY_MS} ms validation delay`;
  const baseline = (samples: number[] | undefined, what: string) =>
    'missing' in yls ? { name: ylsName, stat: 'median' as const, samples: [], measured: ylsMeasured, notMeasured: yls.missing }
      : { name: ylsName, stat: 'median' as const, samples: samples ?? [], measured: `${ylsMeasured}: ${what}` };
  const file = `${kilo(containers)} containers / ${kilo(networks)} networks`;
  record({
    id: 'lsp.open', name: `language server opens ${kilo(containers)} containers`, unit: 'ms', stat: 'median', samples: cnm.open, target: 500,
    measured: `${server} (fresh process each time, debounce 0): didOpen of the ${file} file → cnm/analysisInfo answered (diagnostics complete); first publish: ${cnm.firstPublish.map((x) => x.toFixed(0)).join(', ')} ms`,
    baseline: baseline('missing' in yls ? undefined : yls.open, 'didOpen → publishDiagnostics, fresh process each time'),
  });
  for (const edit of edits) {
    record({
      id: `lsp.edit.${edit.name.replace(/ \(.*$/, '').replace(/\W+/g, '-')}`, name: `edit → diagnostics: ${edit.name}`, unit: 'ms', stat: 'median', samples: cnm.edits.get(edit.name) ?? [], target: 150,
      measured: `${server} (debounce 0): a one-character ranged didChange in the ${file} file → cnm/analysisInfo answered (diagnostics complete); extra.cpu: the server's CPU time for the analysis`,
      extra: { cpu: cnm.cpu.get(edit.name) ?? [] },
      baseline: baseline('missing' in yls ? undefined : yls.edits.get(edit.name), 'the same didChange → publishDiagnostics'),
    });
  }
  if (!('missing' in yls)) console.log(`yaml-language-server raw samples (with its delay): ${yls.raw.map((x) => x.toFixed(0)).join(' ')} ms`);
}

void endToEnd().then(() => console.log('(target: under 150 ms after a one-character edit, plus the 100 ms debounce in the editor)'));
