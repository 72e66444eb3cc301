import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeUtf8 } from '../../functions/core/json-limits.ts';
import { parseNotebook } from '../../functions/core/nbformat/validate-notebook.ts';
import type { CellwiseClient } from '../cellwise-client.ts';
import { bigNotebookText } from './generate-notebook.ts';

const run = promisify(execFile);

/** The bignb part's figures: a large notebook through the presigned upload next to nbformat.validate. */
export interface BignbReport {
  fileBytes: number;
  cells: number;
  cellwise: {
    /** POST .../notebook/uploads. */
    slotSeconds: number;
    /** The PUT to the presigned URL (s3rver locally). */
    putSeconds: number;
    /** POST .../notebook/upload {uploadId}: read back, nbformat checks, store, index. */
    createSeconds: number;
    totalSeconds: number;
    /** GET .../content: the content link, then the download of the .ipynb. */
    readBackSeconds: number;
    /** The service's own checks alone, in this process: UTF-8 decode + `parseNotebook` (what create runs). */
    validateSeconds: number;
  };
  /**
   * The python3 command: `seconds` is read + validate inside Python, `commandSeconds` the whole
   * command (interpreter start and `import nbformat` included), as a user would time it.
   */
  nbformat: { version: string; seconds: number; commandSeconds: number };
  /** Cellwise's upload + validate (slot + PUT + create) over the whole python3 command. */
  ratio: number;
  /** Cellwise's create alone (read back + checks + store) over nbformat's read + validate alone. */
  createRatio: number;
  /** Cellwise's checks alone (decode + parseNotebook) over nbformat's read + validate alone. */
  validateRatio: number;
}

const seconds = (from: number) => (performance.now() - from) / 1000;

async function timed<T>(task: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await task();
  return [value, seconds(start)];
}

/** `nbformat.validate(nbformat.read(path, as_version=4))` by Debian's python3, timed inside Python. */
async function nbformatValidate(path: string): Promise<BignbReport['nbformat']> {
  const script = [
    'import sys, time, nbformat',
    't = time.perf_counter()',
    'nbformat.validate(nbformat.read(sys.argv[1], as_version=4))',
    'print(nbformat.__version__, time.perf_counter() - t)',
  ].join('\n');
  const start = performance.now();
  const { stdout } = await run('/usr/bin/python3', ['-c', script, path], { maxBuffer: 1 << 20 });
  const commandSeconds = seconds(start);
  const [version, secs] = stdout.trim().split(' ');
  return { version: version!, seconds: Number(secs), commandSeconds };
}

/** Waits until the kernel host lists its kernels (an upload checks the notebook's kernel against them). */
async function kernelsListed(client: CellwiseClient): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await client.request('GET', '/environments')).status !== 200) {
    if (Date.now() > deadline) throw new Error('GET /environments never answered 200');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Uploads a generated notebook of `bytes` through the presigned path, then validates it with nbformat. */
export async function runBignbBench(
  client: CellwiseClient,
  dir: string,
  bytes: number,
  log: (message: string) => void,
): Promise<BignbReport> {
  const text = bigNotebookText(bytes);
  const path = join(dir, 'big.ipynb');
  await writeFile(path, text);
  const file = await readFile(path);
  const cells = (JSON.parse(text) as { cells: unknown[] }).cells.length;
  log(`bignb: ${(file.byteLength / 1e6).toFixed(1)} MB, ${cells} cells through the presigned upload`);
  await kernelsListed(client);
  const started = performance.now();
  const [slot, slotSeconds] = await timed(() =>
    client.expect<{ uploadId: string; uploadUrl: string; headers: Record<string, string> }>(
      201,
      'POST',
      '/notebook/uploads',
    ),
  );
  const [, putSeconds] = await timed(async () => {
    const put = await fetch(slot.uploadUrl, { method: 'PUT', headers: slot.headers, body: file });
    if (!put.ok) throw new Error(`PUT: ${put.status} ${await put.text()}`);
  });
  const [created, createSeconds] = await timed(() =>
    client.expect<{ notebookId: string }>(201, 'POST', '/notebook/upload', {
      uploadId: slot.uploadId,
      notebookName: `bignb ${Date.now()}`,
    }),
  );
  const totalSeconds = seconds(started);
  const [, readBackSeconds] = await timed(async () => {
    const link = await client.expect<{ contentUrl: string }>(
      200,
      'GET',
      `/notebook/${created.notebookId}/content`,
    );
    const got = await fetch(link.contentUrl);
    await got.arrayBuffer();
  });
  const [, validateSeconds] = await timed(async () => parseNotebook(decodeUtf8(file, 'file')));
  log('bignb: nbformat.validate(nbformat.read(...)) on the same file');
  const nbformat = await nbformatValidate(path);
  return {
    fileBytes: file.byteLength,
    cells,
    cellwise: { slotSeconds, putSeconds, createSeconds, totalSeconds, readBackSeconds, validateSeconds },
    nbformat,
    ratio: totalSeconds / nbformat.commandSeconds,
    createRatio: createSeconds / nbformat.seconds,
    validateRatio: validateSeconds / nbformat.seconds,
  };
}

/** The report as a few lines of text. */
export function bignbTable(r: BignbReport): string {
  const c = r.cellwise;
  return [
    `Cellwise presigned upload: slot ${c.slotSeconds.toFixed(3)} s, PUT ${c.putSeconds.toFixed(2)} s, ` +
      `create (read back + nbformat checks + store) ${c.createSeconds.toFixed(2)} s, total ${c.totalSeconds.toFixed(2)} s`,
    `python3 -c 'nbformat.validate(nbformat.read(...))' (nbformat ${r.nbformat.version}): ` +
      `${r.nbformat.commandSeconds.toFixed(2)} s, of which read + validate ${r.nbformat.seconds.toFixed(2)} s`,
    `ratio Cellwise total / python3 command: ${r.ratio.toFixed(2)}; ` +
      `Cellwise create / nbformat read + validate: ${r.createRatio.toFixed(2)}; ` +
      `Cellwise checks alone (decode + parseNotebook ${c.validateSeconds.toFixed(2)} s) / nbformat read + validate: ${r.validateRatio.toFixed(2)}`,
    `read back through the content URL: ${c.readBackSeconds.toFixed(2)} s`,
  ].join('\n');
}
