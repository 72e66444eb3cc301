import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseParametersLossless } from '../../functions/core/parameters.ts';
import type { ExecuteInput } from '../../functions/core/use-cases/execute-notebook.ts';
import { canonicalJson, requestHash } from '../../functions/core/use-cases/idempotency.ts';

/** A route-12 input with `parameters` parsed from JSON text losslessly, as the handler does. */
function input(parametersJson: string, overrides: Partial<ExecuteInput> = {}): ExecuteInput {
  return {
    executionMode: 'all',
    cellRange: null,
    parameters: parseParametersLossless(parametersJson) as Record<string, unknown>,
    outputOptions: { captureOutputs: true, saveIntermediateResults: true, generateReport: false },
    timeoutSeconds: 3600,
    cellTimeoutSeconds: null,
    priority: 'Normal',
    idempotencyToken: 'token',
    keepKernelSeconds: 300,
    ...overrides,
  };
}

describe('unit', () => {
  describe('idempotency request hash', () => {
    it('is the same when objects differ only in key order, at any depth', () => {
      expect(requestHash(input('{"a": 1, "b": 2}'))).toBe(requestHash(input('{"b": 2, "a": 1}')));
      expect(requestHash(input('{"o": {"x": [{"p": 1, "q": {"s": 1, "r": 2}}], "y": true}, "z": "t"}'))).toBe(
        requestHash(input('{"z": "t", "o": {"y": true, "x": [{"q": {"r": 2, "s": 1}, "p": 1}]}}')),
      );
      const outputs = { captureOutputs: true, saveIntermediateResults: true, generateReport: false };
      const reversed = { generateReport: false, saveIntermediateResults: true, captureOutputs: true };
      expect(requestHash(input('{}', { outputOptions: outputs }))).toBe(
        requestHash(input('{}', { outputOptions: reversed })),
      );
    });

    it('differs when strictParameters is sent, and hashes a request without it as before it existed', () => {
      const plain = input('{"a": 1}');
      const before = canonicalJson([
        'all',
        null,
        plain.parameters,
        plain.outputOptions,
        3600,
        null,
        'Normal',
        300,
      ]);
      expect(requestHash(plain)).toBe(createHash('sha256').update(before).digest('hex'));
      const strict = requestHash(input('{"a": 1}', { strictParameters: true }));
      const loose = requestHash(input('{"a": 1}', { strictParameters: false }));
      expect(new Set([requestHash(plain), strict, loose]).size).toBe(3);
    });

    it('differs when a value, a list order or the spelling of a number differs', () => {
      const base = requestHash(input('{"a": 1, "list": [1, 2], "big": 12345678901234567890}'));
      for (const other of [
        '{"a": 2, "list": [1, 2], "big": 12345678901234567890}',
        '{"a": 1, "list": [2, 1], "big": 12345678901234567890}',
        '{"a": 1.0, "list": [1, 2], "big": 12345678901234567890}',
        '{"a": 1, "list": [1, 2], "big": 12345678901234567891}',
        '{"a": "1", "list": [1, 2], "big": 12345678901234567890}',
        '{"a": 1, "list": [1, 2], "big": 12345678901234567890, "c": null}',
      ]) {
        expect(requestHash(input(other)), other).not.toBe(base);
      }
      expect(requestHash(input('{}', { priority: 'High' }))).not.toBe(requestHash(input('{}')));
      expect(requestHash(input('{}', { keepKernelSeconds: 0 }))).not.toBe(requestHash(input('{}')));
      expect(requestHash(input('{}', { allowErrors: true }))).not.toBe(requestHash(input('{}')));
      // Left out or false: the hash of a request from before the option existed.
      expect(requestHash(input('{}', { allowErrors: false }))).toBe(requestHash(input('{}')));
    });

    it('writes canonical JSON with sorted keys, exact number sources and JSON.stringify’s undefined rules', () => {
      const value = parseParametersLossless('{"b": [1.0, {"d": 1e400, "c": -0}], "a": "x\\"y"}') as Record<
        string,
        unknown
      >;
      expect(canonicalJson(value)).toBe('{"a":"x\\"y","b":[1.0,{"c":-0,"d":1e400}]}');
      expect(canonicalJson({ b: undefined, a: [undefined, null] })).toBe('{"a":[null,null]}');
      // Plain JSON where no key order is involved.
      for (const plain of [null, true, 'text', 3, [], {}])
        expect(canonicalJson(plain)).toBe(JSON.stringify(plain));
    });
  });
});
