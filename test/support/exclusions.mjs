// Exclusions (test/EXCLUSIONS.md): the only skips that do not fail a tier under CI.
//   exclude(t, 'kernel-no-ipvlan', 'container i1 of probe-ipvlan-l2')  → t.skip('excluded[kernel-no-ipvlan]: …')
//   unavailable(t, 'dockerd is not reachable')   → a failure under CI, a loud skip outside it
// scripts/test.mjs reads the skips back from the TAP report (tapSkips) and judges them (judgeSkips).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isCI } from './ci.mjs';

export const EXCLUSIONS_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'EXCLUSIONS.md');

/** @type {Map<string, { what: string, why: string, howToTell: string }> | undefined} */
let cached;

/** The entries of test/EXCLUSIONS.md by id: the table rows whose first cell is a `backticked-id`. */
export function exclusions() {
  if (cached) return cached;
  const entries = new Map();
  for (const line of readFileSync(EXCLUSIONS_FILE, 'utf8').split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const id = /^`([a-z0-9][a-z0-9-]*)`$/.exec(cells[0] ?? '')?.[1];
    if (!id || cells.length < 4) continue;
    if (entries.has(id)) throw new Error(`${EXCLUSIONS_FILE}: the id ${id} is listed twice`);
    entries.set(id, { what: cells[1], why: cells[2], howToTell: cells[3] });
  }
  cached = entries;
  return entries;
}

/** The skip message of an exclusion; an id that test/EXCLUSIONS.md does not list is an error. */
export function exclusionMessage(id, detail) {
  if (!exclusions().has(id)) {
    throw new Error(`exclusion "${id}" is not in test/EXCLUSIONS.md (known: ${[...exclusions().keys()].join(', ') || 'none'}): a test may only leave out what that reviewed list allows`);
  }
  return `excluded[${id}]: ${String(detail).replace(/\s+/g, ' ').trim()}`;
}

/** Marks a node:test test (or subtest) as left out by the exclusion `id`; throws for an unknown id. */
export function exclude(t, id, detail) {
  t.skip(exclusionMessage(id, detail));
}

/** The exclusion id a skip message carries, when test/EXCLUSIONS.md lists it; otherwise undefined. */
export function exclusionId(message) {
  const id = /^excluded\[([a-z0-9-]+)\]/.exec(message ?? '')?.[1];
  return id && exclusions().has(id) ? id : undefined;
}

/**
 * A system part the test needs is missing (dockerd, an image, root): under CI a failure (throws),
 * outside CI a loud skip. Never for a limit of the machine that CI has too: that is an exclusion.
 */
export function unavailable(t, reason) {
  if (isCI()) throw new Error(`${reason} (CI: a missing part is a failure, not a skip)`);
  console.warn(`\n*** SKIPPING: ${reason} ***\n`);
  t.skip(reason);
}

/**
 * The skipped and todo tests of a TAP report from node's TAP reporter: `ok N - name # SKIP message`
 * (subtests indented by four spaces, each named by its `# Subtest:` line), as a path of names.
 */
export function tapSkips(tap) {
  const path = [];
  const out = [];
  for (const line of tap.split('\n')) {
    const sub = /^( *)# Subtest: (.*)$/.exec(line);
    if (sub) {
      const depth = sub[1].length / 4;
      path.length = depth;
      path[depth] = sub[2];
      continue;
    }
    const m = /^( *)(?:not )?ok \d+ - (.*?)(?: # (SKIP|TODO)(?: (.*))?)?$/.exec(line);
    if (!m || !m[3]) continue;
    const depth = m[1].length / 4;
    const unescape = (s) => s.replace(/\\([\\#])/g, '$1');
    out.push({ name: [...path.slice(0, depth), unescape(m[2])].join(' › '), kind: m[3].toLowerCase(), message: unescape(m[4] ?? '') });
  }
  return out;
}

/**
 * Sorts skipped tests ({ name, kind: 'skip' | 'todo', message }) into excluded (an exclusion id of
 * test/EXCLUSIONS.md), and the rest: failed under CI, skipped outside it.
 */
export function judgeSkips(skips, ci = isCI()) {
  const excluded = [];
  const rest = [];
  for (const s of skips) {
    const id = s.kind === 'skip' ? exclusionId(s.message) : undefined;
    if (id) excluded.push({ id, name: s.name, detail: s.message.replace(/^excluded\[[^\]]*\]:\s*/, '') });
    else rest.push(s);
  }
  return { excluded, failed: ci ? rest : [], skipped: ci ? [] : rest };
}
