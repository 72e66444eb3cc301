import type { CellwiseClient } from '../cellwise-client.ts';

const FINAL = new Set(['Completed', 'Error', 'Cancelled']);

/** `get_dataset` in a run's kernel, next to `pandas.read_csv` of the same file in that kernel. */
export interface KernelReadReport {
  executionId: string;
  getDataset: { seconds: number; rows: number; peakRssBytes: number };
  readCsv: { seconds: number; rows: number; peakRssBytes: number };
  ratio: number;
}

function notebook(csvPath: string) {
  const cell = (id: string, source: string) => ({
    id,
    cell_type: 'code',
    metadata: {},
    source,
    execution_count: null,
    outputs: [],
  });
  // Each read in a fresh child process of the kernel would hide the SDK's real cost; both
  // run in the kernel itself, get_dataset first (it downloads the version, then parses it).
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
    cells: [
      cell(
        'sdk',
        [
          'import gc, json, resource, time',
          'import pandas as pd',
          'from mindzie_sdk import ProcessMiningClient',
          't = time.perf_counter()',
          'df = ProcessMiningClient().get_dataset()',
          'seconds = time.perf_counter() - t',
          "print('GET_DATASET ' + json.dumps({'seconds': seconds, 'rows': len(df), 'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))",
          'del df',
          'gc.collect()',
        ].join('\n'),
      ),
      cell(
        'pandas',
        [
          't = time.perf_counter()',
          `ref = pd.read_csv(${JSON.stringify(csvPath)}, parse_dates=['timestamp'])`,
          "ref['timestamp'] = pd.to_datetime(ref['timestamp'], utc=True)",
          'seconds = time.perf_counter() - t',
          "print('READ_CSV ' + json.dumps({'seconds': seconds, 'rows': len(ref), 'peak': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))",
        ].join('\n'),
      ),
    ],
  };
}

/**
 * The kernel half of the datasets benchmark: a notebook bound to the uploaded dataset runs
 * `ProcessMiningClient().get_dataset()` (download by presigned URL, parse, timestamps as
 * UTC datetimes), then `pandas.read_csv` of the original file with the same date parsing, in
 * the same kernel of the same run. The peak RSS is the kernel's, cumulative (the second
 * figure includes the first read's peak).
 */
export async function kernelRead(
  client: CellwiseClient,
  datasetId: string,
  csvPath: string,
  log: (message: string) => void,
): Promise<KernelReadReport> {
  const form = new FormData();
  form.append('notebookName', `bench get_dataset ${Date.now()}`);
  form.append('datasetBinding', datasetId);
  form.append(
    'file',
    new Blob([JSON.stringify(notebook(csvPath))], { type: 'application/json' }),
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
  const figure = (tag: string) => {
    const match = new RegExp(`${tag} (\\{[^}]*\\})`).exec(results.replaceAll('\\"', '"'));
    if (!match) throw new Error(`no ${tag} line in the run's output`);
    const value = JSON.parse(match[1]!) as { seconds: number; rows: number; peak: number };
    return { seconds: value.seconds, rows: value.rows, peakRssBytes: value.peak };
  };
  const getDataset = figure('GET_DATASET');
  const readCsv = figure('READ_CSV');
  log(`kernel: get_dataset ${getDataset.seconds.toFixed(2)} s, read_csv ${readCsv.seconds.toFixed(2)} s`);
  return { executionId: run.executionId, getDataset, readCsv, ratio: getDataset.seconds / readCsv.seconds };
}
