import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        // CDK assertions and cdk-nag on ONE synthesis of the tenant stack (test/infra/support/synth.ts),
        // shared by every file: one worker, modules not isolated, files one after the other.
        extends: true,
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          globalSetup: ['test/infra/support/global-setup.ts'],
          isolate: false,
          maxWorkers: 1,
          fileParallelism: false,
          hookTimeout: 600_000,
        },
      },
      {
        // Everything else runs against the real local stacks the global setup starts.
        extends: true,
        test: {
          name: 'service',
          include: ['test/**/*.test.ts'],
          exclude: ['test/infra/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
