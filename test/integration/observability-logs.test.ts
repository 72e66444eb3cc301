import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStack, spawnStack } from '../../local-stack/spawn-stack.ts';
import { call, newTenant, type Tenant } from '../support/api.ts';
import { debugStackEnv } from '../support/debug-stack.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/*
 * The logs of a full run, as the local stack prints them (the same lines as in AWS, through
 * Powertools' logger), on a stack of its own at debug level: every line is one JSON object of
 * the same shape, carries the ids of what it is about, and none holds a token, a secret or
 * notebook source.
 */

/** A cell that looks like it holds a secret: its source must never reach a log. */
const SECRET_CELL =
  'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz"\nprint(len(AWS_SECRET_ACCESS_KEY))';
const SECRET_PARAMETER = 'sk-live-51HxParameterSecretDoNotLog';

let running: RunningStack;
let tenant: Tenant;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

type Line = Record<string, unknown>;
const jsonLines = (): Line[] =>
  running
    .output()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Line];
      } catch {
        return [];
      }
    });

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  running = await spawnStack(debugStackEnv('cellwise-logs-'));
  tenant = await newTenant({ on: running.info });
}, 180_000);

afterAll(async () => {
  await running?.stop();
  await receiver?.close();
});

describe('logs of a full run', () => {
  it('never hold the token, a secret, a link, a webhook secret or notebook source, and carry the ids of what they are about', async () => {
    const base = running.info.baseUrl;
    const api = (method: string, path: string, json?: unknown) =>
      call(method, `${tenant.base}${path}`, { token: tenant.token, json, baseUrl: base });
    const hook = await api('POST', '/webhooks', { url: receiver.url(), events: ['execution.completed'] });
    expect(hook.status, hook.text).toBe(201);
    const secret = hook.body.secret as string;
    const nb = await api('POST', '/notebook', {
      notebookName: 'secrets',
      initialCells: [
        { cellType: 'code', content: 'api_key = "placeholder"', tags: ['parameters'] },
        { cellType: 'code', content: SECRET_CELL },
      ],
    });
    expect(nb.status, nb.text).toBe(201);
    const notebookId = nb.body.notebookId as string;
    const run = await api('POST', `/notebook/${notebookId}/execute`, {
      parameters: { api_key: SECRET_PARAMETER },
    });
    expect(run.status, run.text).toBe(202);
    const executionId = run.body.executionId as string;
    const deadline = Date.now() + 90_000;
    let status = '';
    while (Date.now() < deadline && !['Completed', 'Error', 'Cancelled'].includes(status)) {
      await new Promise((r) => setTimeout(r, 500));
      status = (await api('GET', `/notebook/${notebookId}/execution/${executionId}`)).body.status;
    }
    expect(status).toBe('Completed');
    while (Date.now() < deadline && receiver.deliveries.length === 0)
      await new Promise((r) => setTimeout(r, 250));
    expect(receiver.deliveries.length).toBeGreaterThan(0);
    const link = (await api('GET', `/notebook/${notebookId}/url?expiresIn=60`)).body.url as string;
    const linkToken = link.slice(link.indexOf('#access=') + '#access='.length);
    expect(
      (await call('GET', `${tenant.base}/notebook/${notebookId}`, { token: linkToken, baseUrl: base }))
        .status,
    ).toBe(200);
    const badToken = 'cw_ThisTokenWasNeverIssuedAndMustNotBeLogged0000';
    expect((await call('GET', `${tenant.base}/notebooks`, { token: badToken, baseUrl: base })).status).toBe(
      403,
    );
    expect(
      (await api('POST', '/notebook', { notebookName: SECRET_PARAMETER, initialCells: 'x' })).status,
    ).toBe(400);
    await running.stop();

    const output = running.output();
    for (const [what, value] of [
      ['API token', tenant.token],
      ['webhook secret', secret],
      ['notebook link token', linkToken],
      ['refused token', badToken],
      ['secret-looking cell', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRETzz'],
      ['cell source', 'print(len(AWS_SECRET_ACCESS_KEY))'],
      ['secret parameter', SECRET_PARAMETER],
    ] as const) {
      expect(output.includes(value), `${what} in the logs`).toBe(false);
    }

    const lines = jsonLines();
    const ours = lines.filter((l) => l.service === 'cellwise');
    expect(ours.length).toBeGreaterThan(10);
    for (const line of ours) {
      expect(Object.keys(line).slice(0, 4), JSON.stringify(line)).toEqual([
        'level',
        'message',
        'timestamp',
        'service',
      ]);
      expect(line.level).toMatch(/^(DEBUG|INFO|WARN|ERROR)$/);
      expect(Number.isNaN(Date.parse(String(line.timestamp)))).toBe(false);
    }
    // A route's lines: its Lambda request id, API Gateway's request id, the route and the path's ids.
    const requests = ours.filter((l) => l.message === 'request' && l.executionId === executionId);
    expect(requests.length).toBeGreaterThan(0);
    for (const line of requests) {
      expect(line).toMatchObject({
        function_name: 'getExecution',
        function_request_id: expect.any(String),
        apiRequestId: expect.any(String),
        route: 'getExecution',
        tenantId: tenant.tenantId,
        projectId: tenant.projectId,
        notebookId,
        executionId,
        status: 200,
      });
    }
    // The workflow's tasks: the task and the run's ids, in the task's own invocation.
    const tasks = ours.filter((l) => l.message === 'workflow task' && l.executionId === executionId);
    expect(new Set(tasks.map((l) => l.task))).toEqual(new Set(['Prepare', 'RunCells', 'Finalize']));
    for (const line of tasks) {
      expect(line).toMatchObject({
        tenantId: tenant.tenantId,
        projectId: tenant.projectId,
        notebookId,
        function_request_id: expect.any(String),
      });
    }
    // No line of another request carries this run's ids by mistake (invocations run side by side).
    for (const line of ours.filter((l) => l.executionId === executionId)) {
      expect(['getExecution', 'executeNotebook', undefined]).toContain(line.route);
    }
    // The refused token was refused by the authorizer, and only the authorizer ran.
    expect(
      ours.some(
        (l) => l.message === 'denied: unknown, revoked or expired token' && l.function_name === 'Authorizer',
      ),
    ).toBe(true);
  });
});
