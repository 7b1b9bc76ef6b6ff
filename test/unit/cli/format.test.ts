// The CLI's plain tables: aligned columns, and no crash on the million rows of `cnm matrix` over
// 1,000 containers (a spread of a million widths into Math.max overflowed the stack).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable } from '../../../src/cli/format';

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    const text = formatTable(['FROM', 'TO'], [['a', 'b'], ['long-name', 'c']]);
    assert.equal(text, 'FROM       TO\na          b\nlong-name  c\n');
  });

  it('formats 200,000 rows (the matrix of 1,000 containers has a million) without overflowing the stack', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [`c${i}`, 'x']);
    const text = formatTable(['FROM', 'TO'], rows);
    assert.equal(text.split('\n').length, 200_002);
    assert.ok(text.startsWith('FROM     TO\nc0       x\n'));
  });
});
