import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsTelemetry } from '../../functions/adapters/powertools-telemetry.ts';
import { correlate, log, logLevelFrom } from '../../functions/observability/logger.ts';
import { observability } from '../../functions/observability/middlewares.ts';
import { METRIC } from '../../functions/observability/names.ts';
import { lambdaContext } from '../../local-stack/api-gateway-event.ts';
import { installLocalRuntime, invokeLocally } from '../../local-stack/lambda-runtime.ts';

/** Every JSON line written to stdout or stderr while `action` runs. */
async function captured(action: () => Promise<void> | void): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const take = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(take);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(take);
  try {
    await action();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}

afterEach(() => vi.restoreAllMocks());

describe('unit', () => {
  describe('observability', () => {
    it('maps CELLWISE_LOG_LEVEL to the logger level, info when unset or unknown', () => {
      expect(logLevelFrom({})).toBe('INFO');
      expect(logLevelFrom({ CELLWISE_LOG_LEVEL: 'warn' })).toBe('WARN');
      expect(logLevelFrom({ CELLWISE_LOG_LEVEL: 'silent' })).toBe('SILENT');
      expect(logLevelFrom({ CELLWISE_LOG_LEVEL: 'loud' })).toBe('INFO');
    });

    it('writes telemetry as EMF metrics in the namespace, with failed runs also counted by error type', async () => {
      const metrics = new Metrics({ namespace: 'Cellwise/test', serviceName: 'cellwise' });
      const telemetry = new PowertoolsTelemetry(metrics);
      const lines = await captured(() => {
        telemetry.runStarted({ trigger: 'api' });
        telemetry.runAdmitted({ queueWaitSeconds: 42 });
        telemetry.admissionRefused();
        telemetry.runEnded({ status: 'Error', errorType: 'CellError', cellSeconds: [0.5, 1.5] });
        telemetry.webhookDeliveries({ succeeded: 2, retrying: 0, failed: 1 });
        metrics.publishStoredMetrics();
      });
      const emf = lines.filter((l) => l._aws);
      const byError = emf.find((l) => l.ErrorType);
      expect(byError).toMatchObject({ ErrorType: 'CellError', service: 'cellwise', [METRIC.runsFailed]: 1 });
      expect(byError!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'ErrorType']]);
      const stored = emf.find((l) => !l.ErrorType)!;
      expect(stored._aws.CloudWatchMetrics[0].Namespace).toBe('Cellwise/test');
      expect(stored._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service']]);
      expect(stored).toMatchObject({
        service: 'cellwise',
        [METRIC.runsStarted]: 1,
        [METRIC.queueWait]: 42,
        [METRIC.admissionRefusals]: 1,
        [METRIC.runsFailed]: 1,
        [METRIC.cellsRun]: 2,
        [METRIC.cellDuration]: [0.5, 1.5],
        [METRIC.webhookDeliveriesSucceeded]: 2,
        [METRIC.webhookDeliveriesFailed]: 1,
      });
      expect(stored).not.toHaveProperty(METRIC.webhookDeliveriesRetrying);
    });

    it('logs problems even where nothing is measured, and never throws into the use-case', async () => {
      const telemetry = new PowertoolsTelemetry();
      const lines = await captured(() => {
        telemetry.problem('after run end: webhooks failed', { executionId: 'e1', error: 'boom' });
        telemetry.runEnded({ status: 'Completed', errorType: null, cellSeconds: [1] });
      });
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'ERROR',
          message: 'after run end: webhooks failed',
          service: 'cellwise',
          executionId: 'e1',
          error: 'boom',
        }),
      ]);
    });

    it("keeps each invocation's Lambda context and correlation keys to its own lines while invocations run side by side (the local runtime)", async () => {
      await installLocalRuntime();
      const handler = middy<{ id: string; wait: number }, void, Error, Context>()
        .use(observability())
        .handler(async (event) => {
          correlate({ executionId: event.id });
          await new Promise((r) => setTimeout(r, event.wait));
          log('info', 'step', { marker: event.id });
        });
      const lines = await captured(async () => {
        await Promise.all([
          invokeLocally(handler, { id: 'first', wait: 60 }, lambdaContext('One', 5, 'request-one')),
          invokeLocally(handler, { id: 'second', wait: 5 }, lambdaContext('Two', 5, 'request-two')),
        ]);
        log('info', 'outside');
      });
      const steps = lines.filter((l) => l.message === 'step');
      expect(steps).toHaveLength(2);
      for (const line of steps) {
        const own = line.marker === 'first' ? ['One', 'request-one'] : ['Two', 'request-two'];
        expect([line.function_name, line.function_request_id, line.executionId]).toEqual([
          ...own,
          line.marker,
        ]);
      }
      // Nothing of either invocation is left on lines written outside them.
      const outside = lines.find((l) => l.message === 'outside')!;
      expect(outside.executionId).toBeUndefined();
      expect(outside.function_request_id).toBeUndefined();
    });
  });
});
