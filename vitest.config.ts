import { defineConfig } from 'vitest/config';

// Tests start real TLS servers on loopback; each file gets its own ports, so files may run in
// parallel, but a two-core machine wants few workers and generous timeouts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
