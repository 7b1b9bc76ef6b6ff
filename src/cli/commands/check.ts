// cnm check FILE — traces every `expect` entry of the file and compares the verdict; exit 1 naming the
// entries that fail.
import { checkExpectations, expectationProblem } from '../../engine';
import { expectPositionals } from '../args';
import { EXIT_FAILED, EXIT_OK } from '../errors';
import type { Command } from './command';
import { loadFile, noteErrors } from './load';
import { listeningFromSpec } from './tracing';

export const checkCommand: Command = {
  name: 'check',
  usage: 'cnm check FILE',
  summary: 'evaluate the expect: entries; exit 1 when one fails',
  details:
    'Each entry { from, to, verdict } is traced like `cnm trace FILE --from FROM --to TO`. One line per entry:\n' +
    '"ok", "FAIL" or "UNKNOWN" with FILE:LINE, then, for a failure, the verdict the trace found and why. UNKNOWN:\n' +
    'the trace ends on a path the engine does not model (or beyond the topology), so the entry cannot be checked;\n' +
    'it does not hold either (an entry may expect `verdict: unknown` to record that). Exit 0 when all hold, 1 when\n' +
    'one fails or cannot be checked (the last line names them).',
  options: {},
  run({ positionals }, io) {
    const [file] = expectPositionals('check', positionals, ['FILE']) as [string];
    const loaded = loadFile(io, file);
    const entries = loaded.spec.expect;
    if (entries.length === 0) {
      io.out(`${file}: no expect entries\n`);
      noteErrors(io, file, loaded);
      return EXIT_OK;
    }
    const results = checkExpectations(loaded.engine.state, entries, { listening: listeningFromSpec(loaded.spec) });
    const failed: string[] = [];
    const unknown: string[] = [];
    results.forEach((r, i) => {
      const e = entries[i]!;
      const where = loaded.compose ? loaded.compose.locate(e.path) : { file, range: loaded.rangeOf(e.path) };
      const line = where.range.start.line + 1;
      const what = `${e.from} → ${e.to} ${e.verdict}`;
      if (r.ok) {
        io.out(`ok    ${where.file}:${line}: ${what}\n`);
        return;
      }
      const fix = r.result?.fix ? `\n      fix: ${r.result.fix}` : '';
      if (r.unknown) {
        // Not a failure the engine can prove, nor a pass: its own state.
        unknown.push(`${e.from} → ${e.to} (line ${line})`);
        io.out(`UNKNOWN ${where.file}:${line}: ${what}: ${expectationProblem(r)}${fix}\n`);
        return;
      }
      failed.push(`${e.from} → ${e.to} (line ${line})`);
      if (r.error) io.out(`FAIL  ${where.file}:${line}: ${what}: ${r.error}\n`);
      else io.out(`FAIL  ${where.file}:${line}: ${what}: got ${r.result!.verdict}: ${r.result!.reason}${fix}\n`);
    });
    const ok = results.length - failed.length - unknown.length;
    io.out(`${ok} of ${results.length} expectation${results.length === 1 ? ' holds' : 's hold'}${failed.length ? `; failing: ${failed.join(', ')}` : ''}${unknown.length ? `; cannot check (unknown): ${unknown.join(', ')}` : ''}\n`);
    noteErrors(io, file, loaded);
    return failed.length + unknown.length > 0 ? EXIT_FAILED : EXIT_OK;
  },
};
