// An in-memory file system for the Compose reader, and short views of what it read.
import assert from 'node:assert/strict';
import { loadCompose, type ComposeReader } from '../../../src/topology/compose';
import type { LoadComposeOptions } from '../../../src/topology/compose';

export function memory(files: Record<string, string>): ComposeReader {
  const dirs = new Set<string>();
  for (const f of Object.keys(files)) {
    for (let i = f.lastIndexOf('/'); i > 0; i = f.lastIndexOf('/', i - 1)) dirs.add(f.slice(0, i));
  }
  return { readFile: (p) => files[p], exists: (p) => p in files || dirs.has(p) };
}

export function load(files: Record<string, string>, target = '/p/shop', options: LoadComposeOptions = {}) {
  return loadCompose(memory(files), target, options);
}

export function messages(l: ReturnType<typeof load>, severity?: string): string[] {
  return l.diagnostics.filter((d) => !severity || d.severity === severity).map((d) => `${d.file.split('/').pop()}:${d.range.start.line + 1}: ${d.message}`);
}

export function noErrors(l: ReturnType<typeof load>): void {
  assert.deepEqual(messages(l, 'error'), []);
}

/** container → network → address, aliases */
export function endpoints(l: ReturnType<typeof load>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of l.engine.inspect().containers) {
    for (const ep of c.endpoints) out[`${c.name} ${ep.network}`] = `${ep.interface} ${ep.ipv4_address} [${ep.aliases.filter((a) => !/^[0-9a-f]{12}$/.test(a)).join(',')}]`;
  }
  return out;
}
