import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing but Node (and libvirt's test:///default driver);
// integration tests run the core against the real lab (root, libvirtd, dnsmasq, QEMU).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.integration.test.ts', 'lab/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          environment: 'node',
          // One lab at a time: the files share it and its two guests.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
