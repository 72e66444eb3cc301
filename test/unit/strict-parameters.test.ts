import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../functions/core/errors.ts';
import { fitsType, typeOfValue } from '../../functions/core/parameter-inspection/declared-parameter.ts';
import { inspectPython } from '../../functions/core/parameter-inspection/python-inspector.ts';
import { inspectR } from '../../functions/core/parameter-inspection/r-inspector.ts';
import { checkStrictParameters } from '../../functions/core/parameter-inspection/strict-parameters.ts';
import { parseParametersLossless } from '../../functions/core/parameters.ts';

const lossless = (json: string) => parseParametersLossless(json) as Record<string, unknown>;

const CELL = 'n = 1\nrate = 0.5\nflag = False\nlabel = "x"\nxs = []\nd = {}\nanything = None\nexpr = 2 * 3';

describe('unit', () => {
  describe('strictParameters type rules', () => {
    it('types JSON values as Python json.loads does, keeping 1.0 a float', () => {
      const values = lossless(
        '{"a": 1, "b": 1.0, "c": 1e3, "d": true, "e": "s", "f": [], "g": {}, "h": null}',
      );
      expect(Object.values(values).map(typeOfValue)).toEqual([
        'int',
        'float',
        'float',
        'bool',
        'str',
        'list',
        'dict',
        'None',
      ]);
    });

    it('accepts an int where the default is a float, but neither a bool for an int nor a float for an int', () => {
      expect(fitsType('float', lossless('{"v": 2}').v)).toBe(true);
      expect(fitsType('int', true)).toBe(false);
      expect(fitsType('int', lossless('{"v": 2.0}').v)).toBe(false);
      expect(fitsType('bool', lossless('{"v": 0}').v)).toBe(false);
    });

    it('accepts anything for a None default or a default of no inferable type, and null only there', () => {
      for (const value of [null, 1, 'x', [], {}]) {
        expect(fitsType('None', value)).toBe(true);
        expect(fitsType(null, value)).toBe(true);
      }
      expect(fitsType('str', null)).toBe(false);
    });
  });

  describe('checkStrictParameters', () => {
    it('passes parameters that are declared and fit their defaults', () => {
      const params = lossless(
        '{"n": 2, "rate": 3, "flag": true, "label": "y", "xs": [1], "d": {"k": 1}, "anything": [1], "expr": "z"}',
      );
      expect(() => checkStrictParameters(inspectPython(CELL), params, 'python3')).not.toThrow();
    });

    it('refuses with ParameterMismatch naming each unknown name and each value of the wrong type', () => {
      const params = lossless('{"n": true, "colour": "red", "label": 3, "rate": 1.5}');
      let error: unknown;
      try {
        checkStrictParameters(inspectPython(CELL), params, 'python3');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      const refused = error as ValidationError;
      expect(refused.code).toBe('ParameterMismatch');
      expect(refused.context.Parameters).toEqual(['n', 'colour', 'label']);
      expect(refused.details).toEqual([
        { path: 'body.parameters.n', message: 'must be int like its default 1, not bool' },
        {
          path: 'body.parameters.colour',
          message: 'is not a declared parameter (declared: n, rate, flag, label, xs, d, anything, expr)',
        },
        { path: 'body.parameters.label', message: 'must be str like its default "x", not int' },
      ]);
      expect(refused.message).toContain('colour is not a declared parameter');
    });

    it('matches R names as papermill writes them, a leading underscore dropped', () => {
      expect(() => checkStrictParameters(inspectR('n <- 1'), { _n: 2 }, 'r')).not.toThrow();
      expect(() => checkStrictParameters(inspectR('n <- 1'), { n: 'x' }, 'r')).toThrow(/must be int/);
    });

    it('refuses every parameter when the notebook declares none', () => {
      expect(() => checkStrictParameters([], { a: 1 }, 'python3')).toThrow(/declared: none/);
      expect(() => checkStrictParameters([], {}, 'python3')).not.toThrow();
    });
  });
});
