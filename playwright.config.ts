/**
 * Browser end-to-end tests. `web` drives the built app through the web host in Debian's Chromium
 * (Playwright cannot download browsers here); `electron` drives the Electron shell and skips where
 * Electron's binary is absent. Both need `npm run build` first. Screenshots of the key screens are
 * saved explicitly by the tests under test-results/screenshots/.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  outputDir: 'test-results/',
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    headless: true,
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    {
      name: 'web',
      testDir: 'test/e2e',
      testMatch: '**/*.spec.ts',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: '/usr/lib/chromium/chromium',
          args: [
            '--no-sandbox',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--no-first-run',
          ],
        },
      },
    },
    {
      name: 'electron',
      testDir: 'test/electron',
      testMatch: '**/*.spec.ts',
    },
  ],
});
