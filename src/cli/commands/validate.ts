// cnm validate FILE — every diagnostic the language server would show, as FILE:LINE:COL: severity: message.
import { expectPositionals } from '../args';
import { EXIT_FAILED, EXIT_OK } from '../errors';
import { formatDiagnostic } from '../format';
import { hasErrors } from '../../topology';
import type { Command } from './command';
import { loadFile } from './load';

export const validateCommand: Command = {
  name: 'validate',
  usage: 'cnm validate FILE [--json]',
  summary: 'check a topology file: YAML, keys, addresses, and every error Docker would raise',
  details:
    'Prints one line per problem, FILE:LINE:COL: severity: message (1-based), and nothing when the file is clean.\n' +
    'With --json: {"file", "diagnostics": [{"line", "column", "endLine", "endColumn", "severity", "message", "code"}]}.\n' +
    'Exit code 1 when there is an error (warnings alone exit 0).',
  options: { json: { type: 'boolean' } },
  run({ values, positionals }, io) {
    const [file] = expectPositionals('validate', positionals, ['FILE']) as [string];
    const loaded = loadFile(io, file);
    const { diagnostics } = loaded;
    if (values.json) {
      const out = diagnostics.map((d) => ({
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        ...(loaded.compose ? { file: loaded.fileOf(d, file) } : {}),
        severity: d.severity,
        message: d.message,
        ...(d.code ? { code: d.code } : {}),
      }));
      io.out(JSON.stringify({ file, diagnostics: out }, null, 2) + '\n');
    } else {
      // One write: a line each would be a system call each (thousands on a big file with warnings).
      let text = '';
      for (const d of diagnostics) text += formatDiagnostic(loaded.fileOf(d, file), d) + '\n';
      if (text) io.out(text);
    }
    return hasErrors(diagnostics) ? EXIT_FAILED : EXIT_OK;
  },
};
