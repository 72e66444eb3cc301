import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type RunningStack, spawnStack } from '../../local-stack/spawn-stack.ts';
import { notebookOf } from '../support/runs.ts';

/**
 * The service dies or stops under a running run: nothing stays Running, the outputs so far
 * are kept, and the notebook can run again. Each test has a stack of its own.
 */

const TENANT = '0196a1b2-cccc-7000-8000-00000000000c';
const PROJECT = '0196a1b2-dddd-7000-8000-00000000000d';
const TOKEN = 'cw_fixed-token-for-the-recovery-test';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** The same tenant, project and token on every start, so ids survive the restart. */
const stackEnv = (dataDir: string) => ({
  CELLWISE_DATA_DIR: dataDir,
  CELLWISE_TENANT_ID: TENANT,
  CELLWISE_PROJECT_ID: PROJECT,
  CELLWISE_API_TOKEN: TOKEN,
});

function api(stack: RunningStack) {
  const base = `${stack.info.baseUrl}/api/${TENANT}/${PROJECT}`;
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
}

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(value).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every process of the stack (its emulators and the kernel host, with their kernels). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=']).toString();
  const children = new Map<number, number[]>();
  for (const line of out.trim().split('\n')) {
    const [p, pp] = line.trim().split(/\s+/).map(Number) as [number, number];
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      all.push(c);
      walk(c);
    }
  };
  walk(pid);
  return all;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGKILLs the stack; its emulators and the kernel host (with its kernels) follow their parent. */
async function killStack(stack: RunningStack): Promise<void> {
  const processes = descendants(stack.process.pid!);
  stack.process.kill('SIGKILL');
  await until(
    async () => processes.filter(alive),
    (left) => left.length === 0,
    20_000,
  );
}

/** Starts a run whose second cell blocks, and waits until that cell is running. */
async function startBlockingRun(stack: RunningStack, body: object = {}) {
  const call = api(stack);
  const document = notebookOf([
    'print("step one")',
    'import time\nprint("waiting", flush=True)\ntime.sleep(300)',
    'print("never")',
  ]);
  const created = await call('POST', '/notebook', {
    notebookName: `survivor ${Date.now()}`,
    initialCells: document.cells.map((c) => ({ cellType: 'code', source: c.source })),
  });
  expect(created.status).toBe(201);
  const notebookId = created.body.notebookId as string;
  const run = await call('POST', `/notebook/${notebookId}/execute`, body);
  expect(run.status).toBe(202);
  const executionId = run.body.executionId as string;
  await until(
    () => call('GET', `/notebook/${notebookId}/execution/${executionId}`),
    (r) => r.body.currentCell === 'cell-002',
  );
  await new Promise((r) => setTimeout(r, 500));
  return { notebookId, executionId };
}

describe('runs survive the service', () => {
  it('ends a run orphaned by a killed service when the service restarts, keeping outputs so far', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cellwise-crash-'));
    const env = stackEnv(dataDir);
    try {
      const first = await spawnStack(env);
      const { notebookId, executionId } = await startBlockingRun(first);
      await killStack(first);

      const second = await spawnStack(env);
      try {
        const call = api(second);
        const status = await until(
          () => call('GET', `/notebook/${notebookId}/execution/${executionId}`),
          (r) => ['Completed', 'Error', 'Cancelled'].includes(r.body.status),
        );
        expect(status.body).toMatchObject({ status: 'Error', error: { errorType: 'ServiceRestarted' } });
        expect(status.body.cellResults.map((c: any) => [c.cellId, c.status])).toEqual([
          ['cell-001', 'Success'],
        ]);
        expect(second.output()).toContain('reconciled runs left by the last process');
        const results = await call('GET', `/notebook/${notebookId}/execution/${executionId}/results`);
        expect(results.body.outputs.map((o: any) => o.content)).toEqual(['step one\n']);
        const notebook = await call('GET', `/notebook/${notebookId}`);
        expect(notebook.body.status).toBe('Error');
        const again = await call('POST', `/notebook/${notebookId}/execute`, {
          executionMode: 'range',
          cellRange: { startCell: 'cell-001', endCell: 'cell-001' },
        });
        expect(again.status).toBe(202);
        const done = await until(
          () => call('GET', `/notebook/${notebookId}/execution/${again.body.executionId}`),
          (r) => r.body.status === 'Completed',
        );
        expect(done.body.status).toBe('Completed');
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('starts the next attempt of a run orphaned by a killed service when its retry policy names ServiceRestarted', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cellwise-crash-retry-'));
    const env = stackEnv(dataDir);
    try {
      const first = await spawnStack(env);
      const { notebookId, executionId } = await startBlockingRun(first, {
        retry: { maxAttempts: 2, backoffSeconds: 0, on: ['ServiceRestarted'] },
      });
      await killStack(first);
      const second = await spawnStack(env);
      try {
        const call = api(second);
        const ended = await until(
          () => call('GET', `/notebook/${notebookId}/execution/${executionId}`),
          (r) => ['Completed', 'Error', 'Cancelled'].includes(r.body.status),
        );
        expect(ended.body).toMatchObject({
          status: 'Error',
          attempt: 1,
          error: { errorType: 'ServiceRestarted' },
        });
        const nextId = ended.body.nextAttemptId as string;
        expect(nextId).toBeTruthy();
        // The next attempt runs from the first cell in a fresh kernel, and reaches the blocking cell again.
        const next = await until(
          () => call('GET', `/notebook/${notebookId}/execution/${nextId}`),
          (r) => r.body.currentCell === 'cell-002',
          60_000,
        );
        expect(next.body).toMatchObject({ status: 'Running', attempt: 2, previousAttemptId: executionId });
        expect((await call('POST', `/notebook/${notebookId}/execution/${nextId}/cancel`)).status).toBe(202);
        const cancelled = await until(
          () => call('GET', `/notebook/${notebookId}/execution/${nextId}`),
          (r) => r.body.status === 'Cancelled',
        );
        expect(cancelled.body.nextAttemptId).toBeNull();
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it('interrupts running runs on SIGTERM, marks them, and loses nothing written', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'cellwise-sigterm-'));
    const env = stackEnv(dataDir);
    try {
      const first = await spawnStack(env);
      const { notebookId, executionId } = await startBlockingRun(first);
      const stopping = Date.now();
      expect(await first.stop()).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(30_000);

      const second = await spawnStack(env);
      try {
        const call = api(second);
        const status = await call('GET', `/notebook/${notebookId}/execution/${executionId}`);
        expect(status.body).toMatchObject({
          status: 'Error',
          error: { errorType: 'ServiceStopped', cellId: 'cell-002' },
        });
        expect(status.body.cellResults.map((c: any) => [c.status, c.errorType])).toEqual([
          ['Success', null],
          ['Cancelled', 'ServiceStopped'],
        ]);
        const results = await call('GET', `/notebook/${notebookId}/execution/${executionId}/results`);
        expect(results.body.outputs.slice(0, 2).map((o: any) => o.content)).toEqual([
          'step one\n',
          'waiting\n',
        ]);
        expect(results.body.outputs[2]).toMatchObject({ outputType: 'error' });
        expect((await call('GET', `/notebook/${notebookId}`)).body.status).toBe('Error');
      } finally {
        expect(await second.stop()).toBe(0);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
