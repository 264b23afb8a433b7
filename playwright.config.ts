import { defineConfig } from '@playwright/test';

/**
 * The renderer's tests: Debian's Chromium (never a downloaded browser) against the built renderer,
 * served by the test bridge (scripts/ui-bridge.ts) over a real engine. `npm test` builds dist/ first.
 */
export default defineConfig({
  testDir: 'tests/ui',
  testMatch: '**/*.spec.ts',
  globalSetup: './tests/ui/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  outputDir: '.playwright-results',
  use: {
    viewport: { width: 1280, height: 800 },
    locale: 'en-US',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
    trace: 'off',
  },
});
