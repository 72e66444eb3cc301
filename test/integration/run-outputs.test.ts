import { beforeAll, describe, expect, it } from 'vitest';
import { writeRunFiles } from '../../functions/core/use-cases/run-files.ts';
import { client, newTenant, stackRunStore, stackServices } from '../support/api.ts';
import {
  execute,
  notebookOf,
  resultsOf,
  runToEnd,
  streamText,
  upload,
  waitForRun,
  waitUntil,
} from '../support/runs.ts';
import { SANDBOX_MODES } from '../support/sandbox-modes.ts';

type Api = ReturnType<typeof client>;
let api: Api;
let tenant: Awaited<ReturnType<typeof newTenant>>;

beforeAll(async () => {
  tenant = await newTenant();
  api = client(tenant);
});

/** Every output the results route lists for a run, page after page. */
async function listedOutputs(api: Api, notebookId: string, executionId: string, format = 'summary') {
  const outputs: any[] = [];
  for (let page = 1; ; page++) {
    const res = await api.get(
      `/notebook/${notebookId}/execution/${executionId}/results?format=${format}&page=${page}`,
    );
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    outputs.push(...res.body.outputs);
    if (!res.body.hasNextPage) return { outputs, last: res.body };
  }
}

const DISPLAYS = 20_000;

describe.each(SANDBOX_MODES)('run outputs: nothing is lost without a word ($name)', ({ info }) => {
  let api: Api;
  beforeAll(async () => {
    api = client(await newTenant({ on: info() }));
  });

  it('keeps every one of 20,000 displays in each of two concurrent runs, across hand-overs', async () => {
    const document = notebookOf([`for i in range(${DISPLAYS}):\n    display(i)`, 'print("after")']);
    const runs = await Promise.all(
      [1, 2].map(async () => {
        const notebookId = await upload(api, document);
        return { notebookId, executionId: (await execute(api, notebookId)).executionId as string };
      }),
    );
    for (const { notebookId, executionId } of runs) {
      const status = await waitForRun(api, notebookId, executionId, 300_000);
      expect(status.status, JSON.stringify(status.error)).toBe('Completed');
      const { executed } = await resultsOf(api, notebookId, executionId);
      const shown = executed.cells[0].outputs.map((o: any) => o.data?.['text/plain']);
      expect(shown).toEqual(Array.from({ length: DISPLAYS }, (_, i) => String(i)));
      expect(streamText(executed.cells[1])).toBe('after\n');
      expect(status.outputs.total).toBe(DISPLAYS + 1);
      expect(status.cellResults[0].outputCount).toBe(DISPLAYS);
      expect(status.outputs.dropped).toEqual({ outputs: 0, truncated: 0, bytes: 0, reasons: [], cells: [] });
      const { outputs } = await listedOutputs(api, notebookId, executionId);
      expect(outputs).toHaveLength(DISPLAYS + 1);
      expect(outputs.at(-2)).toMatchObject({
        cellId: 'c1',
        outputIndex: DISPLAYS - 1,
        contentType: 'text/plain',
      });
    }
  }, 600_000);

  it('keeps exactly the first 32 MiB of a 100 MiB print and says what it dropped', async () => {
    const cap = 32 * 1024 * 1024;
    const { status, executed, notebookId, executionId } = await runToEnd(
      api,
      notebookOf(["s = '0123456789abcdef' * (100 * 2**20 // 16)\nprint(s, end='')", 'print("next")']),
      {},
      300_000,
    );
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const [kept, note] = executed.cells[0].outputs;
    const text = Array.isArray(kept.text) ? kept.text.join('') : kept.text;
    expect(text.length).toBe(cap);
    expect(text === '0123456789abcdef'.repeat(cap / 16)).toBe(true);
    expect(note).toMatchObject({ output_type: 'stream', name: 'stderr' });
    expect(note.text).toContain('1 output(s) kept in part (71,303,168 bytes not kept)');
    expect(note.text).toContain("the cell's output limit of 33,554,432 bytes");
    expect(streamText(executed.cells[1])).toBe('next\n');
    expect(status.outputs.total).toBe(3);
    expect(status.outputs.dropped).toEqual({
      outputs: 0,
      truncated: 1,
      bytes: 100 * 1024 * 1024 - cap,
      reasons: ['cellOutputBytes'],
      cells: [
        {
          cellId: 'c1',
          outputs: 0,
          truncated: 1,
          bytes: 100 * 1024 * 1024 - cap,
          reasons: ['cellOutputBytes'],
          details: [],
        },
      ],
    });
    const { outputs, last } = await listedOutputs(api, notebookId, executionId, 'download');
    expect(last.dropped).toEqual(status.outputs.dropped);
    expect(outputs.map((o: any) => [o.cellId, o.bytes])).toEqual([
      ['c1', cap],
      ['c1', Buffer.byteLength(note.text)],
      ['c2', 5],
    ]);
    const download = await fetch(outputs[0].downloadUrl);
    expect(Number(download.headers.get('content-length'))).toBe(cap);
    await download.body?.cancel();
  }, 300_000);
});

