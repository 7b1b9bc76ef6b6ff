// The README's picture (media/screenshot.png) is taken by the UI tier (test/ui/userFlow.test.ts), which
// records beside it what the workspace held. When examples/ changes, this fails until a UI run has
// taken the picture again and it is committed: the picture cannot go stale silently.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { root } from '../../scripts/lib/paths.mjs';
import { topologyFiles, type ReadmeScreenshotRecord } from '../ui/support';

const media = join(root, 'media');
const rerun = 'take it again: `node scripts/test.mjs ui` writes media/screenshot.png and media/screenshot.json; commit both';

test('the README screenshot shows the examples/ of today', () => {
  assert.ok(existsSync(join(media, 'screenshot.png')), `media/screenshot.png is missing: ${rerun}`);
  const record = JSON.parse(readFileSync(join(media, 'screenshot.json'), 'utf8')) as ReadmeScreenshotRecord;
  assert.deepEqual(record.sources, topologyFiles(join(root, 'examples')), `examples/ changed since the README screenshot was taken: ${rerun}`);
  const shown = Number(/CNM: (\d+) topolog/.exec(record.statusBar)?.[1]);
  assert.equal(shown, record.sources.length, `the status bar in the picture read "${record.statusBar}"`);
});

test('the README shows that screenshot', () => {
  assert.match(readFileSync(join(root, 'README.md'), 'utf8'), /!\[[^\]]+\]\(media\/screenshot\.png\)/);
});
