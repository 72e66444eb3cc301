import { runKeys } from '../content-keys.ts';
import type { NbOutput } from '../nbformat/types.ts';
import type { Services } from '../ports.ts';
import { type CellOutputRecord, outputsWithUpdates } from '../run/cell-outputs.ts';
import { type CellResult, type OutputSummary, summarizeOutput } from '../run/cell-result.ts';
import type { RunRecord } from '../run/run.ts';

/**
 * The cells (plan positions) whose outputs a later cell's display update changed, each with
 * the positions of the cells that updated them. Their result rows summarise the outputs as
 * the cell left them; the executed notebook (nbclient's) has the updates applied.
 */
export function updatedByLater(results: CellResult[]): Map<number, number[]> {
  const updaters = new Map<string, number[]>();
  for (const r of results) {
    for (const id of r.displayUpdates ?? []) updaters.set(id, [...(updaters.get(id) ?? []), r.position]);
  }
  const touched = new Map<number, number[]>();
  if (updaters.size === 0) return touched;
  for (const r of results) {
    const later = new Set(
      (r.displayIds ?? []).flatMap((id) => (updaters.get(id) ?? []).filter((p) => p > r.position)),
    );
    if (later.size > 0) touched.set(r.position, [...later]);
  }
  return touched;
}

/**
 * The stored outputs of each listed cell, by plan position, as the executed notebook has
 * them: the executed notebook once the run is final, else each cell's record with the
 * display updates of later cells applied (`all`: every result of the run, for those).
 */
export async function loadOutputs(
  services: Services,
  run: RunRecord,
  results: CellResult[],
  all: CellResult[] = results,
): Promise<Map<number, NbOutput[]>> {
  const byPosition = new Map<number, NbOutput[]>();
  if (results.length === 0) return byPosition;
  if (run.finalized && run.startTime) {
    const executed = await services.contents.get(runKeys(run, run.notebookId, run.executionId).executed);
    for (const r of results)
      byPosition.set(r.position, executed.cells[run.plan![r.position]!.index]?.outputs ?? []);
    return byPosition;
  }
  const touched = updatedByLater(all);
  const needed = new Set(results.flatMap((r) => [r.position, ...(touched.get(r.position) ?? [])]));
  const records = new Map<number, CellOutputRecord>();
  await Promise.all(
    all
      .filter((r) => r.outputsKey && needed.has(r.position))
      .map(async (r) => {
        records.set(r.position, JSON.parse(await services.files.getText(r.outputsKey!)));
      }),
  );
  const outputs = outputsWithUpdates(records);
  for (const r of results) {
    const list = outputs.get(r.position);
    if (list) byPosition.set(r.position, list);
  }
  return byPosition;
}

/**
 * Every stored output's summary, cell by cell. A cell row summarises its first outputs only
 * (it stays small), as the cell left them; the others, and those of cells a later display
 * update changed, are summarised from the stored outputs, read for those cells.
 */
export async function allSummaries(
  services: Services,
  run: RunRecord,
  results: CellResult[],
  all: CellResult[] = results,
): Promise<Map<number, OutputSummary[]>> {
  const summaries = new Map(results.map((r) => [r.position, r.outputs]));
  const touched = updatedByLater(all);
  const more = results.filter((r) => r.moreOutputs > 0 || touched.has(r.position));
  const stored = await loadOutputs(services, run, more, all);
  for (const r of more) {
    const outputs = stored.get(r.position);
    if (outputs) summaries.set(r.position, outputs.map(summarizeOutput));
  }
  return summaries;
}
