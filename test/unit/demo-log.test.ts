import { describe, expect, it } from 'vitest';
import { addOfficeMinutes, nextOfficeTime } from '../../functions/core/demo/business-time.ts';
import {
  DEMO_COLUMNS,
  DEMO_START_ACTIVITY,
  type DemoEvent,
  demoLogCsv,
  generateLoanLog,
} from '../../functions/core/demo/loan-log.ts';

const events = generateLoanLog();
const byCase = new Map<string, DemoEvent[]>();
for (const e of events) {
  const list = byCase.get(e.case_id) ?? [];
  list.push(e);
  byCase.set(e.case_id, list);
}
const OFFICE = new Set(['Check Completeness', 'Review Application', 'Manager Approval', 'Send Offer']);

describe('unit', () => {
  it('generates the same log for the same seed and another one for another seed', () => {
    expect(demoLogCsv(generateLoanLog())).toBe(demoLogCsv(events));
    expect(demoLogCsv(generateLoanLog({ seed: 7 }))).not.toBe(demoLogCsv(events));
  });

  it('has about 15,000 events in about 1,700 cases with the documented columns', () => {
    expect(events.length).toBeGreaterThan(14_000);
    expect(events.length).toBeLessThan(16_000);
    expect(byCase.size).toBe(1_720);
    expect(demoLogCsv(events).split('\n')[0]).toBe(DEMO_COLUMNS.join(','));
    expect(demoLogCsv(events).trimEnd().split('\n')).toHaveLength(events.length + 1);
  });

  it('starts every case with the start activity and increases timestamps within a case', () => {
    for (const [, list] of byCase) {
      expect(list[0]!.activity).toBe(DEMO_START_ACTIVITY);
      for (let i = 1; i < list.length; i++)
        expect(Date.parse(list[i]!.timestamp)).toBeGreaterThan(Date.parse(list[i - 1]!.timestamp));
    }
    expect(events.every((e) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(e.timestamp))).toBe(true);
  });

  it('keeps case attributes constant within a case', () => {
    for (const [, list] of byCase) {
      const first = list[0]!;
      for (const e of list) {
        expect([e.customer_id, e.loan_type, e.channel, e.amount]).toEqual([
          first.customer_id,
          first.loan_type,
          first.channel,
          first.amount,
        ]);
      }
    }
  });

  it('contains rework: cases repeating an activity after requesting missing documents', () => {
    const rework = [...byCase.values()].filter((list) => {
      const names = list.map((e) => e.activity);
      return new Set(names).size < names.length;
    });
    expect(rework.length).toBeGreaterThan(byCase.size * 0.2);
    expect(rework.length).toBeLessThan(byCase.size * 0.6);
    expect(events.some((e) => e.activity === 'Request Missing Documents')).toBe(true);
  });

  it('does office work on weekdays between 08:00 and 17:00 UTC, by a few named resources', () => {
    const office = events.filter((e) => OFFICE.has(e.activity));
    expect(office.length).toBeGreaterThan(5_000);
    for (const e of office) {
      const at = new Date(e.timestamp);
      expect([0, 6]).not.toContain(at.getUTCDay());
      expect(at.getUTCHours()).toBeGreaterThanOrEqual(8);
      expect(at.getUTCHours()).toBeLessThan(17);
    }
    const resources = new Set(office.map((e) => e.resource));
    expect(resources.size).toBeGreaterThanOrEqual(4);
    expect(resources.size).toBeLessThanOrEqual(8);
  });

  it('only approves large loans after a manager approval', () => {
    for (const [, list] of byCase) {
      const names = list.map((e) => e.activity);
      if (list[0]!.amount > 50_000 && names.includes('Approve Application'))
        expect(names.indexOf('Manager Approval')).toBeGreaterThan(-1);
    }
  });
});

describe('unit: office time', () => {
  const at = (iso: string) => Date.parse(iso);

  it('moves a time outside office hours to the next opening', () => {
    expect(nextOfficeTime(at('2024-01-05T18:30:00Z'))).toBe(at('2024-01-08T08:00:00Z')); // Fri evening → Mon
    expect(nextOfficeTime(at('2024-01-06T12:00:00Z'))).toBe(at('2024-01-08T08:00:00Z')); // Saturday → Mon
    expect(nextOfficeTime(at('2024-01-08T07:00:00Z'))).toBe(at('2024-01-08T08:00:00Z'));
    expect(nextOfficeTime(at('2024-01-08T10:00:00Z'))).toBe(at('2024-01-08T10:00:00Z'));
  });

  it('adds office minutes across evenings and weekends', () => {
    expect(addOfficeMinutes(at('2024-01-05T16:00:00Z'), 120)).toBe(at('2024-01-08T09:00:00Z'));
    expect(addOfficeMinutes(at('2024-01-08T09:00:00Z'), 9 * 60)).toBe(at('2024-01-09T09:00:00Z'));
  });
});
