import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildService {
  name: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Forks one of the storage emulators and waits until it reports its port. */
export function startChild(
  name: string,
  script: string,
  args: string[],
  nodeFlags: string[] = [],
): Promise<ChildService> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), args, {
    execArgv: ['--import', 'tsx', ...nodeFlags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${name} exited during start-up (code ${code})`)));
    child.once('message', (message: { ready?: boolean; port?: number }) => {
      clearTimeout(timer);
      if (!message.ready || !message.port) return reject(new Error(`${name} sent an unexpected message`));
      child.removeAllListeners('exit');
      resolve({
        name,
        port: message.port,
        process: child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(force);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
