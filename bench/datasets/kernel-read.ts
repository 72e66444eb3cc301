import { createWriteStream } from 'node:fs';
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import type { CellwiseClient } from '../cellwise-client.ts';

const FINAL = new Set(['Completed', 'Error', 'Cancelled']);

interface Read {
  seconds: number;
  rows: number;
  peakRssBytes: number;
}

/** `get_dataset` in a run's kernel, next to `pandas.read_csv` of the same data in that kernel. */
export interface KernelReadReport {
  executionId: string;
  getDataset: Read;
  /** The uploaded file as the user has it (its `+00:00` offsets parse slowly). */
  readCsv: Read;
  /** The stored version get_dataset downloads, from a local file, parsed the same way. */
  readNormalised: Read;
  /** get_dataset / read_csv of the uploaded file. */
  ratio: number;
  /** get_dataset / read_csv of the stored version: what the SDK itself costs (checks, cache). */
  ratioNormalised: number;
  /** POST execute → the first cell running: the kernel host stages the version before it. */
  firstCellSeconds: number;
}

function notebook(csvPath: string, normalisedPath: string) {
  const cell = (id: string, source: string) => ({
    id,
    cell_type: 'code',
    metadata: {},
    source,
    execution_count: null,
    outputs: [],
  });
  /** A cell timing `frame = <read>` (and the lines after it), printing `TAG {seconds, rows, peak}`. */
  const timed = (id: string, tag: string, [read, ...after]: string[]) =>
    cell(
      id,
      [
        't = time.perf_counter()',
        `frame = ${read}`,
        ...after,
        'seconds = time.perf_counter() - t',
        `print('${tag} ' + json.dumps({'seconds': seconds, 'rows': len(frame), 'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))`,
        'del frame',
        'gc.collect()',
      ].join('\n'),
    );
  // Each read in a fresh child process of the kernel would hide the SDK's real cost; all
  // run in the kernel itself, get_dataset first (it reads the staged version, then parses it).
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      cell('first', "import json, time\nprint('FIRST_CELL ' + json.dumps({'at': time.time()}))"),
      cell(
        'setup',
        'import gc, json, resource, time\nimport pandas as pd\nfrom mindzie_sdk import ProcessMiningClient',
      ),
      timed('sdk', 'GET_DATASET', ['ProcessMiningClient().get_dataset()']),
      timed('pandas', 'READ_CSV', [
        `pd.read_csv(${JSON.stringify(csvPath)}, parse_dates=['timestamp'])`,
        "frame['timestamp'] = pd.to_datetime(frame['timestamp'], utc=True)",
      ]),
      timed('normalised', 'READ_NORMALISED', [
        `pd.read_csv(${JSON.stringify(normalisedPath)}, dtype={'case_id': str})`,
        "frame['timestamp'] = pd.to_datetime(frame['timestamp'], utc=True)",
      ]),
    ],
  };
}

/**
 * The kernel half of the datasets benchmark: a notebook bound to the uploaded dataset runs
 * `ProcessMiningClient().get_dataset()` (the version the kernel host staged beside the kernel:
 * parse, timestamps as UTC datetimes), then `pandas.read_csv` of the original file with date
 * parsing, then `pandas.read_csv` of the stored version (downloaded here beforehand: the same
 * bytes get_dataset reads, ISO-8601 `Z` timestamps) parsed as the SDK parses it — the fair
 * reference for the SDK's own cost. All in the same kernel of the same run. The peak RSS is
 * the kernel's, cumulative (later figures include earlier peaks). The time from the POST to
 * the first cell covers staging the version (the kernel host downloads it). The kernel runs
 * as a user of its own with its own /tmp, so the reference files are copied into a readable
 * folder under bench/results/ (removed afterwards).
 */
