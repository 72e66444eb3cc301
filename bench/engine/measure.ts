import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CellwiseClient } from '../cellwise-client.ts';

const REFERENCE = fileURLToPath(new URL('./nbclient_reference.py', import.meta.url));
const FINAL = new Set(['Completed', 'Error', 'Cancelled']);

export interface RunTiming {
  /** From sending POST execute to seeing the run Completed (polled every `pollMs`). */
  seconds: number;
  /** From sending POST execute to the run's recorded endTime (no polling error). */
  serverSeconds: number;
  /** POST execute's own latency. */
  submitMs: number;
  status: string;
  cells: number;
  executionId: string;
}

/** Uploads a document as a notebook; returns its id. */
export async function uploadNotebook(
  client: CellwiseClient,
  name: string,
  document: object,
): Promise<string> {
  const form = new FormData();
  form.append('notebookName', name);
  form.append('file', new Blob([JSON.stringify(document)], { type: 'application/json' }), `${name}.ipynb`);
  const res = await fetch(`${client.info.baseUrl}${client.prefix}/notebook/upload`, {
    method: 'POST',
    headers: client.headers,
    body: form,
  });
  const body = (await res.json()) as { notebookId?: string };
  if (res.status !== 201 || !body.notebookId)
    throw new Error(`upload ${name}: ${res.status} ${JSON.stringify(body)}`);
  return body.notebookId;
}

/** Runs a notebook through the API: POST execute, then polls until it is final. */
export async function runThroughApi(
  client: CellwiseClient,
  notebookId: string,
  pollMs = 25,
): Promise<RunTiming> {
  const sent = Date.now();
  const t0 = performance.now();
  const run = await client.expect<{ executionId: string }>(
    202,
    'POST',
    `/notebook/${notebookId}/execute`,
    {},
  );
  const submitMs = performance.now() - t0;
  for (;;) {
    const status = await client.expect<{
      status: string;
      endTime: string | null;
      progress: { completedCells: number };
    }>(200, 'GET', `/notebook/${notebookId}/execution/${run.executionId}`);
    if (FINAL.has(status.status)) {
      return {
        seconds: (performance.now() - t0) / 1000,
        serverSeconds: (Date.parse(status.endTime!) - sent) / 1000,
        submitMs,
        status: status.status,
        cells: status.progress.completedCells,
        executionId: run.executionId,
      };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The stream text the given cells of a run printed (`results?format=detailed`, one cell at a time). */
export async function printedText(
  client: CellwiseClient,
  notebookId: string,
  executionId: string,
  cellIds: string[],
): Promise<string> {
  const path = `/notebook/${notebookId}/execution/${executionId}/results?format=detailed`;
  const parts = [];
  for (const cellId of cellIds)
    parts.push(JSON.stringify(await client.expect<object>(200, 'GET', `${path}&cellId=${cellId}`)));
  return parts.join('\n');
}

/** A reference run that takes longer than this is stopped and counted as failed. */
const REFERENCE_DEADLINE_MS = 180_000;

/**
 * Runs the same document with Debian's nbclient (kernel start included); returns its seconds.
 * The process (and its kernel) runs in its own process group, killed at the deadline: an
 * nbclient whose kernel never answers would otherwise wait for its hour-long timeout.
 */
export async function runWithNbclient(dir: string, name: string, document: object): Promise<number> {
  return (await runWithNbclientOutput(dir, name, document)).seconds;
}

/** `runWithNbclient`, with the stream text the cells printed. */
export async function runWithNbclientOutput(
  dir: string,
  name: string,
  document: object,
): Promise<{ seconds: number; text: string }> {
  const file = join(dir, `${name}.ipynb`);
  await writeFile(file, JSON.stringify(document));
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [REFERENCE, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    const deadline = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`nbclient did not finish within ${REFERENCE_DEADLINE_MS / 1000} s`));
    }, REFERENCE_DEADLINE_MS);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(deadline);
      if (code !== 0) return reject(new Error(`nbclient failed (${code}): ${err.slice(-1000)}`));
      // The last line is the result: read once the pipe has drained (or a moment later, if
      // a leftover grandchild still holds it).
      const finish = () => {
        try {
          const result = JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number; text?: string };
          resolve({ seconds: result.seconds, text: result.text ?? '' });
        } catch (error) {
          reject(new Error(`nbclient printed no result: ${(error as Error).message}`));
        }
      };
      if (child.stdout.readableEnded) finish();
      else {
        child.stdout.once('end', finish);
        setTimeout(finish, 2000).unref();
      }
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The p-th percentile (nearest rank). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
