import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION } from '../../infra/run-workflow.ts';
import { LOCAL_STATE_MACHINE_ARN } from '../../local-stack/workflow-service.ts';
import { call, client, GUID, newTenant, stack, type Tenant } from '../support/api.ts';
import { execute, notebookOf, upload, waitForRun, waitUntil } from '../support/runs.ts';

/*
 * Webhooks against the real local stack: the routes, and deliveries of real run ends to a
 * receiver on loopback (the test stack allows 127.0.0.0/8 and retries after 1, 2 and 4 s).
 */

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

let receiver: Server;
let receiverBase: string;
const received: Received[] = [];
/** How many requests to each path are answered 503 before it answers 200 (-1: always 500). */
const failuresBefore = new Map<string, number>();

let tenant: Tenant;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const failures = failuresBefore.get(path) ?? 0;
      const seen = received.filter((r) => r.path === path).length;
      if (failures === -1) res.writeHead(500).end('down');
      else if (seen <= failures) res.writeHead(503).end('not yet');
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  tenant = await newTenant();
  api = client(tenant);
});

afterAll(() => {
  receiver.closeAllConnections();
  receiver.close();
});

async function createHook(body: object) {
  const res = await api.post('/webhooks', body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { webhookId: string; secret: string; url: string };
}

function expectBadRequest(res: { status: number; body: any }, path: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body.Error).toBeTypeOf('string');
  expect(res.body.Details.map((d: { path: string }) => d.path)).toContain(path);
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deliveriesOf = async (webhookId: string) => {
  const res = await api.get(`/webhooks/${webhookId}/deliveries`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.deliveries as any[];
};

/** Verifies a delivery as a receiver would: Stripe's scheme over the raw body. */
function verifySignature(header: string, body: string, secret: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  if (!parts.t || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex');
  const given = Buffer.from(parts.v1);
  return given.length === expected.length && timingSafeEqual(Buffer.from(expected), given);
}

/** Waits for a run's workflow (the local Step Functions execution) to end: its status and end time. */
async function workflowEnd(executionId: string) {
  const sfn = new SFNClient({
    endpoint: stack().sfnEndpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const executionArn = `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${executionId}`;
  try {
    return await waitFor(`the workflow of ${executionId} to end`, async () => {
      const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return out.status === 'RUNNING' ? undefined : { status: out.status, stopDate: out.stopDate!.getTime() };
    });
  } finally {
    sfn.destroy();
  }
}

describe('webhook routes', () => {
  it('creates, lists and deletes webhooks; the secret is shown once', async () => {
    const created = await createHook({ url: `${receiverBase}/crud`, events: ['execution.completed'] });
    expect(created).toMatchObject({
      url: `${receiverBase}/crud`,
      events: ['execution.completed'],
      notebookId: null,
    });
    expect(created.webhookId).toMatch(GUID);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const list = await api.get('/webhooks');
    expect(list.status).toBe(200);
    const listed = list.body.webhooks.find((w: any) => w.webhookId === created.webhookId);
    expect(listed).toMatchObject({ url: created.url, events: ['execution.completed'] });
    expect(listed).not.toHaveProperty('secret');
    expect(list.text).not.toContain(created.secret);
    expect(list.body).toMatchObject({ page: 1, pageSize: 20, hasNextPage: false });

    expect((await deliveriesOf(created.webhookId)).length).toBe(0);
    const del = await api.del(`/webhooks/${created.webhookId}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await api.del(`/webhooks/${created.webhookId}`)).status).toBe(404);
    expect((await api.get(`/webhooks/${created.webhookId}/deliveries`)).status).toBe(404);
    const after = await api.get('/webhooks');
    expect(after.body.webhooks.map((w: any) => w.webhookId)).not.toContain(created.webhookId);
  });

  it('paginates the list like the other lists', async () => {
    const own = client(await newTenant());
    for (let i = 0; i < 3; i++) {
      expect(
        (await own.post('/webhooks', { url: `${receiverBase}/p${i}`, events: ['execution.failed'] })).status,
      ).toBe(201);
    }
    const page = await own.get('/webhooks?page=2&pageSize=2');
    expect(page.body).toMatchObject({ totalCount: 3, page: 2, pageSize: 2, hasNextPage: false });
    expect(page.body.webhooks.map((w: any) => w.url)).toEqual([`${receiverBase}/p2`]);
    expectBadRequest(await own.get('/webhooks?pageSize=101'), 'query.pageSize');
  });

  it('answers 400 naming the field for bad bodies', async () => {
    const good = { url: `${receiverBase}/x`, events: ['execution.completed'] };
    expectBadRequest(await api.post('/webhooks', { events: good.events }), 'body.url');
    expectBadRequest(await api.post('/webhooks', { ...good, url: 'not a url' }), 'body.url');
    expectBadRequest(await api.post('/webhooks', { ...good, url: 'ftp://example.com/hook' }), 'body.url');
    expectBadRequest(
      await api.post('/webhooks', { ...good, url: `https://example.com/${'a'.repeat(2048)}` }),
      'body.url',
    );
    expectBadRequest(await api.post('/webhooks', { ...good, events: [] }), 'body.events');
    expectBadRequest(await api.post('/webhooks', { url: good.url }), 'body.events');
    expectBadRequest(
      await api.post('/webhooks', { ...good, events: ['execution.started'] }),
      'body.events.0',
    );
    expectBadRequest(await api.post('/webhooks', { ...good, events: 'execution.completed' }), 'body.events');
    expectBadRequest(await api.post('/webhooks', { ...good, notebookId: 'nope' }), 'body.notebookId');
    expectBadRequest(await api.post('/webhooks', { ...good, secret: 'mine' }), 'body');
    const missing = await api.post('/webhooks', {
      ...good,
      notebookId: '00000000-0000-4000-8000-000000000000',
    });
    expectBadRequest(missing, 'body.notebookId');
    expect(missing.body.Error).toBe('NotebookNotFound');
    const notJson = await api.raw('POST', '/webhooks', '{', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(400);
    expect((await api.del('/webhooks/not-a-guid')).status).toBe(400);
    expectBadRequest(await api.get('/webhooks/not-a-guid/deliveries'), 'path.webhookId');
    const hook = await api.post('/webhooks', good);
    expect(hook.status).toBe(201);
    expectBadRequest(await api.get(`/webhooks/${hook.body.webhookId}/deliveries?page=0`), 'query.page');
    expectBadRequest(
      await api.get(`/webhooks/${hook.body.webhookId}/deliveries?pageSize=101`),
      'query.pageSize',
    );
    expect((await api.get('/webhooks/00000000-0000-4000-8000-000000000000/deliveries')).status).toBe(404);
    expect((await api.del(`/webhooks/${hook.body.webhookId}`)).status).toBe(204);
  });

  it('refuses URLs that resolve to private, link-local or loopback addresses the deployment does not allow', async () => {
    for (const url of [
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://192.168.1.20:8080/',
      'http://172.16.5.4/',
      'http://100.64.0.1/',
      'http://[::1]:8080/',
      'http://[fd00::1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://0.0.0.0/',
    ]) {
      const res = await api.post('/webhooks', { url, events: ['execution.completed'] });
      expectBadRequest(res, 'body.url');
      expect(res.body.Error, url).toBe('WebhookUrlRefused');
    }
  });

  it('allows at most 25 webhooks per project (409 above)', async () => {
    const own = client(await newTenant());
    for (let i = 0; i < 25; i++) {
      const res = await own.post('/webhooks', {
        url: `${receiverBase}/limit${i}`,
        events: ['execution.completed'],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const over = await own.post('/webhooks', {
      url: `${receiverBase}/limit25`,
      events: ['execution.completed'],
    });
    expect(over.status).toBe(409);
    expect(over.body.Error).toBe('WebhookLimitReached');
    const first = (await own.get('/webhooks?pageSize=1')).body.webhooks[0];
    expect((await own.del(`/webhooks/${first.webhookId}`)).status).toBe(204);
    expect(
      (await own.post('/webhooks', { url: `${receiverBase}/again`, events: ['execution.failed'] })).status,
    ).toBe(201);
  });

  it("hides another tenant's webhooks (404, never 403)", async () => {
    const mine = await createHook({ url: `${receiverBase}/iso`, events: ['execution.completed'] });
    const other = await newTenant();
    const otherApi = client(other);
    expect((await otherApi.get(`/webhooks/${mine.webhookId}/deliveries`)).status).toBe(404);
    expect((await otherApi.del(`/webhooks/${mine.webhookId}`)).status).toBe(404);
    expect((await otherApi.get('/webhooks')).body.webhooks).toEqual([]);
    for (const [method, path] of [
      ['GET', '/webhooks'],
      ['POST', '/webhooks'],
      ['DELETE', `/webhooks/${mine.webhookId}`],
      ['GET', `/webhooks/${mine.webhookId}/deliveries`],
    ] as const) {
      const res = await call(method, `${tenant.base}${path}`, {
        token: other.token,
        json: method === 'POST' ? { url: `${receiverBase}/x`, events: ['execution.completed'] } : undefined,
      });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await call('GET', `${tenant.base}/webhooks`)).status).toBe(401);
    expect((await api.get(`/webhooks/${mine.webhookId}/deliveries`)).status).toBe(200);
  });
});

describe('webhook deliveries', () => {
  it('delivers a signed execution.completed POST when a run completes, once', async () => {
    const notebookId = await upload(api, notebookOf(['print("hello")', 'x = 1']));
    const hook = await createHook({
      url: `${receiverBase}/done`,
      events: ['execution.completed'],
      notebookId,
    });
    const failedOnly = await createHook({ url: `${receiverBase}/failed-only`, events: ['execution.failed'] });
    const run = await execute(api, notebookId);
    const status = await waitForRun(api, notebookId, run.executionId);
    expect(status.status).toBe('Completed');

    const request = await waitFor('the delivery', () => received.find((r) => r.path === '/done'));
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('Cellwise-Webhooks/1');
    expect(request.headers['cellwise-event']).toBe('execution.completed');
    const signature = String(request.headers['cellwise-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(signature, request.body, hook.secret)).toBe(true);
    expect(verifySignature(signature, `${request.body} `, hook.secret)).toBe(false);
    expect(verifySignature(signature, request.body, failedOnly.secret)).toBe(false);

    const payload = JSON.parse(request.body);
    expect(payload).toMatchObject({
      event: 'execution.completed',
      deliveryId: request.headers['cellwise-delivery-id'],
      data: {
        executionId: run.executionId,
        notebookId,
        status: 'Completed',
        trigger: 'api',
        error: null,
        progress: { totalCells: 2, completedCells: 2, successfulCells: 2, failedCells: 0, skippedCells: 0 },
        diffFromLastSuccessful: null,
      },
    });
    expect(payload.data.startTime).toBe(status.startTime);
    expect(payload.data.endTime).toBe(status.endTime);
    expect(payload.data.totalDurationSeconds).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(payload.timestamp))).toBe(false);

    const [delivery] = await waitFor('the success to be recorded', async () => {
      const list = await deliveriesOf(hook.webhookId);
      return list[0]?.status === 'succeeded' ? list : undefined;
    });
    expect(delivery).toMatchObject({
      deliveryId: payload.deliveryId,
      event: 'execution.completed',
      executionId: run.executionId,
      notebookId,
      status: 'succeeded',
      attempts: 1,
      responseStatus: 200,
      error: null,
      nextAttemptAt: null,
    });
    expect(delivery.lastAttemptAt).toBeTypeOf('string');
    // Sweeps keep running every second: nothing is sent twice, the other webhook gets nothing.
    await new Promise((r) => setTimeout(r, 2500));
    expect(received.filter((r) => r.path === '/done')).toHaveLength(1);
    expect(received.filter((r) => r.path === '/failed-only')).toHaveLength(0);
    expect(await deliveriesOf(failedOnly.webhookId)).toEqual([]);
  });

  it('delivers execution.failed for a run that ends in Error, and skips webhooks of other notebooks', async () => {
    const notebookId = await upload(api, notebookOf(['raise ValueError("boom")']));
    const otherNotebook = await upload(api, notebookOf(['1']));
    const hook = await createHook({ url: `${receiverBase}/failed`, events: ['execution.failed'] });
    const elsewhere = await createHook({
      url: `${receiverBase}/elsewhere`,
      events: ['execution.failed'],
      notebookId: otherNotebook,
    });
    const run = await execute(api, notebookId);
    expect((await waitForRun(api, notebookId, run.executionId)).status).toBe('Error');
    const request = await waitFor('the delivery', () => received.find((r) => r.path === '/failed'));
    const payload = JSON.parse(request.body);
    expect(payload).toMatchObject({
      event: 'execution.failed',
      data: {
        executionId: run.executionId,
        status: 'Error',
        error: { errorType: 'CellError' },
        // The notebook never ran to completion: nothing to compare with.
        diffFromLastSuccessful: null,
      },
    });
    expect(verifySignature(String(request.headers['cellwise-signature']), request.body, hook.secret)).toBe(
      true,
    );
    expect(await deliveriesOf(elsewhere.webhookId)).toEqual([]);
  });

  it('carries a failed run’s brief diff against the last successful run when the notebook had one', async () => {
    const notebookId = await upload(
      api,
      notebookOf([
        { source: 'n = 1\nfail = False', tags: ['parameters'] },
        'print(n)',
        'assert not fail, "told to fail"',
        'print("done")',
      ]),
    );
    const good = await execute(api, notebookId, { parameters: { n: 1, fail: false } });
    expect((await waitForRun(api, notebookId, good.executionId)).status).toBe('Completed');
    await createHook({ url: `${receiverBase}/diff`, events: ['execution.failed'], notebookId });
    const bad = await execute(api, notebookId, { parameters: { n: 2, fail: true } });
    expect((await waitForRun(api, notebookId, bad.executionId)).status).toBe('Error');
    const request = await waitFor('the delivery', () => received.find((r) => r.path === '/diff'));
    expect(JSON.parse(request.body).data.diffFromLastSuccessful).toEqual({
      againstExecutionId: good.executionId,
      cells: [
        { cellId: 'c3', before: 'Success', after: 'Error' },
        { cellId: 'c4', before: 'Success', after: 'NotRun' },
      ],
      firstError: { cellId: 'c3', ename: 'AssertionError', evalue: 'told to fail' },
      parameters: [
        { name: 'n', change: 'changed', before: 1, after: 2 },
        { name: 'fail', change: 'changed', before: false, after: true },
      ],
      truncated: false,
    });
  });

  it('delivers execution.cancelled for a cancelled run', async () => {
    const notebookId = await upload(api, notebookOf(['import time\ntime.sleep(60)']));
    const hook = await createHook({
      url: `${receiverBase}/cancelled`,
      events: ['execution.cancelled', 'execution.completed'],
      notebookId,
    });
    const run = await execute(api, notebookId);
    await waitUntil(
      api,
      notebookId,
      run.executionId,
      (s) => s.status === 'Running' && s.currentCell === 'c1',
    );
    expect((await api.post(`/notebook/${notebookId}/execution/${run.executionId}/cancel`)).status).toBe(202);
    expect((await waitForRun(api, notebookId, run.executionId)).status).toBe('Cancelled');
    const request = await waitFor('the delivery', () => received.find((r) => r.path === '/cancelled'));
    expect(JSON.parse(request.body)).toMatchObject({
      event: 'execution.cancelled',
      data: { executionId: run.executionId, status: 'Cancelled' },
    });
    expect(request.headers['cellwise-event']).toBe('execution.cancelled');
    expect(verifySignature(String(request.headers['cellwise-signature']), request.body, hook.secret)).toBe(
      true,
    );
  });

  it('retries with backoff until the receiver answers 2xx, recording the attempts', async () => {
    failuresBefore.set('/flaky', 2);
    const notebookId = await upload(api, notebookOf(['1 + 1']));
    const hook = await createHook({
      url: `${receiverBase}/flaky`,
      events: ['execution.completed'],
      notebookId,
    });
    const run = await execute(api, notebookId);
    await waitForRun(api, notebookId, run.executionId);
    const [delivery] = await waitFor('the third attempt to succeed', async () => {
      const list = await deliveriesOf(hook.webhookId);
      return list[0]?.status === 'succeeded' ? list : undefined;
    });
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3, responseStatus: 200, error: null });
    const attempts = received.filter((r) => r.path === '/flaky');
    expect(attempts).toHaveLength(3);
    // Backoff: 1 s, then 2 s (the sweep runs every second, so a beat later at most).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(1900);
    // Every attempt sends the same body with the same delivery id.
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers['cellwise-delivery-id'])).size).toBe(1);
  });

  it('marks a delivery failed after the last attempt, with the last answer', async () => {
    failuresBefore.set('/down', -1);
    const notebookId = await upload(api, notebookOf(['2 + 2']));
    const hook = await createHook({
      url: `${receiverBase}/down`,
      events: ['execution.completed'],
      notebookId,
    });
    const run = await execute(api, notebookId);
    await waitForRun(api, notebookId, run.executionId);
    const pending = await waitFor('a retry to be scheduled', async () => {
      const list = await deliveriesOf(hook.webhookId);
      return list[0]?.attempts >= 1 && list[0]?.status === 'pending' && list[0]?.error ? list[0] : undefined;
    });
    expect(pending.nextAttemptAt).toBeTypeOf('string');
    expect(pending.error).toContain('500');
    const [delivery] = await waitFor(
      'the delivery to fail',
      async () => {
        const list = await deliveriesOf(hook.webhookId);
        return list[0]?.status === 'failed' ? list : undefined;
      },
      40_000,
    );
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 4,
      responseStatus: 500,
      nextAttemptAt: null,
    });
    expect(delivery.error).toContain('HTTP 500');
    await new Promise((r) => setTimeout(r, 1500));
    expect(received.filter((r) => r.path === '/down')).toHaveLength(4);
  });

  it('ends a run Completed promptly when its receivers refuse connections or never answer', async () => {
    // A receiver that takes the request and never answers (an attempt waits the full 10 s).
    const hung: { at: number; path: string }[] = [];
    const sockets = new Set<Socket>();
    const silent = createServer((req) => {
      hung.push({ at: Date.now(), path: req.url ?? '' });
    });
    silent.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentBase = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
    // A port nobody listens on any more: connections are refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refusedBase = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    try {
      const notebookId = await upload(api, notebookOf(['print("hello")']));
      const events = ['execution.completed'];
      const hanging = await createHook({ url: `${silentBase}/hang`, events, notebookId });
      const refused = await createHook({ url: `${refusedBase}/refused`, events, notebookId });

      // Waiting for the silent receiver would take at least its attempt timeout (10 s; the
      // refused one fails fast, its retries come 1, 2 and 4 s later). A trivial run takes about
      // a second; 8 s leaves room for a loaded machine and still tells the two apart.
      const prompt = 8000;
      for (const round of [1, 2]) {
        const submitted = Date.now();
        const run = await execute(api, notebookId);
        const status = await waitForRun(api, notebookId, run.executionId);
        const elapsed = Date.now() - submitted;
        expect(status.status).toBe('Completed');
        expect(elapsed, `round ${round}: ${elapsed} ms to Completed`).toBeLessThan(prompt);
        // Nor did its workflow (Finalize) wait for them after the run was recorded.
        const workflow = await workflowEnd(run.executionId);
        expect(workflow.status).toBe('SUCCEEDED');
        expect(workflow.stopDate - submitted, `round ${round}: workflow ended after`).toBeLessThan(prompt);
        expect((await api.get(`/notebook/${notebookId}`)).body.status).toBe('Ready');
        // The deliveries were really attempted: the silent receiver holds one request per run.
        await waitFor(`the silent receiver's request ${round}`, () =>
          hung.length >= round ? true : undefined,
        );
      }
      const refusedDelivery = await waitFor('the refused attempt to be recorded', async () => {
        const list = await deliveriesOf(refused.webhookId);
        return list.length === 2 && list.every((d) => d.attempts >= 1 && d.error) ? list[0] : undefined;
      });
      expect(refusedDelivery).toMatchObject({ status: 'pending', responseStatus: null });
      expect(refusedDelivery.error).toMatch(/ECONNREFUSED/);
      expect(refusedDelivery.nextAttemptAt).toBeTypeOf('string');
      // The silent receiver's attempts are still open: nobody waited for them.
      const open = await deliveriesOf(hanging.webhookId);
      expect(open).toHaveLength(2);
      expect(open.every((d) => d.status === 'pending' && d.responseStatus === null)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
