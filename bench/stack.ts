import { type RunningStack, spawnStack } from '../local-stack/spawn-stack.ts';
import type { Cleanup } from './cleanup.ts';

/**
 * SIGTERM, then SIGKILL after 20 s; resolves on 'close' (stack and its stdio gone). Not
 * `stack.stop()`: its promise never settles, because spawn-stack.ts's stdout handler calls
 * `child.removeAllListeners('exit')` again whenever the stack prints (it prints on SIGTERM),
 * which also removes stop()'s own 'exit' listener.
 */
function stopStack(stack: RunningStack): Promise<void> {
  const child = stack.process;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the local stack (what `npm start` runs) on a fresh data dir; stopped by `cleanup`. */
export async function startStack(cleanup: Cleanup, dataDir: string): Promise<RunningStack> {
  const stack = await spawnStack({ CELLWISE_DATA_DIR: dataDir });
  let stopping = false;
  cleanup.add('stop Cellwise stack', () => {
    stopping = true;
    return stopStack(stack);
  });
  // 'close', not 'exit': see stopStack
  stack.process.once('close', (code, signal) => {
    if (stopping) return;
    console.error(
      `bench: the Cellwise stack exited (${code ?? signal}); last output:\n${stack.output().slice(-2000)}`,
    );
  });
  return stack;
}
