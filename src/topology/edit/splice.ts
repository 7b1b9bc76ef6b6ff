// What an edit of a topology file is: one splice of its text, computed from the text and its parsed
// Document (whose ranges are offsets into that text). The extension applies it to the text; the
// language server turns it into an LSP TextEdit without parsing again.
import { isMap, type Document } from 'yaml';
import { parseYamlDocument } from '../yaml/parse';

/** A change that cannot be made to this text, with a message for the user. */
export class YamlEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'YamlEditError';
  }
}

/** Replace [start, end) of the text by `text`. */
export interface TextSplice {
  start: number;
  end: number;
  text: string;
}

/** A topology text and its Document: any exact parse (a whole, fast or incremental one) will do. */
export interface EditTarget {
  text: string;
  doc: Document;
}

export function applySplice(text: string, splice: TextSplice): string {
  return text.slice(0, splice.start) + splice.text + text.slice(splice.end);
}

/** Parses `text` for an edit; a text with a syntax error, or that is not a map of sections, is refused. */
export function editTarget(text: string): EditTarget {
  const doc = parseYamlDocument(text);
  if (doc.errors.length) {
    throw new YamlEditError(`The file has a YAML syntax error (${doc.errors[0]!.message.split('\n')[0]}); fix it in the editor first.`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) throw new YamlEditError('The file is not a YAML map of sections (hosts, networks, containers…).');
  return { text, doc };
}
