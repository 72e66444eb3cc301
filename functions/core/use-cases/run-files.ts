import { runKeys } from '../content-keys.ts';
import { serializeDocument } from '../nbformat/document.ts';
import type { NbDocument } from '../nbformat/types.ts';
import type { Services } from '../ports.ts';
import { assembleOutputs, type CellOutputRecord } from '../run/cell-outputs.ts';
import type { CellResult } from '../run/cell-result.ts';
import { extensionOf, outputBody, primaryMimeType } from '../run/output-files.ts';
import { noLoss } from '../run/output-limits.ts';
import type { RunRecord, UnwrittenFile } from '../run/run.ts';
import { runDocument } from './run-document.ts';

/** How many objects Finalize reads or writes at once. */
const CONCURRENCY = 16;
/** Unwritten files recorded on the run (with their reasons); more are only logged. */
const MAX_UNWRITTEN = 100;

async function inBatches<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
}

/**
 * The executed notebook as nbclient would write it: the prepared input with every ended
 * cell's stored outputs (display updates applied across cells), execution counts and timings.
 */
export async function assembleExecuted(
  services: Services,
  run: RunRecord,
  results: CellResult[],
): Promise<NbDocument> {
  const records = new Map<number, CellOutputRecord>();
  const indexOf = new Map(run.plan!.map((p, position) => [position, p.index]));
  await inBatches(
    results.filter((r) => r.outputsKey),
    async (r) => {
      records.set(indexOf.get(r.position)!, JSON.parse(await services.files.getText(r.outputsKey!)));
    },
  );
  for (const r of results) {
    const index = indexOf.get(r.position)!;
    if (!records.has(index) && r.status !== 'Skipped') {
      records.set(index, {
        outputs: [],
        displayIds: [],
        updates: [],
        executionCount: r.executionCount,
        timing: {},
        loss: noLoss(),
      });
    }
  }
  const executed: NbDocument = await runDocument(services, run);
  assembleOutputs(executed.cells, records);
  return executed;
}

/**
 * Writes the executed notebook, one download file per output and, when asked, the report;
 * returns what it stored. The notebook is what must not be lost: an output whose download
 * file cannot be written is skipped and named (`unwritten`: the output stays in the notebook
 * and the results say why it has no download), and a report that cannot be rendered becomes
 * a page saying so. Only a failure to store the notebook itself fails (and is retried).
 */
export async function writeRunFiles(services: Services, run: RunRecord, results: CellResult[]) {
  const keys = runKeys(run, run.notebookId, run.executionId);
  const indexOf = new Map(run.plan!.map((p, position) => [position, p.index]));
  const executed = await assembleExecuted(services, run, results);
  let bytes = await services.files.put(
    keys.executed,
    serializeDocument(executed),
    'application/x-ipynb+json',
  );
  const files = results.flatMap((r) =>
    (executed.cells[indexOf.get(r.position)!]!.outputs ?? []).map((output, n) => ({ r, output, n })),
  );
  const unwritten: UnwrittenFile[] = [];
  await inBatches(files, async ({ r, output, n }) => {
    try {
      const mime = primaryMimeType(output);
      bytes += await services.files.put(
        keys.file(r.position, n, extensionOf(mime)),
        outputBody(output, mime),
        mime,
      );
    } catch (error) {
      const reason = `the download file could not be written: ${(error as Error).message}`;
      if (unwritten.length < MAX_UNWRITTEN) unwritten.push({ position: r.position, outputIndex: n, reason });
      console.warn(`Cellwise: run ${run.executionId}, cell ${r.cellId} output ${n}: ${reason}`);
    }
  });
  if (run.outputOptions.generateReport) {
    const html = await services.kernelHost.reports.renderHtml(executed).catch((error: Error) => {
      const message = error.message.replace(/[<>&]/g, '');
      return `<!doctype html><title>Report unavailable</title><p>The report could not be rendered: ${message}</p>`;
    });
    bytes += await services.files.put(keys.report, html, 'text/html; charset=utf-8');
  }
  return { executed, bytes, unwritten };
}
