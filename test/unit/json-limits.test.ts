import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertJsonDepth,
  decodeUtf8,
  depthExceededAt,
  firstInvalidUtf8Byte,
  MAX_JSON_DEPTH,
} from '../../functions/core/json-limits.ts';

/** How deep objects and arrays nest in a parsed value (a scalar: 0). */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

/** Strings full of the characters the scanner must not take for structure. */
const tricky = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ' ') });

describe('depthExceededAt', () => {
  it('finds exactly the depth JSON.parse builds, whatever the strings hold', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 8, stringUnit: fc.constantFrom('[', '{', '"', '\\', 'x') }),
        (value) => {
          const text = JSON.stringify(value);
          const depth = depthOf(value);
          expect(depthExceededAt(text, depth)).toBe(-1);
          if (depth > 0) expect(depthExceededAt(text, depth - 1)).toBeGreaterThanOrEqual(0);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });

  it('does not count brackets inside strings, escaped quotes and backslashes included', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const text = JSON.stringify({ a: [s, { b: s }] });
        expect(depthExceededAt(text, 3)).toBe(-1);
        expect(depthExceededAt(text, 2)).toBeGreaterThanOrEqual(0);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('refuses 100,000 levels with RequestTooDeep naming the limit and where, without recursing', () => {
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(() => assertJsonDepth(text, 'body')).toThrow(
      expect.objectContaining({
        code: 'RequestTooDeep',
        context: { Limit: MAX_JSON_DEPTH },
        message: expect.stringContaining(`line 1, column ${MAX_JSON_DEPTH + 1}`),
      }),
    );
  });
});

describe('firstInvalidUtf8Byte', () => {
  it('agrees with a fatal TextDecoder on any bytes, and everything before it decodes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const decodes = (bytes: Uint8Array) => {
      try {
        strict.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Mostly valid UTF-8 with a few bytes changed, and plain random bytes.
    const mangled = fc
      .tuple(
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff }))),
      )
      .map(([s, changes]) => {
        const bytes = new Uint8Array(Buffer.from(s));
        for (const [at, byte] of changes) if (bytes.length > 0) bytes[at % bytes.length] = byte;
        return bytes;
      });
    fc.assert(
      fc.property(fc.oneof(mangled, fc.uint8Array({ maxLength: 12 })), (bytes) => {
        const at = firstInvalidUtf8Byte(bytes);
        expect(at === -1).toBe(decodes(bytes));
        if (at >= 0) expect(decodes(bytes.subarray(0, at))).toBe(true);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('makes decodeUtf8 refuse with InvalidUtf8 naming the byte, never a replacement character', () => {
    const bytes = new Uint8Array([0x7b, 0x22, 0x61, 0xed, 0xa0, 0x80, 0x22, 0x7d]); // an encoded surrogate
    expect(() => decodeUtf8(bytes, 'body')).toThrow(
      expect.objectContaining({
        code: 'InvalidUtf8',
        details: [{ path: 'body', message: expect.stringContaining('byte 3') }],
      }),
    );
    expect(decodeUtf8(new Uint8Array(Buffer.from('\uFEFFGrüße 🚀')), 'body')).toBe('Grüße 🚀');
  });
});
