import { describe, expect, it } from 'vitest';
import type { NbCell } from '../../functions/core/nbformat/types.ts';
import {
  injectParameters,
  isRawJson,
  parametersCellSource,
  parseParametersLossless,
  toPythonLiteral,
  validateParameterNames,
} from '../../functions/core/parameters.ts';
import { papermill } from '../support/papermill.ts';

const ours = (source: string) => toPythonLiteral(parseParametersLossless(source));

const NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '1.0',
  '-0.0',
  '0.0',
  '1e400',
  '-1e400',
  '1e-400',
  '-1e-400',
  '12345678901234567890123',
  '-98765432109876543210',
  '9007199254740993',
  '1E-7',
  '1e-5',
  '1e-4',
  '0.0001',
  '0.00012',
  '0.1',
  '0.3',
  '1e16',
  '1e15',
  '1.5e16',
  '9999999999999998.0',
  '1e+16',
  '1E2',
  '1.0e0',
  '123456789.123456789',
  '5e-324',
  '2.2250738585072014e-308',
  '1.7976931348623157e308',
  '1.7976931348623159e308',
  '1.5e300',
  '-2.5e-300',
  '100000000000000000000.0',
  '4.35',
  '0.000001234',
  '123.456e5',
  '6.02214076e23',
];

const STRINGS = [
  '""',
  '"plain"',
  '"say \\"hi\\""',
  '"it\'s"',
  '"back\\\\slash"',
  '"\\\\\\""',
  '"trailing \\\\"',
  '"a\\nb\\tc\\rd"',
  '"\\u0000\\u0001\\u001f\\u007f\\u0080\\u009f\\u00a0\\u00ff"',
  '"\\b\\f"',
  '"é"',
  '"€"',
  '"😀"',
  '"\\ud83d\\ude00"',
  '"\\ud800"',
  '"\\udfff x \\ud800\\ud800"',
  '"\\ude00\\ud83d"',
  '"Ā\\uffff"',
  '"\\udbff\\udfff"',
  '"ß größe 日本"',
  '"{\\"k\\": [1]}"',
  '"/\\/"',
  '"%s {0} $x `y`"',
];

const STRUCTURES = [
  'null',
  'true',
  'false',
  '[]',
  '{}',
  '[[]]',
  '[{}]',
  '[1, 1.0, "1", true, null]',
  '{"a": {"b": [1, {"c": null}]}}',
  '{"quote\\"key": 1, "it\'s": "v", "é€😀": [0.5]}',
  '[[1, [2, [3, []]]], {"x": {}}]',
  '{"": ""}',
  '{"dup": 1, "other": 2, "dup": 3}',
  '{"__proto__": 1, "constructor": [2]}',
];

/** A deterministic xorshift64 sequence, so a failing case can be reproduced. */
function* xorshift(seed: bigint): Generator<bigint> {
  let state = seed;
  for (;;) {
    state ^= state << 13n;
    state ^= state >> 7n;
    state ^= state << 17n;
    state &= 0xffffffffffffffffn;
    yield state;
  }
}

/** Doubles from random bit patterns (mostly huge or tiny), each as JS's shortest source text. */
function randomDoubles(count: number): string[] {
  const view = new DataView(new ArrayBuffer(8));
  const out: string[] = [];
  for (const bits of xorshift(0x2545f4914f6cdd1dn)) {
    if (out.length === count) break;
    view.setBigUint64(0, bits);
    const text = String(view.getFloat64(0));
    if (/^-?\d/.test(text)) out.push(/[.e]/.test(text) ? text : `${text}.0`);
  }
  return out;
}

/** Decimal texts of 1 to 20 digits scaled by 1e-25 to 1e20: around the fixed/exponent boundaries. */
function randomDecimals(count: number): string[] {
  const out: string[] = [];
  for (const bits of xorshift(0x9e3779b97f4a7c15n)) {
    if (out.length === count) break;
    const digits = (bits >> 8n).toString().slice(0, 1 + Number(bits % 20n));
    const exponent = Number((bits >> 4n) % 46n) - 25;
    out.push(`${bits & 1n ? '-' : ''}${digits[0]}.${digits.slice(1) || '0'}e${exponent}`);
  }
  return out;
}

