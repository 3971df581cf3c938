import { defineConfig } from '@playwright/test';
import { TEST_OUTPUT } from './e2e/test-output';

// The renderer in Debian's Chromium (never a downloaded browser), served by the serve shell
// against the lab. One worker: the tests share the lab and some of them restart its libvirtd.
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: `${TEST_OUTPUT}/playwright`,
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: `${TEST_OUTPUT}/results-e2e.json` }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
});
