import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { resultsOf, streamText, waitForRun } from '../support/runs.ts';
import { scheduleHarness } from '../support/schedule-harness.ts';

/*
 * Secrets on schedules: `integration.scheduleSecrets` names project secrets that must exist
 * when the schedule is written and again at each fire; the fired run gets them in its kernel,
 * redacted from its outputs. Loops run here with injected clocks two years ahead.
 */

const YEAR = new Date().getUTCFullYear() + 2;
const VALUE = 'sched-Token/42+xyz';
const CELLS = [
  {
    cellType: 'code',
    content:
      'import os, hashlib\nv = os.environ["SCHED_TOKEN"]\nprint(hashlib.sha256(v.encode()).hexdigest())\nprint("token", v)',
  },
];

const harness = scheduleHarness(CELLS);
const { create } = harness;

describe('secrets on schedules', () => {
  it('refuses a schedule naming a secret the project does not have, or a malformed list', async () => {
    const unknown = await create('unknown secret', { scheduleSecrets: ['NOT_THERE'] });
    expect(unknown.status, unknown.text).toBe(400);
    expect(unknown.body.Error).toBe('SecretNotFound');
    expect(unknown.body.Details.map((d: { path: string }) => d.path)).toEqual([
      'body.integration.scheduleSecrets.0',
    ]);
    for (const scheduleSecrets of ['SCHED_TOKEN', ['lower'], ['A', 'A']]) {
      const res = await create('bad list', { scheduleSecrets });
      expect(res.status, res.text).toBe(400);
      expect(JSON.stringify(res.body.Details)).toContain('body.integration.scheduleSecrets');
    }
    // An update naming an unknown secret is refused the same way.
    const plain = await create('plain', {});
    expect(plain.status, plain.text).toBe(201);
    expect(plain.body.integration.scheduleSecrets).toBeNull();
    const update = await harness.api.put(`/notebook/${plain.body.notebookId}`, {
      name: 'plain',
      integration: { scheduleSecrets: ['NOT_THERE'] },
    });
    expect(update.status, update.text).toBe(400);
    expect(update.body.Error).toBe('SecretNotFound');
  });

  it('fires with the secret in the kernel (redacted from outputs), and records a fire as failed once the secret is gone', async () => {
    expect((await harness.api.put('/secrets/SCHED_TOKEN', { value: VALUE })).status).toBe(201);
    const nb = await create('with secret', { scheduleSecrets: ['SCHED_TOKEN'] });
    expect(nb.status, nb.text).toBe(201);
    expect(nb.body.integration.scheduleSecrets).toEqual(['SCHED_TOKEN']);
    const id = nb.body.notebookId as string;
    const outcomes: string[] = [];
    const loopAt = (now: string) => harness.loopFor(id, outcomes, now);
    await loopAt(`${YEAR}-06-02T09:00:20Z`).tick();
    expect(outcomes).toEqual(['started']);
    const runs = (await harness.api.get(`/notebook/${id}/executions`)).body.executions;
    expect(runs).toHaveLength(1);
    const status = await waitForRun(harness.api, id, runs[0].executionId);
    expect(status.status).toBe('Completed');
    expect(status.secrets).toEqual(['SCHED_TOKEN']);
    const { executed } = await resultsOf(harness.api, id, runs[0].executionId);
    const sha = createHash('sha256').update(VALUE).digest('hex');
    expect(streamText(executed.cells[0])).toBe(`${sha}\ntoken [secret:SCHED_TOKEN]\n`);

    // The secret is deleted: the next fire is refused (recorded as failed), no run starts.
    expect((await harness.api.del('/secrets/SCHED_TOKEN')).status).toBe(204);
    await loopAt(`${YEAR}-06-03T09:00:20Z`).tick();
    expect(outcomes).toEqual(['started', 'failed']);
    expect((await harness.api.get(`/notebook/${id}/executions`)).body.executions).toHaveLength(1);
  }, 120_000);
});
