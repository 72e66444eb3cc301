import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CellwiseClient } from '../cellwise-client.ts';
import { generateLog } from './generate-log.ts';

const run = promisify(execFile);

export interface DatasetsReport {
  /**
   * The uploaded dataset (left in place): the hook for the kernel half of this benchmark,
   * which binds a notebook to it and times `get_dataset` next to `pandas.read_csv`.
   */
  datasetId: string;
  events: number;
  fileBytes: number;
  cellwise: {
    putSeconds: number;
    ingestSeconds: number;
    totalSeconds: number;
    /** Peak RSS of the stack's API process during the upload (VmHWM after resetting it). */
    apiPeakRssBytes: number;
    apiRssBeforeBytes: number;
    /** Peak RSS of the s3rver child (the S3 stand-in) during the upload, when measurable. */
    s3rverPeakRssBytes: number | null;
    recordCount: number;
    caseCount: number;
    activityCount: number;
    /** The machine's 1-minute load average around the upload. */
    loadAverage: { before: number; after: number };
  };
  /**
   * The same measurement on a log a quarter the size, just before: whether the upload's peak
   * memory grows with the file.
   */
  smaller: { events: number; fileBytes: number; ingestSeconds: number; apiPeakDeltaBytes: number };
  pandas: { version: string; seconds: number; peakRssBytes: number; rssAfterImportBytes: number };
}

async function status(pid: number): Promise<{ hwm: number; rss: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
}

/** Resets the peak RSS (VmHWM) of a process we own: Linux `clear_refs` value 5. */
async function resetPeak(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(/\s+/).filter(Boolean).map(Number);
}

async function s3rverPid(stackPid: number): Promise<number | undefined> {
  for (const pid of await childPids(stackPid)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes('s3rver-process')) return pid;
  }
  return undefined;
}

/** PUTs a file to a presigned URL, streamed from disk with its Content-Length. */
function putFile(url: string, path: string, bytes: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'PUT', headers: { ...headers, 'content-length': String(bytes) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    createReadStream(path).pipe(req);
  });
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

/**
 * One upload through the large-file path (presigned PUT, then `POST .../dataset {uploadId}`),
 * with the API process's peak RSS during it (VmHWM, reset just before) and s3rver's.
 */
async function upload(
  client: CellwiseClient,
  stackPid: number,
  path: string,
  bytes: number,
  name: string,
  log: (message: string) => void,
) {
  const s3Pid = await s3rverPid(stackPid);
  const before = await status(stackPid);
  const resetApi = await resetPeak(stackPid);
  const resetS3 = s3Pid ? await resetPeak(s3Pid) : false;
  if (!resetApi) log('could not reset VmHWM of the stack process: its peak includes everything before');
  const loadBefore = loadavg()[0]!;
  const started = performance.now();
  const slot = await client.expect<{ uploadId: string; uploadUrl: string; headers: Record<string, string> }>(
    201,
    'POST',
    '/dataset/uploads',
  );
  const put = await putFile(slot.uploadUrl, path, bytes, slot.headers);
  if (put !== 200) throw new Error(`PUT to the upload URL answered ${put}`);
  const putDone = performance.now();
  const created = await client.expect<{
    datasetId: string;
    recordCount: number;
    caseCount: number;
    activityCount: number;
  }>(201, 'POST', '/dataset', { name, uploadId: slot.uploadId });
  const done = performance.now();
  return {
    created,
    putSeconds: (putDone - started) / 1000,
    ingestSeconds: (done - putDone) / 1000,
    before,
    api: await status(stackPid),
    s3: s3Pid && resetS3 ? await status(s3Pid) : undefined,
    loadAverage: { before: loadBefore, after: loadavg()[0]! },
  };
}

/**
 * The upload half of the datasets benchmark: a synthetic 1M-event log uploaded through the
 * API's large-file path (presigned PUT, then `POST .../dataset {uploadId}`, which streams it
 * from storage, checks and normalises it), next to `pandas.read_csv` of the same file.
 * (The kernel half, `get_dataset` in a notebook, is measured elsewhere: see bench/README.)
 */
