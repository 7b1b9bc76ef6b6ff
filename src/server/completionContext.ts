// Where the cursor is, for completion, read from the text itself: while the user types, the YAML is
// often broken (a key without a colon, an unclosed `[`), so the tree cannot be trusted. Indentation
// and the keys of the lines above give the YAML path; the current line says whether a key, a value
// or a list item is being typed.
import type { YamlPath } from '../topology';

export interface CompletionContext {
  /** key: a key of the map at `path`; value: the value of the key `path` ends with; item: an item of the list at `path`. */
  kind: 'key' | 'value' | 'item';
  path: YamlPath;
  /** What is typed so far, and where it starts (the completion replaces it). */
  word: string;
  wordStart: number;
  /** Keys already present in the map being completed (kind "key"), or items already in the list. */
  siblings: string[];
}

interface Line {
  start: number;
  indent: number;
  content: string; // without indentation and trailing comment
  dash: boolean; // a list item line ("- …")
  key?: string; // "key:" on the line (after the dash, if any)
  rest: string; // what follows "key:" or "- "
}

function readLine(text: string, start: number, end: number): Line | undefined {
  const raw = text.slice(start, end).replace(/\r$/, '');
  const indent = raw.length - raw.trimStart().length;
  let content = raw.slice(indent);
  if (content === '' || content.startsWith('#')) return undefined;
  content = stripComment(content);
  let dash = false;
  let body = content;
  if (body === '-' || body.startsWith('- ')) {
    dash = true;
    body = body.slice(1).trimStart();
  }
  const m = /^("[^"]*"|'[^']*'|[^\s:#[\]{},"'][^:#]*?)\s*:(?:\s+|$)(.*)$/.exec(body);
  if (m) return { start, indent, content, dash, key: unquote(m[1]!), rest: m[2]!.trim() };
  return { start, indent, content, dash, rest: body };
}

function stripComment(s: string): string {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || s[i - 1] === ' ')) return s.slice(0, i).trimEnd();
  }
  return s;
}

