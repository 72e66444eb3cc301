import { DomainError, StateConflictError } from '../errors.ts';
import type { NotebookRecord, Scope } from '../notebook.ts';
import type { Services } from '../ports.ts';
import { executeNotebook } from './execute-notebook.ts';

/** The principal runs started by a new dataset version are created by. */
export const DATASET_PRINCIPAL = 'system:dataset';

const PAGE_SIZE = 100;

/** What a new version did to one bound notebook. */
export type DatasetTriggerOutcome =
  | { notebookId: string; outcome: 'started'; executionId: string }
  | { notebookId: string; outcome: 'skipped' | 'failed'; reason: string };

/** Whether a new version of `datasetId` starts a run of the notebook: bound, auto-executed, no cron. */
export function runsOnNewVersion(notebook: NotebookRecord, datasetId: string): boolean {
  const { datasetBinding, autoExecution, scheduleExecution } = notebook.integration;
  return datasetBinding === datasetId && autoExecution && !scheduleExecution;
}

/**
 * Called after a version was added to a dataset. A version a user uploaded starts a run
 * (`trigger: "dataset"`, all cells, default options) of each notebook of the project bound
 * to the dataset with `autoExecution` on and no `scheduleExecution` (a cron means the
 * schedule decides when it runs). A version written by enrichment starts nothing (a notebook
 * enriching its own dataset would otherwise run forever). A notebook busy with another run is
 * skipped, not queued. Never throws for one notebook: returns what happened to each.
 */
export async function onDatasetVersionAdded(
  services: Services,
  scope: Scope,
  datasetId: string,
  version: number,
): Promise<DatasetTriggerOutcome[]> {
  const added = await services.datasets.getVersion(scope, datasetId, version);
  if (added?.source !== 'upload') return [];
  const bound: NotebookRecord[] = [];
  for (let page = 1; ; page++) {
    const { items, totalCount } = await services.notebooks.list(scope, {}, page, PAGE_SIZE);
    bound.push(...items.filter((n) => runsOnNewVersion(n, datasetId)));
    if (items.length === 0 || page * PAGE_SIZE >= totalCount) break;
  }
  const actor = { ...scope, principalId: DATASET_PRINCIPAL };
  return Promise.all(
    bound.map(async (notebook): Promise<DatasetTriggerOutcome> => {
      const { notebookId } = notebook;
      try {
        const run = await executeNotebook(services, actor, notebookId, {
          executionMode: 'all',
          cellRange: null,
          parameters: {},
          outputOptions: { captureOutputs: true, saveIntermediateResults: true, generateReport: false },
          timeoutSeconds: 3600,
          cellTimeoutSeconds: null,
          priority: 'Normal',
          idempotencyToken: null,
          trigger: 'dataset',
        });
        return { notebookId, outcome: 'started', executionId: run.executionId };
      } catch (error) {
        if (error instanceof StateConflictError && error.code === 'NotebookRunning') {
          return { notebookId, outcome: 'skipped', reason: 'NotebookRunning' };
        }
        const reason = error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
        return { notebookId, outcome: 'failed', reason };
      }
    }),
  );
}
