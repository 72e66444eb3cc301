import { freePort } from '../local-stack/free-port.ts';
import { type RunningStack, spawnStack } from '../local-stack/spawn-stack.ts';
import type { Cleanup } from './cleanup.ts';

export interface StackControl {
  current(): RunningStack;
  /** Stops and starts the stack on the same data dir and port (same ids, token and data). */
  restart(): Promise<void>;
  /** The last lines the stack printed (for failure reports). */
  tail(chars?: number): string;
}

/** Starts the local stack (what `npm start` runs) on a fresh data dir; stopped by `cleanup`. */
export async function startStack(cleanup: Cleanup, dataDir: string): Promise<StackControl> {
  // No demo notebook: the benchmark counts the notebooks it seeds in the seed project.
  const env = { CELLWISE_DATA_DIR: dataDir, PORT: String(await freePort()), CELLWISE_DEMO: 'off' };
  let stack: RunningStack | undefined;
  let stopping = false;
  const start = async () => {
    const started = await spawnStack(env);
    started.process.once('exit', (code, signal) => {
      if (stopping || stack !== started) return;
      console.error(
        `bench: the Cellwise stack exited (${code ?? signal}); last output:\n${started.output().slice(-2000)}`,
      );
    });
    stack = started;
  };
  const stop = async () => {
    if (!stack) return;
    stopping = true;
    await stack.stop();
    stopping = false;
  };
  await start();
  cleanup.add('stop Cellwise stack', stop);
  return {
    current: () => stack!,
    restart: async () => {
      await stop();
      await start();
    },
    tail: (chars = 3000) => stack?.output().slice(-chars) ?? '',
  };
}
