import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface StackInfo {
  baseUrl: string;
  tenantId: string;
  projectId: string;
  token: string;
  dataDir: string;
  dynamodbEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  bucketName: string;
  /** The local Step Functions API (the run workflow). */
  sfnEndpoint: string;
  /** The demo dataset and notebook in the seed project (null with CELLWISE_DEMO=off). */
  demo?: { datasetId: string; notebookId: string } | null;
}

export interface RunningStack {
  info: StackInfo;
  process: ChildProcess;
  output(): string;
  /** Sends SIGTERM and waits for a clean exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `local-stack/main.ts` (what `npm start` runs, minus the install step) as a child
 * process and waits for its CELLWISE_READY line. Used by the tests and the benchmark.
 */
export function spawnStack(env: Record<string, string>, timeoutMs = 60_000): Promise<RunningStack> {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, PORT: '0', CELLWISE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.once('exit', (code) => {
        clearTimeout(force);
        resolve(code);
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`local stack did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const failed = (code: number | null) =>
      reject(new Error(`local stack exited (code ${code}):\n${output}`));
    child.once('exit', failed);
    const onData = () => {
      const line = /^CELLWISE_READY (\{.*\})\n/m.exec(output)?.[1];
      if (!line) return;
      clearTimeout(timer);
      child.off('exit', failed);
      child.stdout.off('data', onData);
      resolve({ info: JSON.parse(line), process: child, output: () => output, stop });
    };
    child.stdout.on('data', onData);
  });
}
