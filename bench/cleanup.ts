import { rm } from 'node:fs/promises';

type Step = { name: string; run: () => Promise<unknown> };

/**
 * Teardown steps run last-in first-out, each at most once, whether the bench finishes,
 * throws, or gets SIGINT/SIGTERM. A failing step is reported and does not stop the others.
 */
export class Cleanup {
  private steps: Step[] = [];
  private running: Promise<void> | undefined;

  add(name: string, run: () => Promise<unknown>) {
    this.steps.push({ name, run });
  }

  removeDir(dir: string) {
    this.add(`remove ${dir}`, () => rm(dir, { recursive: true, force: true, maxRetries: 3 }));
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        const started = performance.now();
        try {
          await step.run();
          console.log(`cleanup: ${step.name} (${(performance.now() - started).toFixed(0)} ms)`);
        } catch (error) {
          console.error(`cleanup: ${step.name} failed: ${(error as Error).message}`);
        }
      }
    })();
    return this.running;
  }

  /** On SIGINT/SIGTERM: clean up, then exit 130/143. */
  onSignals() {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.once(signal, () => {
        console.error(`\nbench: ${signal} received, cleaning up`);
        void this.run().finally(() => process.exit(code));
      });
    }
  }
}
