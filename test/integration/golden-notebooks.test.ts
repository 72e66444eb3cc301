import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { client, newTenant } from '../support/api.ts';
import { normalizeNotebook } from '../support/normalize-notebook.ts';
import { execute, upload, waitForRun, waitUntil } from '../support/runs.ts';

/**
 * The golden notebooks (test/golden): each is run through the API and its executed notebook
 * is compared with what nbclient wrote for the same notebook (`expected/`, regenerated with
 * `/usr/bin/python3 test/golden/regenerate.py`), after normalising volatile fields.
 */
const GOLDEN = path.resolve(fileURLToPath(new URL('../golden', import.meta.url)));
const cases: Record<string, GoldenCase> = JSON.parse(readFileSync(path.join(GOLDEN, 'cases.json'), 'utf8'));
const read = (dir: string, name: string) =>
  JSON.parse(readFileSync(path.join(GOLDEN, dir, `${name}.ipynb`), 'utf8'));

interface GoldenCase {
  status: string;
  errorType?: string;
  errorCell?: string;
  /** The cells that failed (a run with `allowErrors` ends Completed with them listed). */
  failedCells?: string[];
  execute?: object;
  cancelWhileRunning?: string;
  timeoutSeconds?: number;
}

let api: ReturnType<typeof client>;

beforeAll(async () => {
  api = client(await newTenant());
});

describe('golden notebooks (executed notebook = nbclient’s, after normalising)', () => {
  it.concurrent.each(Object.entries(cases))(
    '%s',
    async (name, golden) => {
      const timeoutMs = (golden.timeoutSeconds ?? 60) * 1000;
      const notebookId = await upload(api, read('notebooks', name), `golden ${name}`);
      const run = await execute(api, notebookId, golden.execute ?? {});
      if (golden.cancelWhileRunning) {
        await waitUntil(api, notebookId, run.executionId, (s) => s.currentCell === golden.cancelWhileRunning);
        await new Promise((r) => setTimeout(r, 1000));
        expect((await api.post(`/notebook/${notebookId}/execution/${run.executionId}/cancel`)).status).toBe(
          202,
        );
      }
      const status = await waitForRun(api, notebookId, run.executionId, timeoutMs);
      expect(status.status).toBe(golden.status);
      if (golden.errorType)
        expect(status.error).toMatchObject({ errorType: golden.errorType, cellId: golden.errorCell });
      if (golden.failedCells) {
        expect(status.error).toBeNull();
        expect(status.progress.failedCells).toBe(golden.failedCells.length);
        const failed = status.cellResults.filter((c: { status: string }) => c.status === 'Error');
        expect(failed.map((c: { cellId: string }) => c.cellId)).toEqual(golden.failedCells);
        expect(failed.every((c: { errorType: string | null }) => c.errorType)).toBe(true);
      }
      const results = (
        await api.get(`/notebook/${notebookId}/execution/${run.executionId}/results?format=download`)
      ).body;
      const executed = await fetch(results.executedNotebook.downloadUrl).then((r) => r.json());
      expect(normalizeNotebook(executed)).toEqual(normalizeNotebook(read('expected', name)));
    },
    240_000,
  );
});
