// The expectation check called directly, without the server's safety net (the server swallows an
// exception as "no diagnostics", which would hide a crash from the LSP fuzzing): 2,000 random expect
// sections — known and unknown names, addresses, ports, protocols, junk — over the fixtures. None may
// throw, and every diagnostic lies inside its document.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../bench/generate';
import { buildTopology, parseTopology } from '../../src/topology';
import { checkExpectations } from '../../src/server/expectations';
import { EXPECT_LAB, LAB, MISTAKES } from './fixtures';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const ROUNDS = Number(process.env.FUZZ_DOCUMENTS ?? 2000);

const FROM = ['web', 'client', 'intruder', 'b1', 'b3', 'host1', 'nosuch', '"web"', '1', '[a]', '{}', '""', 'loner', 'hosty', 'far'];
const TO = [
  'web', '"web:80"', '"web:81/udp"', 'b4', '"www:80"', '10.1.0.2', '"10.3.0.2:80"', '"172.17.0.2:8080"', '"[::1]:80"', '"::1"', '"web:0"',
  '"web:99999"', '"web:80/sctp"', '"web/tcp"', '":80"', '""', 'localhost', '"tasks.web"', '"web.front"', '"x/icmp:1"', 'nosuch', '"192.168.50.10:9090"',
  '[a, b]', '1', '"web:80:81"', '"💥"',
];
const VERDICT = ['delivered', 'refused', 'dropped', 'unresolved', 'unknown', 'maybe', '1', '""'];

describe('the expectation check on random entries', () => {
  it(`never throws and stays inside the document (${ROUNDS} files, seed ${SEED})`, () => {
    const rnd = mulberry32(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
    let reported = 0;
    for (let n = 0; n < ROUNDS; n++) {
      const base = pick([EXPECT_LAB, LAB, MISTAKES]);
      const entries = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => `  - { from: ${pick(FROM)}, to: ${pick(TO)}, verdict: ${pick(VERDICT)} }`);
      const text = `${base.slice(0, base.indexOf('expect:\n'))}expect:\n${entries.join('\n')}\n`;
      const parsed = parseTopology(text);
      const built = buildTopology(parsed.spec, parsed);
      const diagnostics = checkExpectations({ parsed, engine: built.engine, buildDiagnostics: built.diagnostics });
      const lines = text.split('\n');
      for (const d of diagnostics) {
        for (const p of [d.range.start, d.range.end]) {
          assert.ok(p.line < lines.length && p.character <= lines[p.line]!.length, `file ${n}: ${JSON.stringify(d.range)} "${d.message}" lies outside:\n${text}`);
        }
        assert.ok(d.message.length > 0);
      }
      reported += diagnostics.length;
    }
    assert.ok(reported > ROUNDS / 4, `the random entries do fail (${reported} diagnostics)`);
  });
});
