import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../functions/core/run/unified-diff.ts';

const lines = (n: number, f = (i: number) => `line ${i}`) =>
  Array.from({ length: n }, (_, i) => `${f(i)}\n`).join('');

describe('unit', () => {
  it('returns null when the texts have the same lines', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBeNull();
    expect(unifiedDiff('a\nb', 'a\nb\n')).toBeNull();
  });

  it('writes one hunk with three lines of context when one line changes', () => {
    const diff = unifiedDiff(
      lines(10),
      lines(10, (i) => (i === 5 ? 'changed' : `line ${i}`)),
    )!;
    expect(diff.unified).toBe(
      '@@ -3,7 +3,7 @@\n line 2\n line 3\n line 4\n-line 5\n+changed\n line 6\n line 7\n line 8\n',
    );
    expect(diff).toMatchObject({ added: 1, removed: 1, truncated: false });
  });

  it('writes hunks for an added text and a removed one', () => {
    expect(unifiedDiff('', 'x\ny\n')!.unified).toBe('@@ -0,0 +1,2 @@\n+x\n+y\n');
    expect(unifiedDiff('x\n', '')!.unified).toBe('@@ -1,1 +0,0 @@\n-x\n');
  });

  it('keeps far apart changes in separate hunks and merges close ones', () => {
    const far = unifiedDiff(
      lines(30),
      lines(30, (i) => (i === 2 || i === 25 ? `new ${i}` : `line ${i}`)),
    )!;
    expect(far.unified.match(/^@@/gm)).toHaveLength(2);
    const close = unifiedDiff(
      lines(30),
      lines(30, (i) => (i === 2 || i === 7 ? `new ${i}` : `line ${i}`)),
    )!;
    expect(close.unified.match(/^@@/gm)).toHaveLength(1);
    expect(close.unified.startsWith('@@ -1,11 +1,11 @@\n')).toBe(true);
  });

  it('finds the longest common lines when lines move', () => {
    const diff = unifiedDiff('a\nb\nc\nd\n', 'b\nc\na\nd\n')!;
    expect(diff).toMatchObject({ added: 1, removed: 1 });
    expect(diff.unified).toBe('@@ -1,4 +1,4 @@\n-a\n b\n c\n+a\n d\n');
  });

  it('cuts the hunks at maxLines and says so, still counting every change', () => {
    const diff = unifiedDiff('', lines(500))!;
    expect(diff.unified.split('\n').length - 1).toBe(200);
    expect(diff).toMatchObject({ added: 500, removed: 0, truncated: true });
  });

  it('cuts the hunks at maxBytes with whole lines', () => {
    const diff = unifiedDiff(
      '',
      lines(100, () => 'x'.repeat(1000)),
    )!;
    expect(Buffer.byteLength(diff.unified)).toBeLessThanOrEqual(16 * 1024);
    expect(diff.unified.endsWith('\n')).toBe(true);
    expect(diff.truncated).toBe(true);
  });

  it('replaces the middle whole when too many lines differ to compare them all', () => {
    const diff = unifiedDiff(
      lines(3000, (i) => `a${i}`),
      lines(3000, (i) => `b${i}`),
      { maxLines: 10_000, maxBytes: 1e9 },
    )!;
    expect(diff).toMatchObject({ added: 3000, removed: 3000, truncated: false });
  });
});
