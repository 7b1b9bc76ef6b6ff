// The figures `npm run bench` prints: the statistic compared with the target, the same-run ratio to the
// baseline, met/missed, and "not measured" with its reason instead of a number.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, formatFigures, statOf, tally, type BenchFigure } from '../../../scripts/lib/bench-format.mjs';

const fig = (over: Partial<BenchFigure>): BenchFigure => ({ id: 'validate.process', name: 'cnm validate', unit: 'ms', stat: 'median', samples: [], measured: 'x', ...over });

describe('bench figures', () => {
  it('takes the median, p95 and extremes by rank', () => {
    assert.equal(statOf([5, 1, 3], 'median'), 3);
    assert.equal(statOf([4, 1, 3, 2], 'median'), 3);
    assert.equal(statOf(Array.from({ length: 20 }, (_, i) => i + 1), 'p95'), 19);
    assert.equal(statOf([2, 9, 4], 'max'), 9);
    assert.equal(statOf([], 'median'), undefined);
  });

  it('compares the value with the target and the baseline of the same run', () => {
    assert.equal(evaluate(fig({ samples: [900, 1100, 950], target: 1000 })).result, 'met');
    assert.equal(evaluate(fig({ samples: [1200, 1100, 1300], target: 1000 })).result, 'missed');
    const e = evaluate(fig({ samples: [100, 120, 110], target: 'baseline', baseline: { name: 'docker CLI', stat: 'median', samples: [200, 220, 240], measured: 'y' } }));
    assert.equal(e.value, 110);
    assert.equal(e.baselineValue, 220);
    assert.equal(e.ratio, 0.5);
    assert.equal(e.result, 'met');
    // A target "faster than the baseline" with no baseline measured is not met: it is not measured.
    assert.equal(evaluate(fig({ samples: [100], target: 'baseline', baseline: { name: 'docker CLI', stat: 'median', samples: [], measured: 'y', notMeasured: 'no dockerd' } })).result, 'not measured');
  });

  it('prints one aligned line per figure, and the reason instead of a number when not measured', () => {
    const text = formatFigures([
      fig({ name: 'cnm validate (whole process)', samples: [1620, 1350, 1930], target: 1000 }),
      fig({ id: 'lsp.open', name: 'LSP open', samples: [300], target: 500, baseline: { name: 'yaml-language-server', stat: 'median', samples: [900], measured: 'y' } }),
      fig({ id: 'import.process', name: 'live import', target: 'baseline', notMeasured: 'no Docker daemon answers' }),
    ]);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, 5); // header, three figures, one reason
    assert.match(lines[1]!, /^cnm validate \(whole process\)\s+median 1620 ms\s+1350 ms–1930 ms, n=3\s+< 1000 ms\s+—\s+—\s+MISSED$/);
    assert.match(lines[2]!, /median 300 ms .*< 500 ms\s+median 900 ms yaml-language-server\s+0\.33×\s+met$/);
    assert.match(lines[3]!, /^live import\s+not measured \[1\]/);
    assert.doesNotMatch(lines[3]!, /\d+ ms/);
    assert.equal(lines[4], '[1] live import: no Docker daemon answers');
    // Aligned: every column starts at the same place on every line.
    const at = (l: string) => l.indexOf('< ');
    assert.equal(at(lines[1]!), at(lines[2]!));
    assert.deepEqual(tally([fig({ samples: [1], target: 2 }), fig({ notMeasured: 'why' })]), { met: 1, missed: 0, 'no target': 0, 'not measured': 1 });
  });
});
