import { runKeys } from '../content-keys.ts';
import type { NbOutput } from '../nbformat/types.ts';
import type { Services } from '../ports.ts';
import type { CellOutputRecord } from '../run/cell-outputs.ts';
import { type CellResult, type OutputSummary, summarizeOutput } from '../run/cell-result.ts';
import type { RunRecord } from '../run/run.ts';

/**
 * The stored outputs of each listed cell, by plan position: the executed notebook once the
 * run is final, else each cell's record.
 */
export async function loadOutputs(
  services: Services,
  run: RunRecord,
  results: CellResult[],
): Promise<Map<number, NbOutput[]>> {
  const byPosition = new Map<number, NbOutput[]>();
  if (results.length === 0) return byPosition;
  if (run.finalized && run.startTime) {
    const executed = await services.contents.get(runKeys(run, run.notebookId, run.executionId).executed);
    for (const r of results)
      byPosition.set(r.position, executed.cells[run.plan![r.position]!.index]?.outputs ?? []);
    return byPosition;
  }
  await Promise.all(
    results
      .filter((r) => r.outputsKey)
      .map(async (r) => {
        const record = JSON.parse(await services.files.getText(r.outputsKey!)) as CellOutputRecord;
        byPosition.set(r.position, record.outputs);
      }),
  );
  return byPosition;
}

/**
 * Every stored output's summary, cell by cell. A cell row summarises its first outputs only
 * (it stays small); the others are summarised from the stored outputs, read for those cells.
 */
export async function allSummaries(
  services: Services,
  run: RunRecord,
  results: CellResult[],
): Promise<Map<number, OutputSummary[]>> {
  const summaries = new Map(results.map((r) => [r.position, r.outputs]));
  const more = results.filter((r) => r.moreOutputs > 0);
  const stored = await loadOutputs(services, run, more);
  for (const r of more) {
    const outputs = stored.get(r.position);
    if (outputs) summaries.set(r.position, outputs.map(summarizeOutput));
  }
  return summaries;
}
