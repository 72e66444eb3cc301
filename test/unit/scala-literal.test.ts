import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parametersCellSource,
  parseParametersLossless,
  validateParameterNames,
} from '../../functions/core/parameters.ts';
import { isScalaIdentifier, toScalaLiteral } from '../../functions/core/scala-literal.ts';
import { papermill } from '../support/papermill.ts';

const ours = (source: string) => toScalaLiteral(parseParametersLossless(source));

/** JSON texts papermill's ScalaTranslator writes as valid Scala: ours must be the same text. */
const SAME_AS_PAPERMILL = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '42',
  '-7',
  '2147483647',
  '-2147483648',
  '2147483648',
  '-2147483649',
  '9223372036854775807',
  '-9223372036854775808',
  '1.5',
  '1.0',
  '-0.0',
  '1e-05',
  '1e100',
  '1.5e300',
  '0.1',
  '1e-400',
  '12345.678e3',
  '"plain"',
  '""',
  '"say \\"hi\\""',
  '"back\\\\slash"',
  '"C:\\\\users\\\\u0041"',
  '"tab\\tnew\\nline\\rret"',
  '"it\'s $x $' + '{y}"',
  '"\u20ac \u4e2d\u6587 \u0100 \uffff"',
  '"\\ud800 lone"',
  '[]',
  '[1, "a", null, true, 3000000000]',
  '{}',
  '{"a": 1, "b c": [false, {"d": null}]}',
  '[[1, 2], {"x": "y"}]',
];

