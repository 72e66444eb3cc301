import { runKeys } from '../content-keys.ts';
import { NotFoundError } from '../errors.ts';
import { joinSource, type NbOutput } from '../nbformat/types.ts';
import type { Actor, Services } from '../ports.ts';
import type { OutputSummary } from '../run/cell-result.ts';
import { droppedView } from '../run/dropped-view.ts';
import {
  extensionOf,
  outputBody,
  pngDimensions,
  preferredMime,
  primaryMimeType,
} from '../run/output-files.ts';
import type { RunRecord } from '../run/run.ts';
import { requireRun } from './run-history.ts';
import { allSummaries, loadOutputs } from './stored-outputs.ts';

export interface ResultsQuery {
  outputType: 'all' | 'data' | 'plots' | 'models' | 'reports';
  format: 'summary' | 'detailed' | 'download';
  cellId?: string;
  /** Outputs are listed a page at a time (the whole list can be tens of thousands). */
  page: number;
  pageSize: number;
}

/**
 * Content inlined in one `format=detailed` answer, all outputs together: the rest of the page
 * comes with `truncated: true` and its download URL (an answer must fit Lambda's 6 MB).
 */
const INLINE_BUDGET_BYTES = 3 * 1024 * 1024;

// The same choice Finalize named the output's file by.
const mainMime = (s: OutputSummary) => preferredMime(s.mimeTypes);
const isPlot = (mime: string) => mime.startsWith('image/');

type UrlOf = (key: string, fileName: string, contentType: string) => Promise<string | null>;

/** The frames and models the run published (SDK), by `outputType` (`data`: frames, `models`: models). */
async function publishedOf(run: RunRecord, query: ResultsQuery, url: UrlOf) {
  const published = run.published ?? { frames: [], models: [], skipped: [] };
  const frames = query.outputType === 'all' || query.outputType === 'data' ? published.frames : [];
  const models = query.outputType === 'all' || query.outputType === 'models' ? published.models : [];
  return {
    skipped: published.skipped ?? [],
    enrichedDatasets: await Promise.all(
      frames.map(async (f) => ({
        name: f.name,
        recordCount: f.recordCount,
        newColumns: f.newColumns,
        format: 'pandas_dataframe',
        fileFormat: 'csv',
        datasetId: f.datasetId,
        version: f.version,
        ...(f.enrichmentError ? { enrichmentError: f.enrichmentError } : {}),
        downloadUrl: await url(f.objectKey, `${f.name}.csv`, 'text/csv'),
      })),
    ),
    models: await Promise.all(
      models.map(async (m) => ({
        ...m.metrics,
        name: m.name,
        modelType: m.modelType,
        metrics: m.metrics,
        features: m.features,
        downloadUrl: await url(m.objectKey, `${m.name}.pkl`, 'application/octet-stream'),
      })),
    ),
  };
}

/** An output's content for `format=detailed`: text as text, JSON as JSON, images as base64. */
function inlineContent(output: NbOutput, mime: string, limit: number, bytes: number) {
  if (bytes > limit) return { content: null, truncated: true };
  if (output.output_type === 'stream' || output.output_type === 'error') {
    return { content: String(outputBody(output)), truncated: false };
  }
  const value = ((output.data ?? {}) as Record<string, unknown>)[mime];
  if (mime === 'application/json') return { content: value, truncated: false };
  return {
    content: typeof value === 'string' || Array.isArray(value) ? joinSource(value) : value,
    truncated: false,
  };
}

/**
 * The outputs of a run (route 14), filtered by `outputType` and `cellId`: `summary` gives
 * each output's type, size and counts; `download` adds a working download URL per output;
 * `detailed` also inlines content up to a size. With the executed notebook and, when
 * requested, the HTML report. Download URLs exist once the run has ended.
 */
