import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parametersCellSource, parseParametersLossless } from '../../functions/core/parameters.ts';
import { rParameterName, rParametersCellSource, toRLiteral } from '../../functions/core/r-literal.ts';

const ours = (source: string) => toRLiteral(parseParametersLossless(source));

/**
 * papermill's R translator on JSON texts (read by `json.loads`): the outputs of
 * `RTranslator.translate` from papermill's `papermill/translators.py`
 * (https://github.com/nteract/papermill, papermill 2.x, BSD-3-Clause): `translate_none` → NULL,
 * `translate_bool` → TRUE/FALSE, numbers by `'{}'.format(val)`, strings by
 * `translate_escaped_str` (`unicode_escape`, then `"` → `\"`), `translate_list` → `list(a, b)`,
 * `translate_dict` → `list("k" = v)`. Computed with that code; papermill is not installable here.
 */
const PAPERMILL_R: [string, string][] = [
  ['null', 'NULL'],
  ['true', 'TRUE'],
  ['false', 'FALSE'],
  ['0', '0'],
  ['42', '42'],
  ['-7', '-7'],
  ['12345678901234567890', '12345678901234567890'],
  ['1.5', '1.5'],
  ['1.0', '1.0'],
  ['-0.0', '-0.0'],
  ['1e-05', '1e-05'],
  ['1e100', '1e+100'],
  ['1.5e300', '1.5e+300'],
  ['0.1', '0.1'],
  ['"plain"', '"plain"'],
  ['""', '""'],
  ['"say \\"hi\\""', '"say \\"hi\\""'],
  ['"back\\\\slash"', '"back\\\\slash"'],
  ['"tab\\tnew\\nline\\rret"', '"tab\\tnew\\nline\\rret"'],
  ['"it\'s"', '"it\'s"'],
  ['"\\u0001\\u001f\\u007f"', '"\\x01\\x1f\\x7f"'],
  ['"\u20ac and \ud83d\ude00"', '"\\u20ac and \\U0001f600"'],
  ['[]', 'list()'],
  ['[1, "a", null, true]', 'list(1, "a", NULL, TRUE)'],
  ['{}', 'list()'],
  ['{"a": 1, "b c": [false, {"d": null}]}', 'list("a" = 1, "b c" = list(FALSE, list("d" = NULL)))'],
  ['[[1, 2], {"x": "y"}]', 'list(list(1, 2), list("x" = "y"))'],
];

describe('unit', () => {
  describe('toRLiteral', () => {
    it.each(PAPERMILL_R)('writes %s as papermill RTranslator does', (json, expected) => {
      expect(ours(json)).toBe(expected);
    });

    it('writes U+0080..U+00FF as \\u00XX where papermill writes a Latin-1 byte', () => {
      // papermill: "caf\xe9" (a byte R does not read as é).
      expect(ours('"café"')).toBe('"caf\\u00e9"');
    });

    it('writes non-finite numbers as R reads them when JSON overflows', () => {
      expect(ours('1e400')).toBe('Inf');
      expect(ours('-1e400')).toBe('-Inf');
      expect(toRLiteral(Number.NaN)).toBe('NaN');
    });

    it('refuses strings an R string cannot hold', () => {
      expect(() => ours('"a\\u0000b"')).toThrow(RangeError);
      expect(() => ours('"\\ud800"')).toThrow(RangeError);
    });

    it('refuses values JSON has no form for', () => {
      expect(() => toRLiteral(undefined)).toThrow(TypeError);
    });
  });

  describe('rParameterName', () => {
    it('drops leading underscores as papermill RTranslator.assign does', () => {
      expect(rParameterName('_x')).toBe('x');
      expect(rParameterName('__y_1')).toBe('y_1');
      expect(rParameterName('.hidden')).toBe('.hidden');
    });

    it('refuses names R cannot assign without backquotes', () => {
      for (const name of [
        '_',
        '1x',
        '.2x',
        'if',
        'function',
        'TRUE',
        'NULL',
        'Inf',
        'NA',
        'a-b',
        'é',
        '...',
        '..1',
      ]) {
        expect(rParameterName(name), name).toBeNull();
      }
    });
  });

  describe('rParametersCellSource', () => {
    it('writes the cell papermill RTranslator.codify writes', () => {
      const params = parseParametersLossless('{"_x": 1, "__y": "s", "z": null}') as Record<string, unknown>;
      // papermill: RTranslator.codify({"_x": 1, "__y": "s", "z": None})
      expect(rParametersCellSource(params)).toBe('# Parameters\nx = 1\ny = "s"\nz = NULL\n');
      expect(parametersCellSource(params, 'r')).toBe(rParametersCellSource(params));
    });
  });

  describe('R reads the literals (Rscript from r-base-core, installed by the set-up)', () => {
    it('parses every literal back to the value it came from', () => {
      const values = [
        '"say \\"hi\\" \\\\ tab\\t €😀 café"',
        '1.5e300',
        '[1, "a", null, true]',
        '{"a b": [false]}',
      ];
      const script = values.map((v) => `x <- ${ours(v)}; cat(show_value(x), "\\n")`).join('\n');
      const prelude = `show_value <- function(x) paste(deparse(x), collapse = "")\n`;
      const run = spawnSync('/usr/bin/Rscript', ['--vanilla', '-e', prelude + script], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(
        run.stdout
          .split('\n')
          .slice(0, 4)
          .map((l) => l.trim()),
      ).toEqual([
        '"say \\"hi\\" \\\\ tab\\t €😀 café"',
        '1.5e+300',
        'list(1, "a", NULL, TRUE)',
        'list("a b" = list(FALSE))',
      ]);
    });
  });
});