describe('unit', () => {
  describe('toScalaLiteral', () => {
    it("writes every value papermill's ScalaTranslator writes valid Scala for as papermill does", () => {
      expect(SAME_AS_PAPERMILL.map(ours)).toEqual(
        papermill({ literals: SAME_AS_PAPERMILL }, 'scala').literals,
      );
    });

    it('writes ints as Int within 32 bits and as Long with an L past them', () => {
      expect(['2147483647', '2147483648', '-2147483648', '-2147483649'].map(ours)).toEqual([
        '2147483647',
        '2147483648L',
        '-2147483648',
        '-2147483649L',
      ]);
    });

    it("writes U+0001..U+00FF as \\u00XX where papermill's \\xXX is no Scala escape", () => {
      expect(ours('"caf\u00e9 \\u0001 \\u007f"')).toBe('"caf\\u00e9 \\u0001 \\u007f"');
      expect(papermill({ literals: ['"caf\u00e9"'] }, 'scala').literals).toEqual(['"caf\\xe9"']);
    });

    it("writes a character past U+FFFF as its UTF-16 halves where papermill's \\U is no Scala escape", () => {
      expect(ours('"\ud83d\ude00"')).toBe('"\\ud83d\\ude00"');
      expect(papermill({ literals: ['"\ud83d\ude00"'] }, 'scala').literals).toEqual(['"\\U0001f600"']);
    });

    it('writes an integer past 64 bits as a BigInt where papermill writes a Long that does not compile', () => {
      expect(ours('92233720368547758070')).toBe('BigInt("92233720368547758070")');
      expect(ours('-92233720368547758070')).toBe('BigInt("-92233720368547758070")');
      expect(papermill({ literals: ['92233720368547758070'] }, 'scala').literals).toEqual([
        '92233720368547758070L',
      ]);
    });

    it("writes non-finite numbers as Scala's Double constants where papermill writes inf", () => {
      expect(ours('1e400')).toBe('Double.PositiveInfinity');
      expect(ours('-1e400')).toBe('Double.NegativeInfinity');
      expect(toScalaLiteral(Number.NaN)).toBe('Double.NaN');
      expect(papermill({ literals: ['1e400'] }, 'scala').literals).toEqual(['inf']);
    });

    it('refuses values JSON has no form for', () => {
      expect(() => toScalaLiteral(undefined)).toThrow(TypeError);
    });
  });

  describe('the Scala parameters cell', () => {
    it("is papermill's ScalaTranslator.codify: a // Parameters comment, then one val per parameter", () => {
      const params =
        '{"alpha": 0.5, "n": 3, "big": 3000000000, "name": "x\\"y", "tags": ["a"], "opts": {"k": null}}';
      const source = parametersCellSource(
        parseParametersLossless(params) as Record<string, unknown>,
        'scala',
      );
      expect(source).toBe(papermill({ codify: [params] }, 'scala').codify[0]);
      expect(source).toBe(
        '// Parameters\nval alpha = 0.5\nval n = 3\nval big = 3000000000L\nval name = "x\\"y"\nval tags = Seq("a")\nval opts = Map("k" -> None)\n',
      );
    });

    it('accepts names a val can take and refuses reserved words, operators and $', () => {
      expect(
        ['alpha', '_x', 'x1', 'caf\u00e9', 'snake_case', 'Type'].filter((n) => !isScalaIdentifier(n)),
      ).toEqual([]);
      expect(
        ['val', 'type', 'match', 'then', '_', '1x', 'a-b', 'a b', '$x', '', 'x$'].filter(isScalaIdentifier),
      ).toEqual([]);
      expect(validateParameterNames({ ok: 1, class: 2, 'a.b': 3 }, 'scala')).toEqual(['class', 'a.b']);
    });
  });

  describe('Scala reads the literals (Debian scala, installed by the set-up)', () => {
    /** Prints each value as JSON (strings as \u escapes: exact UTF-16) after its runtime class. */
    const SHOW = `def j(x: Any): String = x match {
  case None => "null"
  case s: String => s.map(c => "\\\\u%04x".format(c.toInt)).mkString("\\"", "", "\\"")
  case d: Double if d.isNaN || d.isInfinite => "\\"" + d + "\\""
  case m: Map[_, _] => m.map { case (k, v) => j(k) + ":" + j(v) }.mkString("{", ",", "}")
  case q: Seq[_] => q.map(j).mkString("[", ",", "]")
  case other => other.toString
}
def show(x: Any): Unit = println(x.getClass.getSimpleName + "\\t" + j(x))
`;
    it('compiles every literal to the value (and number type) it came from', () => {
      const values = [
        '"say \\"hi\\" \\\\ tab\\t\\n € 😀 café \\u0000 \\u001a \\ud800 C:\\\\users\\\\u0041"',
        '2147483647',
        '2147483648',
        '92233720368547758070',
        '1.5e300',
        '-0.0',
        '1e400',
        'null',
        '[1, "a", null, true]',
        '{"a b": [false], "n": {"x": 2.5}}',
      ];
      const dir = mkdtempSync(join(tmpdir(), 'scala-literal-'));
      try {
        const script = join(dir, 'literals.scala');
        const vals = values.map((v, i) => `val v${i} = ${ours(v)}\nshow(v${i})`).join('\n');
        writeFileSync(script, `${SHOW}${vals}\n`);
        const run = spawnSync('/usr/bin/scala', ['-nc', '-Xnojline', script], {
          encoding: 'utf8',
          timeout: 120_000,
        });
        expect(run.status, run.stderr + run.stdout).toBe(0);
        const lines = run.stdout.trim().split('\n');
        const types = lines.map((line) => line.split('\t')[0]);
        expect(types).toEqual([
          'String',
          'Integer',
          'Long',
          'BigInt',
          'Double',
          'Double',
          'Double',
          'None$',
          '$colon$colon',
          'Map2',
        ]);
        const parsed = lines.map((line) => JSON.parse(line.split('\t')[1]!));
        expect(parsed[0]).toBe('say "hi" \\ tab\t\n € 😀 café \u0000 \u001a \ud800 C:\\users\\u0041');
        expect(lines.slice(1, 4).map((line) => line.split('\t')[1])).toEqual([
          '2147483647',
          '2147483648',
          '92233720368547758070',
        ]);
        expect(parsed.slice(4, 8)).toEqual([1.5e300, -0, 'Infinity', null]);
        expect(parsed.slice(8)).toEqual([[1, 'a', null, true], { 'a b': [false], n: { x: 2.5 } }]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 180_000);
  });
});
