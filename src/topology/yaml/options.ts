// The one set of options every parse of topology text uses: the fast reader, the incremental parser of
// the language server, a whole parse and a parse for editing. So the CLI, the editor and the edits read
// a file the same way.
import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

/**
 * - uniqueKeys off: the topology reader reports duplicate keys itself, saying where the first one is;
 * - merge on: `<<: *defaults` merge keys, as Docker Compose files use them;
 * - prettyErrors off: the messages without a code frame (diagnostics carry the range);
 * - keepSourceTokens off: nothing reads the CST, and it costs memory on big files.
 */
export const YAML_PARSE_OPTIONS: Readonly<ParseOptions & DocumentOptions & SchemaOptions> = Object.freeze({
  uniqueKeys: false,
  merge: true,
  prettyErrors: false,
  keepSourceTokens: false,
});
