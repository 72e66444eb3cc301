import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStack, spawnStack } from '../../local-stack/spawn-stack.ts';
import { LOCAL_STATE_MACHINE_ARN } from '../../local-stack/workflow-service.ts';
import { client, newTenant, type Tenant } from '../support/api.ts';
import { debugStackEnv } from '../support/debug-stack.ts';
import { notebookOf, streamText, upload } from '../support/runs.ts';
import { leakedForms, pythonSpellings } from '../support/secret-spellings.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/*
 * Project secrets end to end, on a stack of its own (its logs, table, bucket and kernel host
 * logs are all read): a value set by PUT reaches the kernel's environment, and no surface —
 * status, results, files, executed notebook, report, live output, webhooks, logs, the table,
 * the workflow's history, the bytes at rest — shows it in any spelling.
 */

const VALUE = `s3cr3t Pa$$/wörd+"q'&<x>`;
const MARK = '[secret:DB_PASSWORD]';
const { forms: FORMS } = pythonSpellings(VALUE);

type Api = ReturnType<typeof client>;
let running: RunningStack;
let tenant: Tenant;
let api: Api;
let other: Api;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  running = await spawnStack(debugStackEnv('cellwise-secrets-'));
  tenant = await newTenant({ on: running.info });
  api = client(tenant);
  other = client(await newTenant({ on: running.info }));
}, 180_000);

afterAll(async () => {
  await running?.stop();
  await receiver?.close();
});

