import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/adapters/config.ts';

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
  });
});
