// The small YAML values the edits write, in the file's style: block lines, or one flow line when short.
import { stringify } from 'yaml';

/** A small YAML value: a scalar, a list of scalars, or a map as ordered pairs (null = `key:` with nothing). */
export type Value = string | boolean | null | string[] | Body;
export type Body = [string, Value][];

const QUOTE = '\u0000q';
/** Marks a string to be written double-quoted (ports, driver options). */
export function quoted(s: string): string {
  return QUOTE + s;
}

const RAW = '\u0000r';
/** Marks a string to be written as it is (a number: `replicas: 3`, not "3"). */
export function raw(s: string): string {
  return RAW + s;
}

/** network_mode values that are not a network's name. */
export function isModeName(mode: string): boolean {
  return mode === 'host' || mode === 'none' || mode === 'bridge' || mode.startsWith('container:');
}

export function scalar(v: string | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'boolean') return String(v);
  if (v.startsWith(QUOTE)) return JSON.stringify(v.slice(QUOTE.length));
  if (v.startsWith(RAW)) return v.slice(RAW.length);
  // yaml quotes only what would not read back as the same string.
  return stringify(v, { lineWidth: 0 }).trimEnd();
}

function isBody(v: Value): v is Body {
  return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]);
}

/** `{ a: 1, b: [x] }` / `[x, y]` / a scalar, on one line. */
export function flow(v: Value): string {
  if (v === null) return '{}';
  if (isBody(v)) return v.length ? `{ ${v.map(([k, x]) => `${scalar(k)}: ${flow(x)}`).join(', ')} }` : '{}';
  if (Array.isArray(v)) return `[${(v as string[]).map(scalar).join(', ')}]`;
  return scalar(v);
}

/** Block lines of `key: value` at `indent`; a map value goes one level deeper unless it fits a short flow. */
export function blockLines(key: string, v: Value, indent: number, step: number, block: boolean): string[] {
  const pad = ' '.repeat(indent);
  if (isBody(v) && (block || !isShortFlow(v))) {
    return [`${pad}${scalar(key)}:`, ...v.flatMap(([k, x]) => blockLines(k, x, indent + step, step, false))];
  }
  return [v === null ? `${pad}${scalar(key)}:` : `${pad}${scalar(key)}: ${flow(v)}`];
}

/** Entry options (ipv4_address, aliases) and driver options read best on one line when they are short. */
function isShortFlow(v: Body): boolean {
  return v.every(([, x]) => !isBody(x)) && flow(v).length <= 60;
}
