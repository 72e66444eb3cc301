import { describe, expect, it } from 'vitest';
import { isGuid, newId } from '../../functions/core/ids.ts';

describe('ids', () => {
  it('makes lower-case UUID version 7 ids', () => {
    const id = newId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isGuid(id.toUpperCase())).toBe(true);
  });

  it('orders ids by creation, also within one millisecond', () => {
    const ids = Array.from({ length: 500 }, () => newId(1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(500);
  });

  it('rejects strings that are not GUIDs', () => {
    for (const text of [
      '',
      'abc',
      '0196a1b2-0000-7000-8000-00000000000',
      '0196a1b2-0000-7000-8000-00000000000g',
    ]) {
      expect(isGuid(text)).toBe(false);
    }
  });
});
