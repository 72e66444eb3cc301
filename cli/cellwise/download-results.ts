/**
 * `results --out DIR`: writes what a run produced: the executed notebook (`executed.ipynb`), the
 * HTML report (`report.html`), every cell output (`outputs/<cell>-<n>.<ext>`), enriched datasets
 * (`enriched/`), models (`models/`), and the run's status and results listing as JSON.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CellwiseClient } from './api-client.ts';
import { ConnectionError } from './errors.ts';
import { prettyJson } from './output.ts';
import type { RunRef } from './watch-run.ts';

export interface WrittenFile {
  kind: 'notebook' | 'report' | 'output' | 'enriched' | 'model' | 'status' | 'results';
  path: string;
  bytes: number;
}

const EXTENSIONS: Record<string, string> = {
  'text/plain': 'txt',
  'text/html': 'html',
  'text/csv': 'csv',
  'application/json': 'json',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/svg+xml': 'svg',
  'application/vnd.apache.parquet': 'parquet',
};

/** The file name a download URL asks for (`response-content-disposition`), if any. */
function suggestedName(url: string, response: Response): string | undefined {
  const disposition =
    response.headers.get('content-disposition') ??
    new URL(url).searchParams.get('response-content-disposition') ??
    '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return match ? basename(decodeURIComponent(match[1]!)) : undefined;
}

async function fetchBytes(url: string): Promise<{ bytes: Uint8Array; response: Response }> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ConnectionError(`cannot download ${new URL(url).origin}: ${(error as Error).message}`);
  }
  if (!response.ok) throw new ConnectionError(`download failed: ${response.status} ${new URL(url).pathname}`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), response };
}

/** Downloads the run's files into `dir` (created if missing); the run must have ended. */
export async function downloadResults(
  client: CellwiseClient,
  ref: RunRef,
  dir: string,
): Promise<WrittenFile[]> {
  const status = await client.getExecution(ref.notebookId, ref.executionId);
  const results = await client.results(ref.notebookId, ref.executionId, 'download');
  // A run with more outputs than one page lists: the later pages' outputs too.
  for (let page = 2, more = results.body.hasNextPage; more; page++) {
    const next = await client.results(ref.notebookId, ref.executionId, 'download', page);
    results.body.outputs.push(...next.body.outputs);
    more = next.body.hasNextPage;
  }
  await mkdir(dir, { recursive: true });
  const written: WrittenFile[] = [];
  const save = async (kind: WrittenFile['kind'], path: string, data: Uint8Array | string) => {
    const full = join(dir, path);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, data);
    written.push({
      kind,
      path: full,
      bytes: typeof data === 'string' ? Buffer.byteLength(data) : data.length,
    });
  };
  const body = results.body;
  if (body.executedNotebook?.downloadUrl) {
    await save('notebook', 'executed.ipynb', (await fetchBytes(body.executedNotebook.downloadUrl)).bytes);
  }
  for (const [i, report] of body.reports.entries()) {
    if (!report.downloadUrl) continue;
    await save(
      'report',
      i === 0 ? 'report.html' : `report-${i + 1}.html`,
      (await fetchBytes(report.downloadUrl)).bytes,
    );
  }
  for (const output of body.outputs) {
    if (!output.downloadUrl) continue;
    const { bytes, response } = await fetchBytes(output.downloadUrl);
    const name =
      suggestedName(output.downloadUrl, response) ??
      `${output.cellId}-${output.outputIndex}.${EXTENSIONS[output.contentType] ?? 'bin'}`;
    await save('output', join('outputs', name), bytes);
  }
  for (const [kind, folder, items] of [
    ['enriched', 'enriched', body.enrichedDatasets],
    ['model', 'models', body.models],
  ] as const) {
    for (const item of items) {
      if (!item.downloadUrl) continue;
      const { bytes, response } = await fetchBytes(item.downloadUrl);
      await save(kind, join(folder, suggestedName(item.downloadUrl, response) ?? basename(item.name)), bytes);
    }
  }
  await save('status', 'status.json', `${prettyJson(status.text)}\n`);
  // One page: the answer as sent (numbers exact); several: their outputs in one listing.
  const listing = results.body.hasNextPage
    ? JSON.stringify({ ...results.body, hasNextPage: false }, null, 2)
    : prettyJson(results.text);
  await save('results', 'results.json', `${listing}\n`);
  return written;
}
