import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Engine tests spawn real processes; two cores do not like more than two at once.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
