// Playwright with Debian's Chromium (never a downloaded browser).
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const chromiumPath = process.env.CNM_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable() {
  return existsSync(chromiumPath);
}

/**
 * Launches headless Chromium. Every request that is not for loopback goes to a proxy on a closed
 * loopback port and fails: the browser cannot reach anything but the code-server under test.
 */
export function launchChromium() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-default-apps',
      '--proxy-server=http://127.0.0.1:9', // Chromium never proxies loopback, so only code-server answers
    ],
  });
}
