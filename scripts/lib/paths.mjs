// Where things are, for the scripts and the test harness.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** `publisher.name-version`: the folder name VS Code gives an installed copy of the extension. */
export const extensionFolderName = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
export const screenshotsDir = join(root, 'test-results', 'screenshots');
