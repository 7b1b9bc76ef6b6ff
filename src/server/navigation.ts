// Go to definition, find references, rename and highlights for networks, containers, services and
// hosts: every place the symbol index knows, including the X of `network_mode: container:X` and the
// name part of an `expect` target such as `web:80`.
import {
  DocumentHighlightKind,
  ResponseError,
  ErrorCodes,
  type DocumentHighlight,
  type Location,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { Analysis } from './analysis';
import type { Occurrence } from './symbolIndex';

export function definitionAt(analysis: Analysis, offset: number): Location | null {
  const o = analysis.symbols().at(offset);
  if (!o) return null;
  const def = analysis.symbols().definition(o.kind, o.name);
  return def ? { uri: analysis.uri, range: analysis.lines.range(def.span) } : null;
}

export function referencesAt(analysis: Analysis, offset: number, includeDeclaration: boolean): Location[] {
  const o = analysis.symbols().at(offset);
  if (!o) return [];
  return analysis
    .symbols()
    .all(o.kind, o.name)
    .filter((x) => includeDeclaration || !x.definition)
    .map((x) => ({ uri: analysis.uri, range: analysis.lines.range(x.span) }));
}

export function highlightsAt(analysis: Analysis, offset: number): DocumentHighlight[] {
  const o = analysis.symbols().at(offset);
  if (!o) return [];
  return analysis
    .symbols()
    .all(o.kind, o.name)
    .map((x) => ({ range: analysis.lines.range(x.span), kind: x.definition ? DocumentHighlightKind.Write : DocumentHighlightKind.Read }));
}

/** Docker's rule for object names. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function prepareRenameAt(analysis: Analysis, offset: number): { range: Range; placeholder: string } | null {
  const o = renamable(analysis, offset);
  return o ? { range: analysis.lines.range(o.span), placeholder: o.name } : null;
}

export function renameAt(analysis: Analysis, offset: number, newName: string): WorkspaceEdit {
  const o = renamable(analysis, offset);
  if (!o) throw new ResponseError(ErrorCodes.InvalidRequest, 'Only networks, containers, services and hosts of this file can be renamed.');
  if (!NAME.test(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" is not a valid name: two characters or more, letters, digits, "_", "." and "-", starting with a letter or digit.`);
  }
  if (newName !== o.name && analysis.symbols().definition(o.kind, newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `A ${o.kind} named "${newName}" already exists.`);
  }
  const edits: TextEdit[] = analysis
    .symbols()
    .all(o.kind, o.name)
    .map((x) => ({ range: analysis.lines.range(x.span), newText: newName }));
  return { changes: { [analysis.uri]: edits } };
}

function renamable(analysis: Analysis, offset: number): Occurrence | undefined {
  const o = analysis.symbols().at(offset);
  if (!o) return undefined;
  // A reference to something the file does not define cannot be renamed consistently.
  return analysis.symbols().definition(o.kind, o.name) ? o : undefined;
}