async function waitForEnd(notebookId: string, executionId: string) {
  for (let i = 0; i < 600; i++) {
    const res = await api.get(`/notebook/${notebookId}/execution/${executionId}`);
    if (['Completed', 'Error', 'Cancelled'].includes(res.body.status)) return res.body;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the run never ended');
}

/** Every chunk of a run's live output, long-polled to its end. */
async function liveOutput(notebookId: string, executionId: string) {
  const chunks: any[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 300; i++) {
    const query: string = cursor ? `?after=${cursor}&waitSeconds=5` : '?waitSeconds=5';
    const res = await api.get(`/notebook/${notebookId}/execution/${executionId}/outputs${query}`);
    expect(res.status, res.text).toBe(200);
    chunks.push(...res.body.chunks);
    cursor = res.body.nextCursor;
    if (res.body.ended) return chunks;
  }
  throw new Error('the live output never ended');
}

/** The events of a run's workflow (its name is the execution id) on the local interpreter. */
async function workflowHistory(workflowName: string) {
  const sfn = new SFNClient({
    endpoint: running.info.sfnEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const history = await sfn.send(
    new GetExecutionHistoryCommand({
      executionArn: `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${workflowName}`,
    }),
  );
  return history.events ?? [];
}

/** Every file under `dir`, with its bytes. */
async function filesUnder(dir: string): Promise<{ path: string; bytes: Buffer }[]> {
  const found: { path: string; bytes: Buffer }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const bytes = await readFile(path).catch(() => null);
    if (bytes) found.push({ path, bytes });
  }
  return found;
}

const expectClean = (what: string, text: string) =>
  expect(leakedForms(text, FORMS), `${what} shows the value`).toEqual([]);

describe('project secrets', () => {
  it('are written, listed by name and date only, replaced and deleted; bad input is a 400, unknown names and other tenants a 404', async () => {
    const created = await api.put('/secrets/API_TOKEN', { value: 'tok-123456' });
    expect(created.status, created.text).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(['createdAt', 'name', 'updatedAt']);
    expect(created.text).not.toContain('tok-123456');
    await new Promise((r) => setTimeout(r, 5));
    const replaced = await api.put('/secrets/API_TOKEN', { value: 'tok-654321' });
    expect(replaced.status).toBe(200);
    expect(replaced.body.createdAt).toBe(created.body.createdAt);
    expect(replaced.body.updatedAt > created.body.updatedAt).toBe(true);
    const listed = await api.get('/secrets');
    expect(listed.status).toBe(200);
    expect(listed.body.secrets).toEqual([replaced.body]);
    expect(listed.text).not.toContain('tok-');

    for (const [path, body, field] of [
      ['/secrets/lower_case', { value: 'long enough' }, 'path.name'],
      ['/secrets/9STARTS_WITH_DIGIT', { value: 'long enough' }, 'path.name'],
      [`/secrets/${'A'.repeat(129)}`, { value: 'long enough' }, 'path.name'],
      ['/secrets/SHORT', { value: 'abc' }, 'body.value'],
      ['/secrets/EMPTY', { value: '' }, 'body.value'],
      ['/secrets/NUMBER', { value: 12345 }, 'body.value'],
      ['/secrets/MISSING', {}, 'body.value'],
      ['/secrets/HUGE', { value: 'x'.repeat(64 * 1024 + 1) }, 'body.value'],
      ['/secrets/EXTRA', { value: 'long enough', other: 1 }, 'body'],
    ] as const) {
      const res = await api.put(path, body);
      expect(res.status, `${path}: ${res.text}`).toBe(400);
      expect(JSON.stringify(res.body.Details), path).toContain(field);
    }
    expect((await api.del('/secrets/NOT_THERE')).status).toBe(404);
    expect((await api.del('/secrets/bad-name')).status).toBe(400);
    // Another tenant's token on this project's paths: 404, nothing read, nothing written.
    const foreign = client({ ...(await newTenant({ on: running.info })), base: tenant.base });
    expect((await foreign.get('/secrets')).status).toBe(404);
    expect((await foreign.put('/secrets/API_TOKEN', { value: 'stolen!!' })).status).toBe(404);
    expect((await foreign.del('/secrets/API_TOKEN')).status).toBe(404);
    expect((await other.get('/secrets')).body.secrets).toEqual([]);

    expect((await api.del('/secrets/API_TOKEN')).status).toBe(204);
    expect((await api.get('/secrets')).body.secrets).toEqual([]);
    expect((await api.del('/secrets/API_TOKEN')).status).toBe(404);
  });

  it('refuses a run naming an unknown, repeated or too many secrets', async () => {
    expect((await api.put('/secrets/KNOWN', { value: 'known-value' })).status).toBe(201);
    const notebookId = await upload(api, notebookOf(['print(1)']));
    const unknown = await api.post(`/notebook/${notebookId}/execute`, {
      secrets: ['KNOWN', 'NOPE', 'ALSO_NOPE'],
    });
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body.Error).toBe('SecretNotFound');
    expect(unknown.body.Message).toContain('NOPE, ALSO_NOPE');
    for (const secrets of [
      ['KNOWN', 'KNOWN'],
      ['lower'],
      Array.from({ length: 21 }, (_, i) => `S${i}`),
      'KNOWN',
    ]) {
      const res = await api.post(`/notebook/${notebookId}/execute`, { secrets });
      expect(res.status, res.text).toBe(400);
      expect(JSON.stringify(res.body.Details)).toContain('body.secrets');
    }
    // Another tenant's secret of the same name does not count.
    const theirs = await other.post(`/notebook/${await upload(other, notebookOf(['1']))}/execute`, {
      secrets: ['KNOWN'],
    });
    expect(theirs.status).toBe(400);
  });

  it('are set again in the fresh kernel of a resumed run', async () => {
    const value = 'resume-Secret-77';
    expect((await api.put('/secrets/RESUME_TOKEN', { value })).status).toBe(201);
    const hash = 'import os, hashlib\nprint(hashlib.sha256(os.environ["RESUME_TOKEN"].encode()).hexdigest())';
    const notebookId = await upload(api, notebookOf([hash, 'raise ValueError("stop here")', hash]));
    const started = await api.post(`/notebook/${notebookId}/execute`, {
      secrets: ['RESUME_TOKEN'],
      keepKernelSeconds: 0,
    });
    expect(started.status, started.text).toBe(202);
    expect((await waitForEnd(notebookId, started.body.executionId)).status).toBe('Error');
    // Fix the failing cell, then resume: a fresh kernel (none was kept) replays c1 and runs on.
    const content = (await api.get(`/notebook/${notebookId}/content`)).body;
    const cells = (content.cells ?? content.content?.cells) as { id: string; source: string | string[] }[];
    const name = (await api.get(`/notebook/${notebookId}`)).body.notebookName;
    const edited = await api.put(`/notebook/${notebookId}`, {
      name,
      cells: cells.map((c) => ({
        cellId: c.id,
        cellType: 'code',
        source: c.id === 'c2' ? 'pass' : Array.isArray(c.source) ? c.source.join('') : c.source,
      })),
    });
    expect(edited.status, edited.text).toBe(200);
    const resumed = await api.post(`/notebook/${notebookId}/execution/${started.body.executionId}/resume`);
    expect(resumed.status, resumed.text).toBe(202);
    expect(resumed.body.secrets).toEqual(['RESUME_TOKEN']);
    const status = await waitForEnd(notebookId, resumed.body.executionId);
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    expect(status.replayedCells).toEqual(['c1']);
    const results = await api.get(
      `/notebook/${notebookId}/execution/${resumed.body.executionId}/results?format=detailed`,
    );
    const executed: any = await fetch(results.body.executedNotebook.downloadUrl).then((r) => r.json());
    const sha = createHash('sha256').update(value).digest('hex');
    expect(streamText(executed.cells.find((c: { id: string }) => c.id === 'c3'))).toBe(`${sha}\n`);
  }, 120_000);

  it('are redacted when a value is printed across a hand-over between tasks (the 3 s slice)', async () => {
    const value = 'handover-Secret-91';
    expect((await api.put('/secrets/HANDOVER_TOKEN', { value })).status).toBe(201);
    const notebookId = await upload(
      api,
      notebookOf([
        'import os, sys, time\nv = os.environ["HANDOVER_TOKEN"]\nsys.stdout.write("token=" + v[:6]); sys.stdout.flush()\ntime.sleep(7)\nsys.stdout.write(v[6:] + "\\n"); sys.stdout.flush()',
      ]),
    );
    const started = await api.post(`/notebook/${notebookId}/execute`, { secrets: ['HANDOVER_TOKEN'] });
    expect(started.status, started.text).toBe(202);
    const chunks = await liveOutput(notebookId, started.body.executionId);
    const status = await waitForEnd(notebookId, started.body.executionId);
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const live = chunks.filter((c) => c.type === 'stream').map((c) => c.text);
    expect(live.join('')).toBe('token=[secret:HANDOVER_TOKEN]\n');
    expect(live.some((t: string) => t.includes(value.slice(0, 6)))).toBe(false);
    const results = await api.get(
      `/notebook/${notebookId}/execution/${started.body.executionId}/results?format=detailed`,
    );
    const executed: any = await fetch(results.body.executedNotebook.downloadUrl).then((r) => r.json());
    expect(streamText(executed.cells[0])).toBe('token=[secret:HANDOVER_TOKEN]\n');
    // The cell went through a hand-over (the slice is 3 s, the cell 7 s): its workflow entered
    // more tasks than that of a one-cell run that needs none.
    const quick = await api.post(`/notebook/${await upload(api, notebookOf(['1']))}/execute`, {});
    await waitForEnd(quick.body.notebookId, quick.body.executionId);
    const tasks = async (id: string) =>
      (await workflowHistory(id)).filter((e) => e.type === 'TaskStateEntered').length;
    expect(await tasks(started.body.executionId)).toBeGreaterThan(await tasks(quick.body.executionId));
  }, 120_000);

  it("are set in an R kernel's environment too, redacted from what it prints", async () => {
    const value = 'r-Secret "quoted" é/+';
    expect((await api.put('/secrets/R_TOKEN', { value })).status).toBe(201);
    const document = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'ir', display_name: 'R', language: 'R' } },
      cells: [
        {
          id: 'r1',
          cell_type: 'code',
          metadata: {},
          source: `v <- Sys.getenv("R_TOKEN")\ncat(identical(v, ${JSON.stringify(value)}), "\\n")\ncat(v, "\\n")`,
          execution_count: null,
          outputs: [],
        },
      ],
    };
    const notebookId = await upload(api, document);
    const started = await api.post(`/notebook/${notebookId}/execute`, { secrets: ['R_TOKEN'] });
    expect(started.status, started.text).toBe(202);
    const status = await waitForEnd(notebookId, started.body.executionId);
    expect(status.status, JSON.stringify(status.error)).toBe('Completed');
    const results = await api.get(
      `/notebook/${notebookId}/execution/${started.body.executionId}/results?format=detailed`,
    );
    const executed: any = await fetch(results.body.executedNotebook.downloadUrl).then((r) => r.json());
    expect(streamText(executed.cells[0])).toBe('TRUE \n[secret:R_TOKEN] \n');
  }, 120_000);

  it('reach the kernel environment only and show as [secret:NAME] on every surface, in every spelling', async () => {
    const put = await api.put('/secrets/DB_PASSWORD', { value: VALUE });
    expect(put.status, put.text).toBe(201);
    const hook = await api.post('/webhooks', { url: receiver.url(), events: ['execution.failed'] });
    expect(hook.status, hook.text).toBe(201);
    const document = notebookOf([
      'import os, hashlib, sys, time, json, base64, urllib.parse\nv = os.environ["DB_PASSWORD"]\nprint("sha", hashlib.sha256(v.encode()).hexdigest())',
      'print(v)\nprint("again:", v, file=sys.stderr)',
      'print(base64.b64encode(v.encode()).decode())\nprint(base64.urlsafe_b64encode(v.encode()).decode())\nprint(base64.b64encode(b"xy" + v.encode() + b"z").decode())',
      'print(urllib.parse.quote(v))\nprint(urllib.parse.quote_plus(v))',
      'print(json.dumps({"password": v}))\nprint(repr(v))\nprint([v])',
      'from IPython.display import HTML, display\ndisplay(HTML(f"<b>{v}</b>"))\ndisplay({"text/plain": v, "application/json": {"p": v}}, raw=True)\nv',
      'sys.stdout.write(v[:3]); sys.stdout.flush(); time.sleep(0.3); sys.stdout.write(v[3:] + "\\n"); sys.stdout.flush()',
      'raise ValueError("bad password " + v)',
    ]);
    const notebookId = await upload(api, document);
    const started = await api.post(`/notebook/${notebookId}/execute`, {
      secrets: ['DB_PASSWORD'],
      parameters: { region: 'eu' },
      outputOptions: { captureOutputs: true, saveIntermediateResults: true, generateReport: true },
    });
    expect(started.status, started.text).toBe(202);
    expect(started.body.secrets).toEqual(['DB_PASSWORD']);
    const executionId = started.body.executionId as string;
    const chunks = await liveOutput(notebookId, executionId);
    const status = await waitForEnd(notebookId, executionId);

    // The kernel had the value: the cell printed its hash (only the hash).
    const sha = createHash('sha256').update(VALUE).digest('hex');
    const results = await api.get(`/notebook/${notebookId}/execution/${executionId}/results?format=detailed`);
    expect(results.status).toBe(200);
    const executed = await fetch(results.body.executedNotebook.downloadUrl).then((r) => r.text());
    const byId = new Map(JSON.parse(executed).cells.map((c: any) => [c.id, c]));
    const cells = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'].map((id) => byId.get(id) as any);
    // The parameters cell holds the parameters only.
    expect((byId.get('injected-parameters') as any).source).toContain('region = "eu"');
    expect(streamText(cells[0])).toBe(`sha ${sha}\n`);

    // Status: the run ended at the cell that raised; its message is redacted.
    expect(status.status).toBe('Error');
    expect(status.error.errorMessage).toBe(`ValueError: bad password ${MARK}`);
    const failed = status.cellResults.find((c: any) => c.cellId === 'c8');
    expect(failed.errorMessage).toContain(MARK);
    expectClean('status', JSON.stringify(status));

    // Each cell's outputs in the executed notebook show the mark where the value was.
    expect(streamText(cells[1])).toBe(`${MARK}\nagain: ${MARK}\n`);
    expect(streamText(cells[2]).split('\n').slice(0, 2)).toEqual([MARK, MARK]);
    expect(streamText(cells[2]).split('\n')[2]).toContain(MARK);
    expect(streamText(cells[3])).toBe(`${MARK}\n${MARK}\n`);
    expect(streamText(cells[4])).toBe(`{"password": "${MARK}"}\n'${MARK}'\n['${MARK}']\n`);
    const displays = cells[5].outputs;
    expect(displays[0].data['text/html']).toContain(`<b>${MARK}</b>`);
    expect(displays[1].data).toEqual({ 'text/plain': MARK, 'application/json': { p: MARK } });
    expect(displays[2].data['text/plain']).toBe(`'${MARK}'`);
    expect(streamText(cells[6])).toBe(`${MARK}\n`);
    const error = cells[7].outputs.find((o: any) => o.output_type === 'error');
    expect(error.evalue).toBe(`bad password ${MARK}`);
    expect(error.traceback.join('\n')).toContain(MARK);
    expectClean('executed notebook', executed);

    // Results (summary, detailed, every downloaded file), the report.
    expectClean('detailed results', JSON.stringify(results.body));
    const summary = await api.get(`/notebook/${notebookId}/execution/${executionId}/results`);
    expectClean('summary results', JSON.stringify(summary.body));
    for (const output of results.body.outputs) {
      if (output.downloadUrl)
        expectClean(`file ${output.outputIndex}`, await fetch(output.downloadUrl).then((r) => r.text()));
    }
    expect(results.body.reports).toHaveLength(1);
    const report = await fetch(results.body.reports[0].downloadUrl).then((r) => r.text());
    expect(report).toContain('[secret:DB_PASSWORD]');
    expectClean('report', report);

    // Live output: the mark, never a form, never the first characters of the split value.
    const live = JSON.stringify(chunks);
    expect(live).toContain(MARK);
    expectClean('live output', live);
    const split = chunks.filter((c) => c.cellId === 'c7' && c.type === 'stream').map((c) => c.text);
    expect(split.join('')).toBe(`${MARK}\n`);
    expect(split.some((t: string) => t.includes(VALUE.slice(0, 3)))).toBe(false);

    // The webhook payload.
    const { deliveries } = receiver;
    for (let i = 0; i < 100 && deliveries.length === 0; i++) await new Promise((r) => setTimeout(r, 200));
    expect(deliveries.length).toBeGreaterThan(0);
    const payloads = deliveries.map((d) => d.body).join('\n');
    expect(payloads).toContain(MARK);
    expectClean('webhook payloads', payloads);

    // The workflow's history: no value in any state's input or output.
    const record = unmarshall(
      (await scanTable()).find((i) => i.executionId?.S === executionId && i.workflowName)!,
    ) as { workflowName: string; parametersJson: string; secrets: string[] };
    expect(record.secrets).toEqual(['DB_PASSWORD']);
    expect(record.parametersJson).toBe('{"region":"eu"}');
    const events = await workflowHistory(record.workflowName);
    expect(events.length).toBeGreaterThan(3);
    expectClean('workflow history', JSON.stringify(events));

    // A run without `secrets` does not have it.
    const plain = await upload(api, notebookOf(['import os\nprint("DB_PASSWORD" in os.environ)']));
    const plainRun = await api.post(`/notebook/${plain}/execute`, {});
    const plainStatus = await waitForEnd(plain, plainRun.body.executionId);
    expect(plainStatus.status).toBe('Completed');
    expect(plainStatus.secrets).toEqual([]);
    const plainResults = await api.get(
      `/notebook/${plain}/execution/${plainRun.body.executionId}/results?format=detailed`,
    );
    const plainNotebook: any = await fetch(plainResults.body.executedNotebook.downloadUrl).then((r) =>
      r.json(),
    );
    expect(streamText(plainNotebook.cells[0])).toBe('False\n');

    // The table: the secret's item holds ciphertext only; no item holds any spelling.
    const items = await scanTable();
    const sealed = items.map((i) => unmarshall(i)).find((i) => i.sk === 'SECRET#DB_PASSWORD')!;
    expect(Object.keys(sealed).sort()).toEqual(
      ['ciphertext', 'createdAt', 'iv', 'keyVersion', 'name', 'pk', 'sk', 'tag', 'updatedAt'].sort(),
    );
    expectClean('the table', JSON.stringify(items));

    // The service's logs (debug level), the kernel host's logs and every byte at rest in the data dir.
    await running.stop();
    expectClean('service logs', running.output());
    const files = await filesUnder(running.info.dataDir);
    expect(files.some((f) => f.path.endsWith('server.log'))).toBe(true);
    // The scan reads the table's own files: the sealed value is there, as ciphertext.
    expect(files.some((f) => f.bytes.includes(Buffer.from(sealed.ciphertext as string)))).toBe(true);
    for (const { path, bytes } of files) {
      for (const [name, form] of Object.entries(FORMS)) {
        expect(bytes.includes(Buffer.from(form, 'utf8')), `${name} in ${path}`).toBe(false);
      }
    }
  }, 240_000);
});

function scanTable() {
  const db = new DynamoDBClient({
    endpoint: running.info.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return (async () => {
    const items: Record<string, any>[] = [];
    let start: Record<string, any> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({ TableName: running.info.tableName, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  })();
}
