import { describe, expect, it } from 'vitest';
import { bumpVersion, parseVersion, versionSortKey } from '../../functions/core/version.ts';

describe('notebook versions', () => {
  it('bumps MINOR and resets PATCH when cells change', () => {
    expect(bumpVersion('1.3.2', 'cells')).toBe('1.4.0');
  });

  it('bumps PATCH when only metadata changes', () => {
    expect(bumpVersion('1.3.2', 'metadata')).toBe('1.3.3');
  });

  it('rejects text that is not MAJOR.MINOR.PATCH', () => {
    for (const text of ['1.0', '01.0.0', '1.0.0-beta', 'a.b.c', '', '1.0.0.0'])
      expect(parseVersion(text)).toBeUndefined();
  });

  it('sorts versions numerically through their sort keys', () => {
    const versions = ['1.10.0', '1.9.3', '1.2.11', '2.0.0', '1.2.2'];
    const sorted = [...versions].sort((a, b) => versionSortKey(a).localeCompare(versionSortKey(b)));
    expect(sorted).toEqual(['1.2.2', '1.2.11', '1.9.3', '1.10.0', '2.0.0']);
  });
});
