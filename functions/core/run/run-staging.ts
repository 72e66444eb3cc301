import type { NotebookRecord, Scope } from '../notebook.ts';
import type { Services } from '../ports.ts';
import type { KernelRef } from './kernel.ts';
import type { RunDataset, RunRecord } from './run.ts';

/**
 * What a run hands its kernel, and where the SDK (kernel-sdk/cellwise) looks for it: paths
 * relative to the kernel's working directory. The kernel never gets credentials: only the
 * staged file (with a short-lived download URL of one object) and what it publishes in the
 * outbox, which Finalize collects.
 */
export const RUN_FILE = '.cellwise/run.json';
export const OUTBOX_DIR = '.cellwise/outbox';

/** Longest lifetime of the staged dataset URL (the run's timeout, plus a margin, below that). */
export const MAX_DATASET_URL_SECONDS = 6 * 3600;
const URL_MARGIN_SECONDS = 300;

/** The `integration.outputFormat` that turns a published frame into a dataset version. */
export const ENRICHED_DATAFRAME = 'enriched_dataframe';

/**
 * The dataset version a new run reads, fixed at submission: the `dataset_id` parameter when it
 * is a string, else the notebook's `integration.datasetBinding`, at its current version. Null
 * when neither names one or the named dataset does not exist in the project (the run still
 * runs; the SDK says no dataset is available).
 */
export async function resolveRunDataset(
  services: Services,
  scope: Scope,
  notebook: NotebookRecord,
  parameters: Record<string, unknown>,
): Promise<RunDataset | null> {
  const named = parameters.dataset_id;
  const datasetId = typeof named === 'string' && named !== '' ? named : notebook.integration.datasetBinding;
  if (!datasetId) return null;
  const record = await services.datasets.get(scope, datasetId);
  if (!record) return null;
  const { enrichmentMode, outputFormat } = notebook.integration;
  return {
    datasetId,
    version: record.currentVersion,
    enrich: enrichmentMode && outputFormat === ENRICHED_DATAFRAME,
  };
}

/** The content of `RUN_FILE`: identifiers, column roles and one presigned GET URL, nothing secret. */
export async function runFileOf(services: Services, run: RunRecord): Promise<string | null> {
  if (!run.dataset) return null;
  const { datasetId, version } = run.dataset;
  const [record, stored] = await Promise.all([
    services.datasets.get(run, datasetId),
    services.datasets.getVersion(run, datasetId, version),
  ]);
  if (!record || !stored) return null;
  const expiresSeconds = Math.min(run.timeoutSeconds + URL_MARGIN_SECONDS, MAX_DATASET_URL_SECONDS);
  const url = await services.files.downloadUrl(stored.objectKey, {
    fileName: `${datasetId}-v${version}.csv`,
    contentType: 'text/csv',
    expiresSeconds,
  });
  return JSON.stringify(
    {
      executionId: run.executionId,
      dataset: {
        datasetId,
        version,
        name: record.name,
        caseIdColumn: record.caseIdColumn,
        activityColumn: record.activityColumn,
        timestampColumn: record.timestampColumn,
        columns: stored.columns.map((c) => c.name),
        recordCount: stored.recordCount,
        format: 'csv',
        url,
        urlExpiresAt: new Date(services.now().getTime() + expiresSeconds * 1000).toISOString(),
      },
      enrichment: run.dataset.enrich,
    },
    null,
    2,
  );
}

/** Writes the run's staged file into its kernel's working directory (nothing for a run without a dataset). */
export async function stageRun(services: Services, run: RunRecord, kernel: KernelRef): Promise<void> {
  const content = await runFileOf(services, run);
  if (content !== null) await services.kernelHost.putFile(kernel, RUN_FILE, content);
}
