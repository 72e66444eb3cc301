import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { synthesizeRunWorkflow } from '../../infra/run-workflow.ts';
import { WORKFLOW_TASKS } from '../../infra/workflow-tasks.ts';

describe('the run workflow on the local stack', () => {
  it('executes the definition CDK synthesizes, with every Task state mapped to its handler', async () => {
    const running = JSON.parse(
      await readFile(join(inject('stack').dataDir, 'workflow', 'run-workflow.asl.json'), 'utf8'),
    );
    // What CDK synthesizes now, from the same construct the tenant stack deploys
    // (test/infra/tenant-runs.test.ts proves the tenant stack's definition is this one).
    expect(running).toEqual(synthesizeRunWorkflow());
    const tasks = Object.entries(running.States as Record<string, { Type: string }>)
      .filter(([, state]) => state.Type === 'Task')
      .map(([name]) => name)
      .sort();
    expect(tasks).toEqual(WORKFLOW_TASKS.map((t) => t.state).sort());
    expect(running.StartAt).toBe('Prepare');
  });

  it('lets every Task state wait as long as its Lambda may run, not ASL’s default 60 s', () => {
    const states = synthesizeRunWorkflow().States as Record<
      string,
      { Type: string; TimeoutSeconds?: number }
    >;
    for (const task of WORKFLOW_TASKS) {
      // A RunCells task works a 60 s slice locally (120 s in AWS): a 60 s state timeout failed it.
      expect(states[task.state]!.TimeoutSeconds, task.state).toBe(task.timeoutSeconds + 30);
    }
  });
});