function unquote(s: string): string {
  return (s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")) ? s.slice(1, -1) : s;
}

/** Line starts of the text (computed on demand; completion is rare enough). */
function lineBounds(text: string, offset: number): { start: number; end: number } {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  return { start, end: nl < 0 ? text.length : nl };
}

export function completionContext(text: string, offset: number): CompletionContext {
  const { start: lineStart } = lineBounds(text, offset);
  const prefix = text.slice(lineStart, offset);
  const indent = prefix.length - prefix.trimStart().length;
  const wordMatch = /[^\s[\]{},"']*$/.exec(prefix)!;
  const word = wordMatch[0];
  const wordStart = offset - word.length;

  // Inside a flow collection on this line: `networks: [a, b` or `n1: { ipv4_address: 10.`
  const flow = flowContext(prefix.slice(indent));
  let body = prefix.slice(indent);
  let dash = false;
  if (body === '-' || body.startsWith('- ')) {
    dash = true;
    body = body.slice(1).trimStart();
  }
  const parents = parentPath(text, lineStart, dash ? indent + 1 : indent, dash ? indent : -1);
  const dashBase: YamlPath = dash ? [...parents, 0] : parents;

  if (flow) {
    const path = [...dashBase, ...flow.path];
    if (flow.kind === 'item') return { kind: 'item', path, word, wordStart, siblings: flow.siblings };
    if (flow.kind === 'key') return { kind: 'key', path, word, wordStart, siblings: flow.siblings };
    return { kind: 'value', path, word, wordStart, siblings: [] };
  }
  const keyValue = /^("[^"]*"|'[^']*'|[^\s:#[\]{},"'][^:#]*?)\s*:\s+(.*)$/.exec(body) ?? /^("[^"]*"|'[^']*'|[^\s:#[\]{},"'][^:#]*?)\s*:$/.exec(body);
  if (keyValue) {
    return { kind: 'value', path: [...dashBase, unquote(keyValue[1]!)], word, wordStart, siblings: [] };
  }
  if (dash) {
    // "- " then a word: an item of the list (a name in `networks:`), or the first key of an item map.
    return { kind: 'item', path: parents, word, wordStart, siblings: siblingItems(text, lineStart, indent) };
  }
  return { kind: 'key', path: parents, word, wordStart, siblings: siblingKeys(text, lineStart, indent) };
}

/**
 * The path of the map or list the current line belongs to, from the lines above: each less-indented
 * `key:` line is a parent; a less-indented `- ` line is a list item (index 0 stands for "some item").
 */
function parentPath(text: string, lineStart: number, need: number, ignoreDashAt: number): YamlPath {
  const path: YamlPath = [];
  let limit = need;
  let skipDashAt = ignoreDashAt;
  let end = lineStart - 1;
  while (end > 0 && limit > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = readLine(text, start, end);
    end = start - 1;
    if (!line) continue;
    if (line.dash && line.indent === skipDashAt) continue; // a sibling item of the current one
    if (line.dash && line.indent < limit) {
      // A list item that holds the current line: its key (if any) is a sibling, the list's key is above.
      path.unshift(0);
      limit = line.indent + 1;
      skipDashAt = line.indent;
      continue;
    }
    if (line.key !== undefined && line.indent < limit && !line.dash) {
      path.unshift(line.key);
      limit = line.indent;
      skipDashAt = -1;
    }
  }
  return path;
}

/** Keys of the map the current line is in: lines with the same indentation, up and down, until a less-indented line. */
function siblingKeys(text: string, lineStart: number, indent: number): string[] {
  const keys: string[] = [];
  const visit = (start: number, end: number): boolean => {
    const line = readLine(text, start, end);
    if (!line) return true;
    if (line.indent < indent) {
      // "- key: v" whose keys continue at indent: the item's first key is a sibling too.
      if (line.dash && line.key !== undefined && line.indent + 2 === indent) keys.push(line.key);
      return false;
    }
    if (line.indent === indent && line.key !== undefined && !line.dash) keys.push(line.key);
    return true;
  };
  let end = lineStart - 1;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    if (!visit(start, end)) break;
    end = start - 1;
  }
  let start = text.indexOf('\n', lineStart);
  while (start >= 0 && start < text.length) {
    const nl = text.indexOf('\n', start + 1);
    const e = nl < 0 ? text.length : nl;
    if (!visit(start + 1, e)) break;
    start = nl;
  }
  return keys;
}

/** Items of the list the current `- ` line is in. */
function siblingItems(text: string, lineStart: number, indent: number): string[] {
  const items: string[] = [];
  const visit = (start: number, end: number): boolean => {
    const line = readLine(text, start, end);
    if (!line) return true;
    if (line.indent < indent) return false;
    if (line.indent === indent && !line.dash) return false;
    if (line.indent === indent && line.key === undefined) items.push(unquote(line.rest));
    return true;
  };
  let end = lineStart - 1;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    if (!visit(start, end)) break;
    end = start - 1;
  }
  let start = text.indexOf('\n', lineStart);
  while (start >= 0 && start < text.length) {
    const nl = text.indexOf('\n', start + 1);
    const e = nl < 0 ? text.length : nl;
    if (!visit(start + 1, e)) break;
    start = nl;
  }
  return items;
}

/**
 * The flow collection the cursor is in on this line, if any: the path from the line's block key, and
 * whether a key, a value or a list item is being typed.
 */
function flowContext(line: string): { kind: 'key' | 'value' | 'item'; path: YamlPath; siblings: string[] } | undefined {
  let body = line;
  if (body.startsWith('- ')) body = body.slice(2);
  const m = /^("[^"]*"|'[^']*'|[^\s:#[\]{},"'][^:#[\]{}]*?)\s*:\s*(?=[[{])/.exec(body);
  let rest: string;
  const path: YamlPath = [];
  if (m) {
    path.push(unquote(m[1]!));
    rest = body.slice(m[0].length);
  } else if (body.startsWith('[') || body.startsWith('{')) {
    rest = body;
  } else return undefined;
  // Walk the flow text, keeping a stack of open collections.
  type Frame = { kind: '[' | '{'; key?: string; items: string[]; keys: string[] };
  const stack: Frame[] = [];
  let token = '';
  let pendingKey: string | undefined;
  let quote: string | undefined;
  for (const c of rest) {
    if (quote) {
      if (c === quote) quote = undefined;
      else token += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === '[' || c === '{') {
      if (top) path.push(top.kind === '{' ? pendingKey ?? token.trim() : 0);
      stack.push({ kind: c, items: [], keys: [] });
      token = '';
      pendingKey = undefined;
    } else if (c === ']' || c === '}') {
      stack.pop();
      if (stack.length === 0) return undefined; // the collection is closed: the cursor is after it
      path.pop();
      token = '';
      pendingKey = undefined;
    } else if (c === ',') {
      if (top?.kind === '[') top.items.push(token.trim());
      if (top?.kind === '{' && pendingKey !== undefined) top.keys.push(pendingKey);
      token = '';
      pendingKey = undefined;
    } else if (c === ':' && top?.kind === '{' && pendingKey === undefined) {
      pendingKey = token.trim();
      token = '';
    } else token += c;
  }
  const top = stack[stack.length - 1];
  if (!top) return undefined;
  if (top.kind === '[') return { kind: 'item', path, siblings: top.items.filter(Boolean) };
  if (pendingKey !== undefined) return { kind: 'value', path: [...path, pendingKey], siblings: [] };
  return { kind: 'key', path, siblings: top.keys };
}
