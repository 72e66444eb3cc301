import { describe, expect, it } from 'vitest';
import { ColumnTypeInference } from '../../functions/core/dataset/column-types.ts';
import { normalizeTimestamp } from '../../functions/core/dataset/timestamp.ts';

const typeOf = (...values: string[]) => {
  const inference = new ColumnTypeInference();
  for (const v of values) inference.add(v);
  return inference.result();
};

describe('unit: dataset timestamps', () => {
  it('reads ISO-8601 with and without a zone as UTC', () => {
    expect(normalizeTimestamp('2024-01-31T08:15:00Z')).toBe('2024-01-31T08:15:00.000Z');
    expect(normalizeTimestamp('2024-01-31T08:15:00')).toBe('2024-01-31T08:15:00.000Z');
    expect(normalizeTimestamp('2024-01-31T08:15')).toBe('2024-01-31T08:15:00.000Z');
    expect(normalizeTimestamp('2024-01-31T08:15:00.123456+02:00')).toBe('2024-01-31T06:15:00.123Z');
    expect(normalizeTimestamp('2024-01-31T08:15:00-0530')).toBe('2024-01-31T13:45:00.000Z');
    expect(normalizeTimestamp('2024-01-31T08:15:00+02')).toBe('2024-01-31T06:15:00.000Z');
  });

  it("reads 'YYYY-MM-DD HH:MM:SS' and bare dates", () => {
    expect(normalizeTimestamp('2024-01-31 08:15:00')).toBe('2024-01-31T08:15:00.000Z');
    expect(normalizeTimestamp(' 2024-01-31 ')).toBe('2024-01-31T00:00:00.000Z');
  });

  it('reads epoch seconds and milliseconds by their digit count', () => {
    expect(normalizeTimestamp('1706688900')).toBe('2024-01-31T08:15:00.000Z');
    expect(normalizeTimestamp('1706688900.5')).toBe('2024-01-31T08:15:00.500Z');
    expect(normalizeTimestamp('1706688900123')).toBe('2024-01-31T08:15:00.123Z');
    expect(normalizeTimestamp('999999999')).toBe('2001-09-09T01:46:39.000Z');
  });

  it('refuses numbers too short to be epoch seconds (compact dates, years)', () => {
    for (const bad of ['20240131', '2024', '0', '12345678.5'])
      expect(normalizeTimestamp(bad), bad).toBeNull();
  });

  it('refuses impossible dates, locale formats and text', () => {
    for (const bad of [
      '2024-02-30',
      '2024-13-01',
      '2024-01-01T24:00:00',
      '31/01/2024',
      '01/31/2024',
      'Jan 31 2024',
      '',
      'soon',
      '12345678901234567',
    ])
      expect(normalizeTimestamp(bad), bad).toBeNull();
  });
});

describe('unit: dataset column types', () => {
  it('infers the narrowest type every value fits, ignoring empty values', () => {
    expect(typeOf('true', 'FALSE', '')).toBe('boolean');
    expect(typeOf('1', '-2', '+3')).toBe('integer');
    expect(typeOf('1', '2.5', '1e3', '.5')).toBe('float');
    expect(typeOf('2024-01-01', '2024-01-01T10:00:00Z')).toBe('datetime');
    expect(typeOf('1', 'a')).toBe('string');
    expect(typeOf('1706688900', '1706688901')).toBe('integer');
    expect(typeOf('2024-01-01', '5')).toBe('string');
  });

  it('calls a column with no values a string', () => {
    expect(typeOf()).toBe('string');
    expect(typeOf('', '')).toBe('string');
  });
});
