// Compose's variable interpolation (compose-go template): `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`,
// `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}`, defaults that hold
// further substitutions. A `$` followed by anything else stays as written, as in Compose.

export type Lookup = (name: string) => string | undefined;

export interface Interpolated {
  value: string;
  /** Compose's texts: "required variable X is missing a value: …", 'Invalid template: "…"'. */
  error?: string;
  /** Variables used without a value and without a default (Compose warns and uses ""). */
  unset: string[];
}

const NAME = /^[_a-z][_a-z0-9]*/i;

export function interpolate(template: string, lookup: Lookup): Interpolated {
  const unset: string[] = [];
  let error: string | undefined;
  const fail = (e: string) => {
    error ??= e;
  };
  const value = substitute(template, lookup, unset, fail, template);
  return error === undefined ? { value, unset } : { value, unset, error };
}

function substitute(s: string, lookup: Lookup, unset: string[], fail: (e: string) => void, whole: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const d = s.indexOf('$', i);
    if (d < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, d);
    const next = s[d + 1];
    if (next === '$') {
      out += '$';
      i = d + 2;
      continue;
    }
    if (next === '{') {
      const close = closingBrace(s, d + 1);
      if (close < 0) {
        fail(`Invalid template: ${JSON.stringify(whole)}`);
        return out;
      }
      out += braced(s.slice(d + 2, close), lookup, unset, fail, whole);
      i = close + 1;
      continue;
    }
    const m = NAME.exec(s.slice(d + 1));
    if (m) {
      const v = lookup(m[0]);
      if (v === undefined) unset.push(m[0]);
      out += v ?? '';
      i = d + 1 + m[0].length;
      continue;
    }
    out += '$';
    i = d + 1;
  }
  return out;
}

/** Index of the `}` closing the `{` at `open`, counting nested `${…}`. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, lookup: Lookup, unset: string[], fail: (e: string) => void, whole: string): string {
  const m = NAME.exec(body);
  if (!m) {
    fail(`Invalid template: ${JSON.stringify(whole)}`);
    return '';
  }
  const name = m[0];
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) unset.push(name);
    return value ?? '';
  }
  const op = /^(:?[-+?])/.exec(rest);
  if (!op) {
    fail(`Invalid template: ${JSON.stringify(whole)}`);
    return '';
  }
  const arg = () => substitute(rest.slice(op[1]!.length), lookup, unset, fail, whole);
  const empty = value === undefined || (op[1]!.startsWith(':') && value === '');
  switch (op[1]) {
    case ':-':
    case '-':
      return empty ? arg() : value!;
    case ':+':
    case '+':
      return empty ? '' : arg();
    default: {
      // :? and ?: an error naming the variable, with the text after the operator as the reason.
      if (!empty) return value!;
      const reason = arg();
      fail(reason ? `required variable ${name} is missing a value: ${reason}` : `required variable ${name} is missing a value`);
      return '';
    }
  }
}

/**
 * A `.env` file as Compose reads it: KEY=VALUE lines, `export ` prefixes, comments, single quotes
 * (literal), double quotes (escapes, interpolation), unquoted values (trailing ` #…` dropped,
 * interpolation). Earlier keys and `lookup` (the environment) are visible to later values.
 */
export function parseDotEnv(text: string, lookup: Lookup): { values: Map<string, string>; errors: { line: number; message: string }[] } {
  const values = new Map<string, string>();
  const errors: { line: number; message: string }[] = [];
  const seen: Lookup = (n) => lookup(n) ?? values.get(n);
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let li = 0; li < lines.length; li++) {
    let line = lines[li]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trimStart();
    const eq = line.search(/[=:]/);
    if (eq < 0) {
      // A bare KEY takes its value from the environment, when it has one.
      const v = lookup(line);
      if (/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(line)) {
        if (v !== undefined) values.set(line, v);
      } else errors.push({ line: li, message: `unexpected character "${line[0]}" in variable name near "${line}"` });
      continue;
    }
    const key = line.slice(0, eq).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key)) {
      errors.push({ line: li, message: `unexpected character "${key.replace(/[A-Za-z0-9_.-]/g, '')[0] ?? ' '}" in variable name near "${line}"` });
      continue;
    }
    let raw = line.slice(eq + 1).trimStart();
    let value: string;
    const q = raw[0];
    if (q === "'" || q === '"') {
      // A quoted value may span lines.
      let body = raw.slice(1);
      let end = findClosingQuote(body, q);
      while (end < 0 && li + 1 < lines.length) {
        body += '\n' + lines[++li]!;
        end = findClosingQuote(body, q);
      }
      if (end < 0) {
        errors.push({ line: li, message: `unterminated quoted value ${key}` });
        continue;
      }
      body = body.slice(0, end);
      if (q === "'") value = body;
      else {
        body = body.replace(/\\([\\nrt"$])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c === '$' ? '$$' : c));
        value = interpolate(body, seen).value;
      }
    } else {
      const hash = raw.search(/\s#/);
      if (hash >= 0) raw = raw.slice(0, hash);
      value = interpolate(raw.trim(), seen).value;
    }
    values.set(key, value);
  }
  return { values, errors };
}

function findClosingQuote(s: string, q: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && q === '"') {
      i++;
      continue;
    }
    if (s[i] === q) return i;
  }
  return -1;
}
