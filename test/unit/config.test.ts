import { describe, expect, it } from 'vitest';
import { loadConfig, positive } from '../../functions/adapters/config.ts';

const base = { CELLWISE_TABLE_NAME: 'table', CELLWISE_BUCKET_NAME: 'bucket' };
const scheduler = {
  CELLWISE_SCHEDULE_GROUP: 'cellwise-tenant-a',
  CELLWISE_SCHEDULER_TARGET_ARN: 'arn:aws:lambda:eu-central-1:123456789012:function:FireSchedule',
  CELLWISE_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/SchedulerInvoke',
};

describe('unit', () => {
  describe('loadConfig', () => {
    it('builds the EventBridge Scheduler config from the CELLWISE_SCHEDULE* variables when all three are set', () => {
      expect(loadConfig({ ...base, ...scheduler }).scheduler).toEqual({
        groupName: 'cellwise-tenant-a',
        targetArn: 'arn:aws:lambda:eu-central-1:123456789012:function:FireSchedule',
        roleArn: 'arn:aws:iam::123456789012:role/SchedulerInvoke',
      });
    });

    it('has no scheduler (the local loop fires) when any of the three is unset or empty', () => {
      expect(loadConfig(base).scheduler).toBeUndefined();
      for (const name of Object.keys(scheduler)) {
        const { [name]: _left, ...rest } = scheduler as Record<string, string>;
        expect(loadConfig({ ...base, ...rest }).scheduler, `without ${name}`).toBeUndefined();
        expect(loadConfig({ ...base, ...rest, [name]: '' }).scheduler, `empty ${name}`).toBeUndefined();
      }
    });

    it('reads the output limits per cell and per run, with their defaults, and refuses a bad one', () => {
      expect(loadConfig(base).outputLimits).toEqual({
        cellBytes: 32 * 1024 * 1024,
        cellOutputs: 50_000,
        runBytes: 256 * 1024 * 1024,
        runOutputs: 100_000,
      });
      const set = loadConfig({
        ...base,
        CELLWISE_MAX_CELL_OUTPUT_BYTES: '1000',
        CELLWISE_MAX_CELL_OUTPUTS: '10',
        CELLWISE_MAX_RUN_OUTPUT_BYTES: '5000',
        CELLWISE_MAX_RUN_OUTPUTS: '20',
      });
      expect(set.outputLimits).toEqual({ cellBytes: 1000, cellOutputs: 10, runBytes: 5000, runOutputs: 20 });
      expect(() => loadConfig({ ...base, CELLWISE_MAX_RUN_OUTPUTS: '0' })).toThrow(
        /CELLWISE_MAX_RUN_OUTPUTS/,
      );
      expect(() => loadConfig({ ...base, CELLWISE_MAX_CELL_OUTPUT_BYTES: '1.5' })).toThrow(
        /CELLWISE_MAX_CELL_OUTPUT_BYTES/,
      );
    });
  });

  describe('positive', () => {
    it('reads a positive integer, falls back when unset, and refuses anything else (no NaN interval)', () => {
      expect(positive({ X: '5' }, 'X', 60)).toBe(5);
      expect(positive({}, 'X', 60)).toBe(60);
      expect(positive({ X: '' }, 'X', 60)).toBe(60);
      for (const bad of ['abc', '0', '-1', '1.5'])
        expect(() => positive({ X: bad }, 'X', 60), bad).toThrow(/X must be a positive integer/);
    });
  });
});
