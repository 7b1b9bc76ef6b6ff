// The incremental YAML parser must give exactly what one parseDocument gives (values, ranges, whether
// there are errors), whatever the edit: checked differentially on thousands of one-edit variants of a
// big topology, and its speed on a one-character edit is what makes big files usable.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { visit, type Document } from 'yaml';
import { IncrementalYamlParser, parseWhole } from '../../src/topology/yaml';
import { bigTopology } from './fixtures';

function scalars(doc: Document): string {
  const out: string[] = [];
  visit(doc, {
    Scalar(_key, node) {
      out.push(`${String(node.value)}@${node.range?.[0]},${node.range?.[1]}`);
    },
  });
  return out.join('|');
}

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EDITS = [' ', '\n', ':', '-', '#', '{', '}', '[', ']', '"', "'", 'a', '1', '  ', '\n  ', '\nfoo: 1\n', '\n- x\n', '|', '>', ',', '?', '&a', '*a', '!', '\t', '\n  :\n', 'containers:\n'];

describe('incremental YAML parsing', () => {
  it('gives the same tree as a whole parse after 1,000 single edits of a big file', () => {
    const base = `# a comment\n${bigTopology(100).replace('expect:\n', 'services:\n  s1:\n    image: x\nexpect:\n')}`;
    assert.deepEqual(parseWhole(base).doc.errors, []);
    const parser = new IncrementalYamlParser(4000);
    parser.parse(base);
    const rnd = prng(7);
    let chunked = 0;
    for (let k = 0; k < 1000; k++) {
      const at = Math.floor(rnd() * base.length);
      const text = rnd() < 0.5 ? base.slice(0, at) + EDITS[Math.floor(rnd() * EDITS.length)] + base.slice(at) : base.slice(0, at) + base.slice(at + 1 + Math.floor(rnd() * 3));
      const mine = parser.parse(text);
      const whole = parseWhole(text);
      assert.equal(mine.doc.errors.length > 0, whole.doc.errors.length > 0, `errors differ after an edit at ${at}`);
      if (mine.whole) continue;
      chunked++;
      assert.deepEqual(mine.doc.toJS(), whole.doc.toJS(), `values differ after an edit at ${at}`);
      assert.equal(scalars(mine.doc), scalars(whole.doc), `ranges differ after an edit at ${at}`);
    }
    assert.ok(chunked > 250, `most edits take the chunked path (${chunked})`);
  });

  it('re-parses only what changed: a one-character edit of 5,000 containers parses one chunk anew', () => {
    let text = bigTopology(5000);
    const parser = new IncrementalYamlParser();
    parser.parse(text);
    for (let k = 0; k < 10; k++) {
      const at = text.indexOf('busybox', text.indexOf(`  c${2000 + k}:`)) + 3;
      text = `${text.slice(0, at)}x${text.slice(at)}`;
      const r = parser.parse(text);
      assert.equal(r.whole, false);
      // Only the edited container's chunk is parsed again; every other one is reused (how long that
      // takes is measured by the bench, not asserted here).
      assert.equal(r.freshChunks, 1, `edit ${k}: ${r.freshChunks} chunks parsed anew`);
    }
  });
});
