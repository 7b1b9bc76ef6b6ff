// The last complete reading answers for the entry under the cursor only when every edit since lies
// outside it (src/server/lastReading.ts): the offsets it maps, the ones it refuses, and ranges moved to
// the new text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentAnalyzer } from '../../../src/server/analysis';
import { changedRegion, LastReading } from '../../../src/server/lastReading';

const OLD = `name: t
networks:
  front:
    subnet: 10.1.0.0/24
  back:
    subnet: 10.2.0.0/24
containers:
  web:
    image: nginx
    networks: [front]
  db:
    image: postgres
    networks: [back]
  cache:
    image: redis
    networks: [back]
`;

function reading(after: string): LastReading {
  const a = new DocumentAnalyzer('file:///t.cnm.yaml').analyzeNow(1, OLD);
  const r = LastReading.of(a, after);
  assert.ok(r, 'the texts differ');
  return r;
}

const at = (text: string, needle: string, plus = 0) => {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, needle);
  return i + plus;
};

describe('changedRegion', () => {
  it('is the one stretch between the common prefix and suffix', () => {
    assert.equal(changedRegion('abc', 'abc'), null);
    assert.deepEqual(changedRegion('abcdef', 'abXYef'), { start: 2, oldEnd: 4, newEnd: 4 });
    assert.deepEqual(changedRegion('abcdef', 'abcZdef'), { start: 3, oldEnd: 3, newEnd: 4 });
    assert.deepEqual(changedRegion('aaaa', 'aa'), { start: 2, oldEnd: 4, newEnd: 2 });
  });
});

describe('LastReading.oldOffset', () => {
  it('maps a position after an edit in another entry, shifted by what the edit added', () => {
    const after = OLD.replace('image: nginx', 'image: nginx:1.27');
    const r = reading(after);
    assert.equal(r.oldOffset(at(after, 'cache:')), at(OLD, 'cache:'));
    assert.equal(r.oldOffset(at(after, 'subnet: 10.2')), at(OLD, 'subnet: 10.2'), 'before the edit: the same offset');
  });

  it('refuses a position in the edited entry, and in the entry before an edit at the next entry\'s line start', () => {
    const inEntry = OLD.replace('image: postgres', 'image: postgres:16');
    assert.equal(reading(inEntry).oldOffset(at(inEntry, 'networks: [back]')), undefined, 'same entry as the edit');
    // Spaces typed at the start of `cache:` make it part of db: db's reading is no longer the same.
    const indented = OLD.replace('  cache:', '    cache:');
    assert.equal(reading(indented).oldOffset(at(indented, 'image: postgres')), undefined);
    assert.equal(reading(indented).oldOffset(at(indented, 'image: nginx')), at(OLD, 'image: nginx'));
  });

  it('refuses the last entry of the file when the edit comes after it, and a position inside the edit', () => {
    const appended = `${OLD}    expose: ["80"]\n`;
    assert.equal(reading(appended).oldOffset(at(appended, 'image: redis')), undefined);
    assert.equal(reading(appended).oldOffset(at(appended, 'image: postgres')), at(OLD, 'image: postgres'));
    const edited = OLD.replace('redis', 'valkey');
    assert.equal(reading(edited).oldOffset(at(edited, 'valkey', 2)), undefined);
  });

  it('moves ranges of an entry after the edit to the new lines', () => {
    const after = OLD.replace('  front:\n', '  front:\n    driver: bridge\n');
    const r = reading(after);
    const old = r.analysis.lines.range({ start: at(OLD, 'cache'), end: at(OLD, 'cache') + 5 });
    assert.deepEqual(r.range(old), { start: { line: old.start.line + 1, character: 2 }, end: { line: old.end.line + 1, character: 7 } });
    // A line taken out before it moves it up; an entry before the edit stays where it was.
    const removed = OLD.replace('    image: postgres\n', '');
    const up = reading(removed);
    assert.equal(up.oldOffset(at(removed, 'cache')), at(OLD, 'cache'));
    assert.deepEqual(up.range(old), { start: { line: old.start.line - 1, character: 2 }, end: { line: old.end.line - 1, character: 7 } });
    const front = up.analysis.lines.range({ start: at(OLD, 'front'), end: at(OLD, 'front') + 5 });
    assert.deepEqual(up.range(front), front);
  });
});