export async function runDatasetsBench(
  client: CellwiseClient,
  stackPid: number,
  dir: string,
  events: number,
  log: (message: string) => void,
): Promise<DatasetsReport> {
  const path = join(dir, 'events.csv');
  const quarter = Math.max(1, Math.round(events / 4));
  const smallPath = join(dir, 'events-quarter.csv');
  log(`generating ${events} and ${quarter} events`);
  const fileBytes = await generateLog(path, events);
  const smallBytes = await generateLog(smallPath, quarter);
  log(`wrote ${(fileBytes / 1e6).toFixed(1)} MB to ${path}`);

  const small = await upload(client, stackPid, smallPath, smallBytes, `bench ${quarter} events`, log);
  if (small.created.recordCount !== quarter)
    throw new Error(`recordCount ${small.created.recordCount}, expected ${quarter}`);
  const full = await upload(client, stackPid, path, fileBytes, `bench ${events} events`, log);
  const created = full.created;
  if (created.recordCount !== events)
    throw new Error(`recordCount ${created.recordCount}, expected ${events}`);
  const { api, before, s3 } = full;
  log(
    `Cellwise: PUT ${full.putSeconds.toFixed(1)} s, ingest ${full.ingestSeconds.toFixed(1)} s (+${mib(api.hwm - before.rss)} MiB); ` +
      `a quarter of it (${quarter} events): ingest ${small.ingestSeconds.toFixed(1)} s (+${mib(small.api.hwm - small.before.rss)} MiB)`,
  );

  log('pandas.read_csv of the same file (Debian /usr/bin/python3)');
  const script = new URL('./read_csv_reference.py', import.meta.url).pathname;
  const { stdout } = await run('/usr/bin/python3', [script, path], { maxBuffer: 1 << 20 });
  const pandas = JSON.parse(stdout.trim().split('\n').pop()!);
  return {
    datasetId: created.datasetId,
    events,
    fileBytes,
    cellwise: {
      putSeconds: full.putSeconds,
      ingestSeconds: full.ingestSeconds,
      totalSeconds: full.putSeconds + full.ingestSeconds,
      apiPeakRssBytes: api.hwm,
      apiRssBeforeBytes: before.rss,
      s3rverPeakRssBytes: s3?.hwm ?? null,
      recordCount: created.recordCount,
      caseCount: created.caseCount,
      activityCount: created.activityCount,
      loadAverage: full.loadAverage,
    },
    smaller: {
      events: quarter,
      fileBytes: smallBytes,
      ingestSeconds: small.ingestSeconds,
      apiPeakDeltaBytes: small.api.hwm - small.before.rss,
    },
    pandas: {
      version: pandas.pandas,
      seconds: pandas.seconds,
      peakRssBytes: pandas.peakRssBytes,
      rssAfterImportBytes: pandas.rssAfterImportBytes,
    },
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/** The printed comparison. */
export function datasetsTable(r: DatasetsReport): string {
  const c = r.cellwise;
  const rows = [
    ['', 'time', 'peak RSS'],
    [
      'Cellwise upload (PUT + ingest)',
      `${c.totalSeconds.toFixed(1)} s`,
      `${mb(c.apiPeakRssBytes)} (API process: ${mb(c.apiRssBeforeBytes)} before, +${mb(c.apiPeakRssBytes - c.apiRssBeforeBytes)})`,
    ],
    ['  of which ingest (parse, check, normalise, store)', `${c.ingestSeconds.toFixed(1)} s`, ''],
    [
      `  the same for a quarter of it (${r.smaller.events} events, ${(r.smaller.fileBytes / 1e6).toFixed(1)} MB)`,
      `${r.smaller.ingestSeconds.toFixed(1)} s`,
      `+${mb(r.smaller.apiPeakDeltaBytes)} (API process)`,
    ],
    ['  s3rver (S3 stand-in)', '', c.s3rverPeakRssBytes === null ? 'n/a' : mb(c.s3rverPeakRssBytes)],
    [
      `pandas ${r.pandas.version} read_csv`,
      `${r.pandas.seconds.toFixed(1)} s`,
      `${mb(r.pandas.peakRssBytes)} (${mb(r.pandas.rssAfterImportBytes)} after import)`,
    ],
    [
      'ratio Cellwise ingest / read_csv',
      `${(c.ingestSeconds / r.pandas.seconds).toFixed(2)}x`,
      `${(c.apiPeakRssBytes / r.pandas.peakRssBytes).toFixed(2)}x`,
    ],
  ];
  const width = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(width[i]!)).join('  ')).join('\n');
}
