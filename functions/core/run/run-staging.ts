import type { NotebookRecord, Scope } from '../notebook.ts';
import type { Services } from '../ports.ts';
import type { KernelRef } from './kernel.ts';
import type { RunDataset, RunRecord } from './run.ts';

/**
 * What a run hands its kernel, and where the SDK (kernel-sdk/cellwise) looks for it: paths
 * relative to the kernel's working directory. The kernel never gets credentials or links:
 * only the staged files (the run file and its dataset version, downloaded by the kernel host)
 * and what it publishes in the outbox, which Finalize collects.
 */
export const RUN_FILE = '.cellwise/run.json';
export const OUTBOX_DIR = '.cellwise/outbox';

/** Lifetime of the link the kernel host downloads the dataset version with (at once). */
const STAGING_URL_SECONDS = 900;

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

/** Where the run's dataset version is staged in the kernel's working directory. */
export function datasetFileOf(dataset: RunDataset): string {
  return `.cellwise/datasets/${dataset.datasetId}-v${dataset.version}.csv`;
}

/**
 * Stages the run's files in its kernel's working directory: the dataset version (the kernel
 * host downloads it with a link of that one object, which the kernel never sees), then the
 * run file naming it, with identifiers and column roles, nothing secret. Nothing for a run
 * without a dataset. Idempotent: a resume in a kept kernel stages its own over the ended
 * run's. The kernel host writes as the kernel's user and never through a link: a kept kernel
 * that replaced `.cellwise/` or its files by links to elsewhere gets them replaced, not followed.
 */
export async function stageRun(services: Services, run: RunRecord, kernel: KernelRef): Promise<void> {
  if (!run.dataset) return;
  const { datasetId, version } = run.dataset;
  const [record, stored] = await Promise.all([
    services.datasets.get(run, datasetId),
    services.datasets.getVersion(run, datasetId, version),
  ]);
  if (!record || !stored) return;
  const file = datasetFileOf(run.dataset);
  const url = await services.files.downloadUrl(stored.objectKey, {
    fileName: `${datasetId}-v${version}.csv`,
    contentType: 'text/csv',
    expiresSeconds: STAGING_URL_SECONDS,
  });
  await services.kernelHost.files.fetch(kernel, file, url, stored.bytes);
  const content = {
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
      file,
    },
    enrichment: run.dataset.enrich,
  };
  await services.kernelHost.files.put(kernel, RUN_FILE, JSON.stringify(content, null, 2));
}