describe('parameters', () => {
  it('writes numbers as papermill does when they come as JSON source text', () => {
    expect(NUMBERS.map(ours)).toEqual(papermill({ literals: NUMBERS }).literals);
  });

  it('writes floats as papermill does across the whole double range', () => {
    const sources = [...randomDoubles(3000), ...randomDecimals(3000)];
    expect(sources.map(ours)).toEqual(papermill({ literals: sources }).literals);
  });

  it('writes strings as papermill does when they hold quotes, backslashes, controls and non-ASCII', () => {
    expect(STRINGS.map(ours)).toEqual(papermill({ literals: STRINGS }).literals);
  });

  it('writes every code point as papermill does when it is in a string, lone surrogates included', () => {
    const chunks: string[] = [];
    for (let start = 0; start < 0x30000; start += 0x1000) {
      let text = '';
      for (let code = start; code < start + 0x1000; code++) text += String.fromCharCode(code);
      chunks.push(JSON.stringify(text));
    }
    chunks.push(JSON.stringify(String.fromCodePoint(0x10ffff, 0xe0001, 0xfffd, 0x1f600)));
    expect(chunks.map(ours)).toEqual(papermill({ literals: chunks }).literals);
  });

  it('writes None, booleans, lists and dicts as papermill does when they are nested', () => {
    expect(STRUCTURES.map(ours)).toEqual(papermill({ literals: STRUCTURES }).literals);
  });

  it('writes the whole parameters cell as papermill codify does', () => {
    const cells = [
      '{}',
      '{"alpha": 0.5, "ratio": 1.0, "n": 12345678901234567890123, "name": "Zoë \\"Z\\"", "flag": false}',
      '{"opts": {"nested": [1, "two", null, 1e400]}, "big": -0, "tiny": 5e-324, "größe": "😀\\ud800"}',
    ];
    const pythonCells = papermill({ codify: cells }).codify;
    expect(
      cells.map((source) => parametersCellSource(parseParametersLossless(source) as Record<string, unknown>)),
    ).toEqual(pythonCells);
    expect(pythonCells[1]).toBe(
      '# Parameters\nalpha = 0.5\nratio = 1.0\nn = 12345678901234567890123\nname = "Zo\\xeb \\"Z\\""\nflag = False\n',
    );
  });

  it('writes plain JS numbers as ints when they are safe integers and as floats otherwise', () => {
    expect([1, -0, 2 ** 53, 1.5, 2 ** 53 + 2, 1e20, 1e-7, 0.1 + 0.2].map(toPythonLiteral)).toEqual([
      '1',
      '0',
      '9007199254740992',
      '1.5',
      '9007199254740994.0',
      '1e+20',
      '1e-07',
      '0.30000000000000004',
    ]);
    expect(
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 10n ** 30n].map(toPythonLiteral),
    ).toEqual(["float('nan')", "float('inf')", "float('-inf')", '1000000000000000000000000000000']);
    expect(() => toPythonLiteral(undefined)).toThrow(TypeError);
  });

  it('keeps big integers, 1.0 and -0 exactly when the text is parsed losslessly', () => {
    const text = '{"n":12345678901234567890123,"f":1.0,"z":-0,"e":1E-7,"l":[1e400,-0.0],"s":"1.0","t":true}';
    const parsed = parseParametersLossless(text) as Record<string, unknown>;
    expect(JSON.stringify(parsed)).toBe(text);
    expect(isRawJson(parsed.n)).toBe(true);
    expect(isRawJson(parsed.s)).toBe(false);
    expect(isRawJson({ rawJSON: '1' })).toBe(false);
    expect(() => parseParametersLossless('{"a": 01}')).toThrow(SyntaxError);
  });

  it('accepts names as Python does when they are identifiers and refuses keywords and other text', () => {
    const valid = ['x', '_a1', 'größe', '_', 'match', 'case', 'type', 'ﬁle', 'Ωmega', 'x٣'];
    const invalid = [
      '1x',
      'a-b',
      'class',
      'None',
      '',
      'a b',
      'x²',
      'ͺ',
      'a゛',
      '𝐓𝐫𝐮𝐞',
      'x\n',
      'async',
      'é\u0301x-',
    ];
    const params = Object.fromEntries([...valid, ...invalid].map((name) => [name, 1]));
    expect(validateParameterNames(params)).toEqual(invalid);
    const python = papermill({ identifiers: [...valid, ...invalid] }).identifiers;
    expect(python).toEqual([...valid.map(() => true), ...invalid.map(() => false)]);
  });

  describe('injectParameters', () => {
    const cell = (id: string, tags?: string[]): NbCell => ({
      id,
      cell_type: 'code',
      metadata: tags ? { tags } : {},
      source: '',
      outputs: [],
      execution_count: null,
    });
    const makeCell = (source: string): NbCell => ({ ...cell('new', ['from-make-cell']), source });
    const ids = (cells: NbCell[]) => cells.map((c) => c.id);

    it('places the cell after the first parameters cell as papermill does when there is one', () => {
      const cells = [cell('a'), cell('p', ['x', 'parameters']), cell('b'), cell('q', ['parameters'])];
      const result = injectParameters(cells, makeCell, { n: 1 });
      expect(ids(result.cells)).toEqual(['a', 'p', 'new', 'b', 'q']);
      expect(result.injectedIndex).toBe(2);
      expect(result.cells[2]).toMatchObject({
        source: '# Parameters\nn = 1\n',
        metadata: { tags: ['injected-parameters'] },
      });
      expect(ids(cells)).toEqual(['a', 'p', 'b', 'q']);
    });

    it('replaces the injected-parameters cell as papermill does when the notebook already has one', () => {
      const cells = [cell('p', ['parameters']), cell('old', ['injected-parameters']), cell('b')];
      const result = injectParameters(cells, makeCell, { n: 2 });
      expect(ids(result.cells)).toEqual(['p', 'new', 'b']);
      expect(result.injectedIndex).toBe(1);
      expect(result.cells[1]?.source).toBe('# Parameters\nn = 2\n');
    });

    it('places the cell at the top as papermill does when no cell is tagged', () => {
      const result = injectParameters([cell('a', ['other']), cell('b')], makeCell, {});
      expect(ids(result.cells)).toEqual(['new', 'a', 'b']);
      expect(result.injectedIndex).toBe(0);
      expect(result.cells[0]?.source).toBe('# Parameters\n');
      expect(injectParameters([], makeCell, {}).cells).toHaveLength(1);
    });
  });
});
