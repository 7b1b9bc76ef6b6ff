// The fast YAML reader must give exactly what the `yaml` package gives (same tree, values, ranges,
// line starts), or give up. Checked on the examples, on a generated big file, on edge cases, and on
// hundreds of random mutations (where it must also never accept what `yaml` rejects).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { generateTopology } from '../../../bench/generate';
import { fastParseYaml, YAML_PARSE_OPTIONS } from '../../../src/topology/yaml';
import { mulberry32, mutate } from './mutate';
import { firstDifference } from './yamlCompare';

const EXAMPLES = join(__dirname, '../../../examples');
const exampleTexts = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.cnm.yaml'))
  .map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));

function slowParse(text: string) {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { ...YAML_PARSE_OPTIONS, lineCounter });
  return { document, lineCounter };
}

/** Asserts the fast reader took the text and agrees with `yaml`. */
function assertSame(text: string, label: string): void {
  const fast = fastParseYaml(text);
  assert.ok(fast, `${label}: the fast reader gave up`);
  const slow = slowParse(text);
  assert.deepEqual(slow.document.errors, [], `${label}: yaml found errors the fast reader accepted`);
  assert.equal(firstDifference(fast.document, slow.document), undefined, label);
  assert.deepEqual(fast.lineCounter.lineStarts, slow.lineCounter.lineStarts, `${label}: line starts`);
  assert.deepEqual(fast.document.toJS(), slow.document.toJS(), `${label}: values`);
}

describe('fast YAML reader', () => {
  it('reads every example exactly as yaml does (without the indented comments that it leaves to yaml)', () => {
    assert.ok(exampleTexts.length >= 6);
    exampleTexts.forEach((t, i) => {
      if (fastParseYaml(t)) assertSame(t, `example ${i}`);
      assertSame(t.replace(/^ +#.*\n/gm, ''), `example ${i} without indented comment lines`);
    });
  });

  it('reads a generated 300-container file exactly as yaml does', () => {
    assertSame(generateTopology({ containers: 300, networks: 30 }), 'generated');
  });

  it('reads the plain subset: nesting, compact maps in lists, flow collections, quotes, comments, scalars', () => {
    const cases = [
      'a: 1\n',
      'a:\n  b:\n    c: d\n  e: f\n',
      'a:\n- x\n- y\nb: 2\n',
      'a:\n  - x: 1\n    y: 2\n  - z\n  -\n  - [p, q]\n',
      'k  : v # comment\n# full line\n\n  # indented comment\nm: "quoted: yes # not a comment"\n',
      "s: 'it''s'\nd: \"tab\\tnew\\nline \\\"q\\\" \\\\ \\/\"\n",
      'f: [a, {b: 1, c: [2, 3]}, "x, y", ]\ne: {}\nl: []\n',
      'n: [~, null, Null, NULL, true, True, FALSE, 0, -1, +5, 1.5, .5, 1e3, 2.5E-2, 007, 20.10, 1.2.3, 10.10.0.0/16]\n',
      'ports: ["8080:80", 127.0.0.1:9090:90/udp, 8000]\n',
      '  indented: root\n  second: 2\n',
      'a: b\n\n\nc: d',
      '# header\n  # indented header\na:\n  b: 1\n# column-0 comment after a value\n\n# another\nc: [1] # trailing\n',
      'key with spaces: value with spaces\n"quoted key": 1\n\'single\': 2\n',
      'url: http://x/y#frag\nhash: a#b\n',
      'neg: -1\ndash: -x\nseq:\n  - -1\n',
      'dup: 1\ndup: 2\n',
      'unicode: "h\u00e9llo"\nzh: \u4e2d\u6587\n',
    ];
    cases.forEach((c, i) => assertSame(c, `case ${i}: ${JSON.stringify(c)}`));
  });

  it('gives up on what it does not reproduce exactly, so yaml reads it', () => {
    const giveUp = [
      'a: &x 1\nb: *x\n', // anchors, aliases
      'a: !!str 1\n', // tags
      'a: |\n  text\n', // block scalars
      'a: >\n  folded\n',
      'a: multi\n  line\n', // multi-line plain scalar
      'a: [1,\n  2]\n', // flow over several lines
      'a: "multi\n  line"\n',
      'a:\tb\n', // tabs
      'a: b\r\nc: d\r\n', // CR LF
      '---\na: 1\n', // document markers
      '%YAML 1.2\n---\na: 1\n',
      '? complex\n: key\n',
      'a: 0x1F\n',
      'a: .inf\n',
      '<<: {a: 1}\n',
      'just a scalar\n',
      'a: b: c\n', // a syntax error
      'a:\n  - b\n  c: d\n', // a syntax error
      '- - nested\n',
      'a: [b: c]\n',
      'a: {b}\n',
      'a:\n  b: 1\n    # a comment run that yaml folds into the ranges\nc: 2\n',
      'a:\n  b:\n# after an empty value\nc: 2\n',
    ];
    for (const text of giveUp) assert.equal(fastParseYaml(text), undefined, JSON.stringify(text));
  });

  it('builds real yaml nodes (isMap/isScalar, instanceof, toJS)', () => {
    const fast = fastParseYaml('a:\n  b: [1, two]\n')!;
    assert.ok(isMap(fast.document.contents));
    const b = fast.document.getIn(['a', 'b', 1], true);
    assert.ok(isScalar(b));
    assert.equal(fast.document.toJS().a.b[1], 'two');
  });

  it('on 600 random mutations of the examples: never accepts what yaml rejects, and agrees when it accepts', () => {
    const random = mulberry32(20241128);
    // Mutations of the examples the fast path reads as they are (the others fall back to yaml at once,
    // so mutating them would test nothing here).
    const readFast = exampleTexts.filter((t) => fastParseYaml(t) !== undefined);
    assert.ok(readFast.length >= 3, `only ${readFast.length} examples take the fast path`);
    let accepted = 0;
    for (let i = 0; i < 600; i++) {
      const text = mutate(readFast[i % readFast.length]!, random);
      const fast = fastParseYaml(text);
      if (!fast) continue;
      accepted++;
      assertSame(text, `mutation ${i}: ${JSON.stringify(text.slice(0, 200))}`);
    }
    assert.ok(accepted > 100, `the fast path should still take most mutations, took ${accepted}`);
  });
});