/** Cells a hostile kernel might send: each with a bad part and a good part. */
const BAD_CELLS = [
  "display({'text/x\\nY': 'v'}, raw=True)\nprint('good1')",
  "display({'text/x\\r\\nSet-Cookie: a=b': 'v', 'text/x\\x01': 'w'}, raw=True)\nprint('good2')",
  "display({'a/' + 'b' * 10000: 'v', 'text/plain': 'good3'}, raw=True)",
  "display({'image/png': 'not base64!!'}, raw=True)\nprint('good4')",
  "display({'application/json': {'x': float('nan')}}, raw=True)",
  [
    'import json',
    'k = get_ipython().kernel',
    'pack = k.session.pack',
    '# Written as Python writes JSON by default: a bare NaN reaches the kernel host and the service.',
    'k.session.pack = lambda o: json.dumps(o, allow_nan=True, default=str).encode()',
    'try:',
    "    display({'application/json': {'x': float('nan')}, 'text/plain': 'good6'}, raw=True)",
    'finally:',
    '    k.session.pack = pack',
  ].join('\n'),
  "display({'text/plain': 5}, raw=True)\nprint('good7')",
];

describe.each(SANDBOX_MODES)(
  'run outputs: whatever a kernel emits never breaks the end of a run ($name)',
  ({ info }) => {
    let api: Api;
    beforeAll(async () => {
      api = client(await newTenant({ on: info() }));
    });

    it('ends Completed with the good outputs stored and the bad ones reported, also when run again', async () => {
      const notebookId = await upload(api, notebookOf(BAD_CELLS));
      for (const attempt of [1, 2]) {
        const started = await execute(api, notebookId);
        const status = await waitForRun(api, notebookId, started.executionId, 120_000);
        expect(status.status, `attempt ${attempt}: ${JSON.stringify(status.error)}`).toBe('Completed');
        const { results, executed } = await resultsOf(api, notebookId, started.executionId);
        const cells = executed.cells.map((c: any) => c.outputs);
        expect(streamText(executed.cells[0])).toContain('good1\n');
        expect(streamText(executed.cells[1])).toContain('good2\n');
        expect(cells[2][0].data).toEqual({ 'text/plain': 'good3' });
        expect(streamText(executed.cells[3])).toContain('good4\n');
        // jupyter_client in the kernel writes NaN as "nan" (and warns on stderr): kept as sent.
        expect(cells[4][0].data).toEqual({ 'application/json': { x: 'nan' } });
        expect(cells[5][0].data).toEqual({ 'application/json': { x: null }, 'text/plain': 'good6' });
        expect(streamText(executed.cells[6])).toContain('good7\n');
        const byCell = Object.fromEntries(status.outputs.dropped.cells.map((c: any) => [c.cellId, c]));
        expect(byCell.c1).toMatchObject({ outputs: 1, reasons: ['invalidOutput'] });
        expect(byCell.c1.details).toEqual(['MIME type "text/x\\nY" is not a valid media type']);
        expect(byCell.c2.details).toEqual([
          'MIME type "text/x\\r\\nSet-Cookie: a=b" is not a valid media type',
          'MIME type "text/x\\u0001" is not a valid media type',
        ]);
        expect(byCell.c3).toMatchObject({ outputs: 0, truncated: 1 });
        expect(byCell.c3.details[0]).toMatch(
          /^MIME type "a\/b+"… \(10002 characters\) is not a valid media type$/,
        );
        expect(byCell.c4.details).toEqual(['image/png is not valid base64']);
        expect(byCell.c5).toBeUndefined();
        expect(byCell.c6).toMatchObject({ truncated: 1, details: [expect.stringContaining('NaN')] });
        expect(byCell.c7.details).toEqual(['text/plain is a number, not text']);
        // Each cell with a loss ends with a note saying so, in the executed notebook and the results.
        for (const index of [0, 1, 2, 3, 5, 6]) {
          const note = cells[index].at(-1);
          expect(note, `cell ${index + 1}`).toMatchObject({ output_type: 'stream', name: 'stderr' });
          expect(note.text).toMatch(/^\[cellwise\] Not all output of this cell was kept/);
        }
        expect(status.outputs.total).toBe(
          executed.cells.reduce((n: number, c: any) => n + c.outputs.length, 0),
        );
        expect(results.outputs).toHaveLength(status.outputs.total);
        for (const output of results.outputs) {
          expect(output.contentType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
          const download = await fetch(output.downloadUrl);
          expect(download.status).toBe(200);
          expect(download.headers.get('content-type')).toBe(output.contentType);
          await download.arrayBuffer();
        }
        const notebook = (await api.get(`/notebook/${notebookId}`)).body;
        expect(notebook.status).toBe('Ready');
        const content = (await api.get(`/notebook/${notebookId}/content`)).body;
        expect(content.cells[2].outputs[0].data).toEqual({ 'text/plain': 'good3' });
      }
    }, 300_000);
  },
);

describe('run outputs: a store that fails for one file', () => {
  it('skips an output file it cannot write, names why, and still writes the executed notebook', async () => {
    const { notebookId, executionId } = await runToEnd(
      api,
      notebookOf(['print("one")\nprint("two", flush=True)']),
    );
    const pointer = { tenantId: tenant.tenantId, projectId: tenant.projectId, notebookId, executionId };
    const services = stackServices();
    const put = services.files.put.bind(services.files);
    const failing = {
      ...services,
      files: Object.assign(Object.create(services.files), {
        put: (key: string, body: never, type: string) =>
          key.includes('/files/0-0.') ? Promise.reject(new Error('disk full')) : put(key, body, type),
      }),
    };
    const run = (await stackRunStore().get(pointer))!;
    const written = await writeRunFiles(failing, run, await services.runs.listCellResults(pointer));
    expect(written.unwritten).toEqual([
      { position: 0, outputIndex: 0, reason: 'the download file could not be written: disk full' },
    ]);
    expect(written.executed.cells[0]!.outputs!.length).toBeGreaterThan(0);
    await stackRunStore().update(pointer, { unwrittenFiles: written.unwritten });
    const { outputs } = await listedOutputs(api, notebookId, executionId, 'download');
    expect(outputs[0]).toMatchObject({
      downloadUrl: null,
      downloadError: 'the download file could not be written: disk full',
    });
    expect(outputs.slice(1).every((o: any) => typeof o.downloadUrl === 'string')).toBe(true);
  }, 120_000);
});

describe('run outputs: display updates across cells', () => {
  const cells = [
    'from IPython.display import display, update_display\ndisplay("plain", display_id="x")',
    'update_display({"text/plain": "rich", "text/html": "<b>rich</b>"}, raw=True, display_id="x")',
    'import time\ntime.sleep(4)\nprint("end")',
  ];
  const first = (outputs: any[]) => outputs.find((o) => o.cellId === 'c1');

  it('lists an output a later cell updated as updated, while the run goes on and once it has ended', async () => {
    const notebookId = await upload(api, notebookOf(cells));
    const { executionId } = await execute(api, notebookId);
    await waitUntil(api, notebookId, executionId, (s) => s.currentCell === 'c3', 30_000);
    const running = (await listedOutputs(api, notebookId, executionId, 'detailed')).outputs;
    expect(first(running)).toMatchObject({ contentType: 'text/html', content: '<b>rich</b>' });
    expect(first(running).mimeTypes.sort()).toEqual(['text/html', 'text/plain']);
    // The updating cell has no output of its own.
    expect(running.filter((o: any) => o.cellId === 'c2')).toEqual([]);
    expect((await waitForRun(api, notebookId, executionId)).status).toBe('Completed');
    const ended = (await listedOutputs(api, notebookId, executionId, 'download')).outputs;
    expect(first(ended)).toMatchObject({ contentType: 'text/html' });
    const file = await fetch(first(ended).downloadUrl);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('<b>rich</b>');
    const { executed } = await resultsOf(api, notebookId, executionId);
    expect([executed.cells[0].outputs[0].data['text/html']].flat().join('')).toBe('<b>rich</b>');
  }, 120_000);
});