export async function getExecutionResults(
  services: Services,
  actor: Actor,
  notebookId: string,
  executionId: string,
  query: ResultsQuery,
) {
  const pointer = { tenantId: actor.tenantId, projectId: actor.projectId, notebookId, executionId };
  const run = await requireRun(services, pointer);
  const all = await services.runs.listCellResults(pointer);
  let results = all;
  if (query.cellId !== undefined) {
    if (!run.plan?.some((p) => p.cellId === query.cellId)) {
      throw new NotFoundError('Cell', { CellId: query.cellId, ExecutionId: executionId });
    }
    results = results.filter((r) => r.cellId === query.cellId);
  }
  const keys = runKeys(run, notebookId, executionId);
  const files = run.finalized && run.startTime !== null;
  const expiresSeconds = services.runSettings.downloadUrlSeconds;
  const url = (key: string, fileName: string, contentType: string) =>
    files
      ? services.files.downloadUrl(key, { fileName, contentType, expiresSeconds })
      : Promise.resolve(null);
  const wanted = (mime: string) =>
    query.outputType === 'all' ||
    (query.outputType === 'plots' ? isPlot(mime) : query.outputType === 'data' && !isPlot(mime));
  const summaries = await allSummaries(services, run, results, all);
  const listed = results.flatMap((r) =>
    (summaries.get(r.position) ?? [])
      .map((summary, n) => ({ r, summary, n, mime: mainMime(summary) }))
      .filter((o) => wanted(o.mime)),
  );
  const first = (query.page - 1) * query.pageSize;
  const page = listed.slice(first, first + query.pageSize);
  const stored =
    query.format === 'detailed'
      ? await loadOutputs(services, run, [...new Set(page.map((o) => o.r))], all)
      : null;
  const limit = services.runSettings.inlineOutputBytes;
  let inlineLeft = INLINE_BUDGET_BYTES;
  const unwritten = new Map(
    (run.unwrittenFiles ?? []).map((u) => [`${u.position}-${u.outputIndex}`, u.reason]),
  );
  const outputs = await Promise.all(
    page.map(async ({ r, summary, n, mime }) => {
      const entry: Record<string, unknown> = {
        cellId: r.cellId,
        outputIndex: n,
        outputType: summary.outputType,
        contentType: mime,
        mimeTypes: summary.mimeTypes,
        bytes: summary.bytes,
        ...(summary.name ? { name: summary.name } : {}),
        ...(summary.dataFrame ? { dataFrame: true } : {}),
      };
      const output = stored?.get(r.position)?.[n];
      if (output) {
        const exact = primaryMimeType(output);
        const inline = inlineContent(output, exact, Math.min(limit, inlineLeft), summary.bytes);
        if (!inline.truncated) inlineLeft -= summary.bytes;
        Object.assign(entry, inline);
        if (exact === 'image/png') {
          const dimensions = pngDimensions(outputBody(output, exact) as Uint8Array);
          if (dimensions) entry.dimensions = dimensions;
        }
      }
      if (query.format !== 'summary') {
        const extension = extensionOf(mime);
        const missing = unwritten.get(`${r.position}-${n}`);
        entry.downloadUrl = missing
          ? null
          : await url(keys.file(r.position, n, extension), `${r.cellId}-${n}.${extension}`, mime);
        if (missing) entry.downloadError = missing;
      }
      return entry;
    }),
  );
  const showReports =
    (query.outputType === 'all' || query.outputType === 'reports') && run.outputOptions.generateReport;
  const reportUrl = showReports ? await url(keys.report, `${executionId}-report.html`, 'text/html') : null;
  return {
    executionId,
    notebookId,
    status: run.status,
    format: query.format,
    outputType: query.outputType,
    page: query.page,
    pageSize: query.pageSize,
    hasNextPage: first + query.pageSize < listed.length,
    dropped: droppedView(results),
    counts: {
      outputs: listed.length,
      streams: listed.filter((o) => o.summary.outputType === 'stream').length,
      errors: listed.filter((o) => o.summary.outputType === 'error').length,
      plots: listed.filter((o) => isPlot(o.mime)).length,
      dataFrames: listed.filter((o) => o.summary.dataFrame).length,
    },
    outputs: query.outputType === 'models' || query.outputType === 'reports' ? [] : outputs,
    ...(await publishedOf(run, query, url)),
    reports: reportUrl ? [{ name: 'Execution report', format: 'html', downloadUrl: reportUrl }] : [],
    executedNotebook: files
      ? {
          format: 'ipynb',
          downloadUrl: await url(keys.executed, `${executionId}.ipynb`, 'application/x-ipynb+json'),
        }
      : null,
  };
}
