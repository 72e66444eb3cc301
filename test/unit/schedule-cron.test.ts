import { describe, expect, it } from 'vitest';
import { CronSyntaxError, parseCron, toEventBridgeCron } from '../../functions/core/schedule/cron.ts';
import {
  instantsOf,
  isKnownTimeZone,
  latestFireAtOrBefore,
  nextFireTimes,
} from '../../functions/core/schedule/next-fire.ts';
import { upcomingRuns } from '../../functions/core/schedule/schedule.ts';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const next = (expr: string, tz: string, after: string, n: number) =>
  iso(nextFireTimes(parseCron(expr), tz, new Date(after), n));

describe('unit', () => {
  describe('parseCron', () => {
    it('expands numbers, ranges, steps, lists and names', () => {
      const c = parseCron('*/15 1-5/2 ? JAN-MAR,dec MON,WED-FRI');
      expect([...c.minutes]).toEqual([0, 15, 30, 45]);
      expect([...c.hours]).toEqual([1, 3, 5]);
      expect([...c.months]).toEqual([1, 2, 3, 12]);
      expect([...c.daysOfWeek].sort()).toEqual([1, 3, 4, 5]);
      expect(c.dayField).toBe('dayOfWeek');
    });

    it('treats 0 and 7 as Sunday and a/n as a step to the end of the range', () => {
      expect([...parseCron('0 0 * * 7').daysOfWeek]).toEqual([0]);
      expect([...parseCron('5/20 * * * *').minutes]).toEqual([5, 25, 45]);
    });

    it.each([
      ['0 2 * *', 'five fields'],
      ['60 2 * * *', 'minute: 60 is outside 0-59'],
      ['0 24 * * *', 'hour: 24 is outside 0-23'],
      ['0 0 0 * *', 'day-of-month: 0 is outside 1-31'],
      ['0 0 * 13 *', 'month: 13 is outside 1-12'],
      ['0 0 * FOO *', "month: 'FOO' is not a number or name"],
      ['5-1 * * * *', 'ends before it starts'],
      ['*/0 * * * *', 'step must be at least 1'],
      ['0 ? * * *', "'?' is only allowed"],
      ['0 0 L * *', 'not supported'],
      ['0 2 1 * MON', 'cannot both be restricted'],
    ])('rejects %j', (expr, message) => {
      expect(() => parseCron(expr)).toThrow(CronSyntaxError);
      expect(() => parseCron(expr)).toThrow(message);
    });
  });

  describe('toEventBridgeCron', () => {
    it.each([
      ['0 2 * * *', 'cron(0 2 * * ? *)'],
      ['*/15 * * * *', 'cron(0/15 * * * ? *)'],
      ['0 9 * * 1-5', 'cron(0 9 ? * MON-FRI *)'],
      ['0 12 * * 0,6', 'cron(0 12 ? * SUN,SAT *)'],
      ['30 6 1,15 * ?', 'cron(30 6 1,15 * ? *)'],
      ['0 0-6/3 * JAN-MAR *', 'cron(0 0,3,6 * 1-3 ? *)'],
    ])('writes %j as %j', (expr, expected) => {
      expect(toEventBridgeCron(parseCron(expr))).toBe(expected);
    });
  });

  describe('next fire times', () => {
    it('computes UTC fire times', () => {
      expect(next('0 2 * * *', 'UTC', '2027-01-01T02:00:00Z', 2)).toEqual([
        '2027-01-02T02:00:00.000Z',
        '2027-01-03T02:00:00.000Z',
      ]);
      expect(next('0 9 * * MON', 'UTC', '2027-01-01T00:00:00Z', 1)).toEqual(['2027-01-04T09:00:00.000Z']);
    });

    it('knows IANA zones and refuses others', () => {
      expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
      expect(isKnownTimeZone('UTC')).toBe(true);
      expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
    });

    it('finds no, one or two instants for a Berlin wall-clock time', () => {
      expect(instantsOf(Date.UTC(2027, 2, 28, 2, 30), 'Europe/Berlin')).toEqual([]);
      expect(instantsOf(Date.UTC(2027, 2, 28, 3, 30), 'Europe/Berlin')).toEqual([
        Date.UTC(2027, 2, 28, 1, 30),
      ]);
      expect(instantsOf(Date.UTC(2027, 9, 31, 2, 30), 'Europe/Berlin')).toEqual([
        Date.UTC(2027, 9, 31, 0, 30),
        Date.UTC(2027, 9, 31, 1, 30),
      ]);
    });

    // EventBridge Scheduler: a fire time in the skipped hour of spring-forward is skipped.
    it('skips a fire time that does not exist at the March change in Europe/Berlin', () => {
      expect(next('30 2 * * *', 'Europe/Berlin', '2027-03-26T12:00:00Z', 3)).toEqual([
        '2027-03-27T01:30:00.000Z', // 02:30 CET
        '2027-03-29T00:30:00.000Z', // 02:30 CEST; 28 March 02:30 does not exist
        '2027-03-30T00:30:00.000Z',
      ]);
      // Times around the gap keep their wall-clock time and move to the new offset.
      expect(next('0 3 * * *', 'Europe/Berlin', '2027-03-27T12:00:00Z', 1)).toEqual([
        '2027-03-28T01:00:00.000Z',
      ]);
    });

    // EventBridge Scheduler: the repeated hour of fall-back runs only once.
    it('fires a repeated time once, at its first occurrence, at the October change', () => {
      expect(next('30 2 * * *', 'Europe/Berlin', '2027-10-30T12:00:00Z', 2)).toEqual([
        '2027-10-31T00:30:00.000Z', // 02:30 CEST (the first 02:30), not again at 01:30Z
        '2027-11-01T01:30:00.000Z', // 02:30 CET
      ]);
      expect(next('*/30 * * * *', 'Europe/Berlin', '2027-10-30T23:45:00Z', 5)).toEqual([
        '2027-10-31T00:00:00.000Z', // 02:00 CEST
        '2027-10-31T00:30:00.000Z', // 02:30 CEST
        // 02:00 and 02:30 CET (01:00Z, 01:30Z) are the repeated hour: no fire
        '2027-10-31T02:00:00.000Z', // 03:00 CET
        '2027-10-31T02:30:00.000Z',
        '2027-10-31T03:00:00.000Z',
      ]);
    });

    it('from inside the repeated hour, the next fire is after it', () => {
      expect(next('30 2 * * *', 'Europe/Berlin', '2027-10-31T01:00:00Z', 1)).toEqual([
        '2027-11-01T01:30:00.000Z',
      ]);
    });

    it('finds the latest due fire time, bounded by when the schedule took effect', () => {
      const cron = parseCron('30 2 * * *');
      const latest = (now: string, since: string) =>
        latestFireAtOrBefore(cron, 'Europe/Berlin', new Date(now), new Date(since))?.toISOString();
      expect(latest('2027-03-28T12:00:00Z', '2027-01-01T00:00:00Z')).toBe('2027-03-27T01:30:00.000Z');
      expect(latest('2027-03-27T01:30:00Z', '2027-01-01T00:00:00Z')).toBe('2027-03-27T01:30:00.000Z');
      expect(latest('2027-03-27T01:00:00Z', '2027-03-26T12:00:00Z')).toBeUndefined();
      expect(
        latestFireAtOrBefore(parseCron('0 0 1 1 *'), 'UTC', new Date('2027-12-31T00:00Z'), new Date(0)),
      ).toEqual(new Date('2027-01-01T00:00Z'));
    });

    it('shows upcoming runs only while autoExecution is on', () => {
      const integration = {
        enrichmentMode: false,
        datasetBinding: null,
        outputFormat: null,
        autoExecution: true,
        scheduleExecution: '0 2 * * *',
        scheduleTimezone: 'Europe/Berlin',
      };
      expect(upcomingRuns(integration, new Date('2027-01-01T00:00Z'))).toEqual([
        '2027-01-01T01:00:00.000Z',
        '2027-01-02T01:00:00.000Z',
        '2027-01-03T01:00:00.000Z',
      ]);
      expect(upcomingRuns({ ...integration, autoExecution: false }, new Date())).toEqual([]);
    });
  });
});