export async function kernelRead(
  client: CellwiseClient,
  datasetId: string,
  uploadedPath: string,
  log: (message: string) => void,
): Promise<KernelReadReport> {
  const shared = await mkdtemp(join(fileURLToPath(new URL('../results/', import.meta.url)), 'kernel-read-'));
  try {
    return await readInKernel(client, datasetId, uploadedPath, shared, log);
  } finally {
    await rm(shared, { recursive: true, force: true });
  }
}

async function readInKernel(
  client: CellwiseClient,
  datasetId: string,
  uploadedPath: string,
  shared: string,
  log: (message: string) => void,
): Promise<KernelReadReport> {
  const csvPath = join(shared, 'events.csv');
  await copyFile(uploadedPath, csvPath);
  const link = await client.expect<{ downloadUrl: string }>(
    200,
    'GET',
    `/dataset/${datasetId}/versions/1/download?redirect=false`,
  );
  const stored = await fetch(link.downloadUrl);
  if (stored.status !== 200 || !stored.body)
    throw new Error(`download of the stored version: ${stored.status}`);
  const normalisedPath = join(shared, 'stored-version.csv');
  await pipeline(Readable.fromWeb(stored.body as ReadableStream), createWriteStream(normalisedPath));
  // Kernels run as users of their own: the reference files must be readable to anyone.
  await chmod(shared, 0o755);
  for (const file of [csvPath, normalisedPath]) await chmod(file, 0o644);
  const form = new FormData();
  form.append('notebookName', `bench get_dataset ${Date.now()}`);
  form.append('datasetBinding', datasetId);
  form.append(
    'file',
    new Blob([JSON.stringify(notebook(csvPath, normalisedPath))], { type: 'application/json' }),
    'read.ipynb',
  );
  const res = await fetch(`${client.info.baseUrl}${client.prefix}/notebook/upload`, {
    method: 'POST',
    headers: client.headers,
    body: form,
  });
  const uploaded = (await res.json()) as { notebookId?: string };
  if (res.status !== 201 || !uploaded.notebookId)
    throw new Error(`upload: ${res.status} ${JSON.stringify(uploaded)}`);
  const notebookId = uploaded.notebookId;
  const posted = Date.now() / 1000;
  const run = await client.expect<{ executionId: string }>(202, 'POST', `/notebook/${notebookId}/execute`, {
    timeout: 1800,
  });
  const path = `/notebook/${notebookId}/execution/${run.executionId}`;
  let status: { status: string; error: unknown };
  for (;;) {
    status = await client.expect(200, 'GET', path);
    if (FINAL.has(status.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  if (status.status !== 'Completed')
    throw new Error(`the read run ended ${status.status}: ${JSON.stringify(status.error)}`);
  const results = JSON.stringify(await client.expect(200, 'GET', `${path}/results?format=detailed`));
  const printed = (tag: string) => {
    const match = new RegExp(`${tag} (\\{[^}]*\\})`).exec(results.replaceAll('\\"', '"'));
    if (!match) throw new Error(`no ${tag} line in the run's output`);
    return JSON.parse(match[1]!);
  };
  const figure = (tag: string) => {
    const value = printed(tag) as { seconds: number; rows: number; peak: number };
    return { seconds: value.seconds, rows: value.rows, peakRssBytes: value.peak };
  };
  const firstCellSeconds = (printed('FIRST_CELL') as { at: number }).at - posted;
  const getDataset = figure('GET_DATASET');
  const readCsv = figure('READ_CSV');
  const readNormalised = figure('READ_NORMALISED');
  log(
    `kernel: get_dataset ${getDataset.seconds.toFixed(2)} s, read_csv ${readCsv.seconds.toFixed(2)} s, ` +
      `read_csv of the stored version ${readNormalised.seconds.toFixed(2)} s; POST → first cell ${firstCellSeconds.toFixed(2)} s`,
  );
  return {
    executionId: run.executionId,
    getDataset,
    readCsv,
    readNormalised,
    ratio: getDataset.seconds / readCsv.seconds,
    ratioNormalised: getDataset.seconds / readNormalised.seconds,
    firstCellSeconds,
  };
}
