import { expect } from 'vitest';
import type { client } from './api.ts';

type Api = ReturnType<typeof client>;

export const FINAL = new Set(['Completed', 'Error', 'Cancelled']);

export interface CellSpec {
  source: string;
  tags?: string[];
  cellType?: 'code' | 'markdown';
}

const PYTHON_KERNELSPEC = { name: 'python3', display_name: 'Python 3', language: 'python' };
/** The kernelspec of a Scala notebook (the kernel host's own `scala` kernel). */
export const SCALA_KERNELSPEC = { name: 'scala', display_name: 'Scala', language: 'scala' };

/** An nbformat 4.5 document with the given cells (ids `c1`, `c2`, ...); a Python one by default. */
export function notebookOf(cells: (string | CellSpec)[], kernelspec: object = PYTHON_KERNELSPEC) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec },
    cells: cells.map((c, i) => {
      const spec = typeof c === 'string' ? { source: c } : c;
      const id = `c${i + 1}`;
      if (spec.cellType === 'markdown')
        return { id, cell_type: 'markdown', metadata: {}, source: spec.source };
      return {
        id,
        cell_type: 'code',
        metadata: spec.tags ? { tags: spec.tags } : {},
        source: spec.source,
        execution_count: null,
        outputs: [],
      };
    }),
  };
}

let counter = 0;

/** Uploads an nbformat document (route 7) and returns the new notebook's id. */
export async function upload(api: Api, document: object, name = `run test ${process.pid}-${++counter}`) {
  const form = new FormData();
  form.append('notebookName', name);
  form.append('file', new Blob([JSON.stringify(document)], { type: 'application/json' }), 'test.ipynb');
  const res = await api.raw('POST', '/notebook/upload', form);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.notebookId as string;
}

/** Polls a run until it is final (or `timeoutMs` passes) and returns its last status. */
export async function waitForRun(api: Api, notebookId: string, executionId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.get(`/notebook/${notebookId}/execution/${executionId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (FINAL.has(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`run still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls until `predicate` holds for the run's status (e.g. a cell is running). */
export async function waitUntil(
  api: Api,
  notebookId: string,
  executionId: string,
  predicate: (status: any) => boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.get(`/notebook/${notebookId}/execution/${executionId}`);
    if (predicate(res.body)) return res.body;
    if (Date.now() > deadline)
      throw new Error(`condition not reached: ${JSON.stringify(res.body).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Submits a run (route 12), expecting 202, and returns its first status. */
export async function execute(api: Api, notebookId: string, body: object = {}) {
  const res = await api.post(`/notebook/${notebookId}/execute`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body;
}

/** A run's detailed results and its executed notebook (null when the run wrote none). */
export async function resultsOf(api: Api, notebookId: string, executionId: string) {
  const results = (await api.get(`/notebook/${notebookId}/execution/${executionId}/results?format=detailed`))
    .body;
  const executed: any = results.executedNotebook
    ? await fetch(results.executedNotebook.downloadUrl).then((r) => r.json())
    : null;
  return { results, executed };
}

/** Uploads, runs and waits: the final status, the results (detailed) and the executed notebook. */
export async function runToEnd(api: Api, document: object, body: object = {}, timeoutMs = 60_000) {
  const notebookId = await upload(api, document);
  const started = await execute(api, notebookId, body);
  const status = await waitForRun(api, notebookId, started.executionId, timeoutMs);
  const { results, executed } = await resultsOf(api, notebookId, started.executionId);
  return { notebookId, executionId: started.executionId as string, status, results, executed, started };
}

/** A two-event log (one case, Start then End) as a dataset of the project; its id. */
export async function tinyLog(api: Api): Promise<string> {
  const dataset = await api.post('/dataset', {
    name: 'tiny log',
    rows: [
      { case_id: 'a', activity: 'Start', timestamp: '2024-01-01T08:00:00Z' },
      { case_id: 'a', activity: 'End', timestamp: '2024-01-01T09:00:00Z' },
    ],
  });
  expect(dataset.status, JSON.stringify(dataset.body)).toBe(201);
  return dataset.body.datasetId as string;
}

/** The text of a cell's stream outputs in an executed notebook. */
export function streamText(cell: { outputs?: { output_type: string; text?: string | string[] }[] }): string {
  return (cell.outputs ?? [])
    .filter((o) => o.output_type === 'stream')
    .map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? '')))
    .join('');
}
