import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProcessDiagnostics } from './diagnostics.ts';
import type {
  FunctionsHostDiagnostics,
  FunctionsHostProfile,
  FunctionsHostReady,
  FunctionsHostRequest,
} from './functions-host-protocol.ts';

/** The running functions host (`functions-host.ts`), seen from the stack's API process. */
export interface FunctionsHost {
  process: ChildProcess;
  endpoints: FunctionsHostReady;
  /** Its event loop, GC and CPU since the last reset (`reset` starts a new window). */
  diagnostics(reset: boolean): Promise<ProcessDiagnostics>;
  /** A CPU profile of it over the next `ms` milliseconds. */
  profile(ms: number): Promise<unknown>;
  /** Stops its schedules, stops running runs (they end Error/ServiceStopped), drains, exits. */
  stop(): Promise<void>;
  /** A kernel host joined (its capacity admits waiting runs now) or left the fleet. */
  hostChanged(hostId: string, status: 'RUNNING' | 'STOPPED'): void;
}

/**
 * Forks the functions host with this process's environment (the stores' endpoints are set)
 * and waits until it reports its endpoints.
 */
export function startFunctionsHost(dataDir: string, timeoutMs = 60_000): Promise<FunctionsHost> {
  const child = fork(fileURLToPath(new URL('./functions-host.ts', import.meta.url)), [dataDir], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const send = (request: FunctionsHostRequest) => child.send(request);
  let nextId = 0;
  const waiting = new Map<number, (answer: unknown) => void>();
  child.on('message', (message: FunctionsHostDiagnostics | FunctionsHostProfile | FunctionsHostReady) => {
    if (message.type === 'ready') return;
    waiting.get(message.id)?.(message.type === 'profile' ? message.profile : message.diagnostics);
    waiting.delete(message.id);
  });
  const ask = <T>(request: (id: number) => FunctionsHostRequest) =>
    new Promise<T>((answer) => {
      const id = ++nextId;
      waiting.set(id, answer as (value: unknown) => void);
      send(request(id));
    });
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      // Runs get 20 s to stop and deliveries 12 s; past that the process is killed.
      const force = setTimeout(() => child.kill('SIGKILL'), 40_000);
      child.once('exit', () => {
        clearTimeout(force);
        done();
      });
      send({ type: 'stop' });
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the functions host did not start in time')), timeoutMs);
    const failed = (code: number | null) => reject(new Error(`the functions host exited (code ${code})`));
    child.once('exit', failed);
    child.once('message', (message: FunctionsHostReady) => {
      clearTimeout(timer);
      child.off('exit', failed);
      if (message.type !== 'ready') return reject(new Error('the functions host sent an unexpected message'));
      resolve({
        process: child,
        endpoints: message,
        stop,
        hostChanged: (hostId, status) => {
          if (child.connected) send({ type: 'host-changed', hostId, status });
        },
        diagnostics: (reset) => ask<ProcessDiagnostics>((id) => ({ type: 'diagnostics', id, reset })),
        profile: (ms) => ask<unknown>((id) => ({ type: 'profile', id, ms })),
      });
    });
  });
}
