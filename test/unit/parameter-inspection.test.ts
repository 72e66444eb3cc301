import { describe, expect, it } from 'vitest';
import type { NbDocument } from '../../functions/core/nbformat/types.ts';
import {
  inspectNotebook,
  notebookStrictParameters,
} from '../../functions/core/parameter-inspection/inspectors.ts';
import {
  inspectPython,
  pythonLiteralType,
} from '../../functions/core/parameter-inspection/python-inspector.ts';
import { inspectR, rLiteralType } from '../../functions/core/parameter-inspection/r-inspector.ts';
import { inspectScala, scalaLiteralType } from '../../functions/core/parameter-inspection/scala-inspector.ts';
import { parametersCellSource, parseParametersLossless } from '../../functions/core/parameters.ts';

/** papermill's `Parameter(name, inferred_type_name, default, help)`, as its own tests expect them. */
const short = (source: string) =>
  inspectPython(source).map((p) => [p.name, p.annotation ?? 'None', p.default, p.help]);

describe('unit', () => {
  describe('python parameters cell', () => {
    it('reads what papermill reads for the cells of its own tests', () => {
      expect(short('a = 2')).toEqual([['a', 'None', '2', '']]);
      expect(short('a: int = 2')).toEqual([['a', 'int', '2', '']]);
      expect(short('a = 2 # type:int')).toEqual([['a', 'int', '2', '']]);
      expect(short('a = False # Nice variable a')).toEqual([['a', 'None', 'False', 'Nice variable a']]);
      expect(short('a: float = 2.258 # type: int Nice variable a')).toEqual([
        ['a', 'float', '2.258', 'Nice variable a'],
      ]);
      expect(short("a = 'this is a string' # type: int Nice variable a")).toEqual([
        ['a', 'int', "'this is a string'", 'Nice variable a'],
      ]);
      expect(
        short(`a: List[str] = [
                'this', # First
                'is',

                'a',
                'string',
                'list' # Last
            ] # Nice variable a

            b: float = -2.3432 # My b variable
            `),
      ).toEqual([
        ['a', 'List[str]', "['this','is','a','string','list']", 'Nice variable a'],
        ['b', 'float', '-2.3432', 'My b variable'],
      ]);
    });

    it('infers the type from the default when there is no annotation it knows', () => {
      const types = Object.fromEntries(
        inspectPython(
          'n = 3\nrate = 0.25\nflag = True\nlabel = "weekly"\nxs = [1, 2]\nd = {"a": 1}\nnone = None\nwhen: datetime = "2024-01-01"\nys: List[int] = []\nexpr = 2 * 3',
        ).map((p) => [p.name, p.inferredType]),
      );
      expect(types).toEqual({
        n: 'int',
        rate: 'float',
        flag: 'bool',
        label: 'str',
        xs: 'list',
        d: 'dict',
        none: 'None',
        when: 'str',
        ys: 'list',
        expr: null,
      });
    });

    it('keeps `#`, `=` and `;` inside strings and brackets where papermill would split or skip the line', () => {
      expect(short('s = "a#b=c"  # the help\nd = dict(a=1, b=2)\nx = 1; y = 2.0  # why')).toEqual([
        ['s', 'None', '"a#b=c"', 'the help'],
        ['d', 'None', 'dict(a=1, b=2)', ''],
        ['x', 'None', '1', ''],
        ['y', 'None', '2.0', 'why'],
      ]);
    });

    it('skips statements that are not a single assignment to a name', () => {
      const source =
        'import os\nprint(1)\na = b = 1\nc, d = 1, 2\ne += 1\nobj.x = 1\nf == 2\n# g = 3\n"""h = 4"""\nok = 5';
      expect(inspectPython(source).map((p) => p.name)).toEqual(['ok']);
    });

    it('lists a name defined twice once, with its last definition', () => {
      expect(short('a = 1  # first\nb = 2\na = "x"  # second')).toEqual([
        ['a', 'None', '"x"', 'second'],
        ['b', 'None', '2', ''],
      ]);
    });

    it('joins a definition continued by a backslash or an open bracket, its lines stripped as papermill joins them', () => {
      expect(
        short('total = 1 + \\\n    2  # sum\nd = {\n  "k": [1,\n        2],  # inner\n}  # outer'),
      ).toEqual([
        ['total', 'None', '1 +2', 'sum'],
        ['d', 'None', '{"k": [1,2],}', 'outer'],
      ]);
    });

    it('types literals as Python would and leaves expressions untyped', () => {
      const cases: [string, string | null][] = [
        ['1_000', 'int'],
        ['-0x1F', 'int'],
        ['1e3', 'float'],
        ['.5', 'float'],
        ["float('nan')", 'float'],
        ['"a" \'b\'', 'str'],
        ["r'\\d'", 'str'],
        ['"""x"""', 'str'],
        ['list(range(3))', 'list'],
        ['{}', 'dict'],
        ['{1, 2}', null],
        ['(1, 2)', null],
        ['[1] + [2]', null],
        ["b'x'", null],
        ['"a" + b', null],
        ['os.environ["X"]', null],
      ];
      for (const [text, type] of cases) expect([text, pythonLiteralType(text)]).toEqual([text, type]);
    });
  });

  describe('R parameters cell', () => {
    it('reads `<-`, `=` and `<<-` assignments with their trailing comment as help', () => {
      const parameters = inspectR(
        'n <- 10L  # rows\nrate = 0.5\nlabel <<- "a # b"\nflag <- TRUE\nnothing <- NULL\nxs <- c(1, 2,\n  3)  # values\nopts <- list(a = 1, b = "x")\nitems <- list(1, 2)\nlibrary(dplyr)\nx == 1\n.hidden <- NA',
      );
      expect(parameters.map((p) => [p.name, p.inferredType, p.default, p.help])).toEqual([
        ['n', 'int', '10L', 'rows'],
        ['rate', 'float', '0.5', ''],
        ['label', 'str', '"a # b"', ''],
        ['flag', 'bool', 'TRUE', ''],
        ['nothing', 'None', 'NULL', ''],
        ['xs', 'list', 'c(1, 2,3)', 'values'],
        ['opts', 'dict', 'list(a = 1, b = "x")', ''],
        ['items', 'list', 'list(1, 2)', ''],
        ['.hidden', null, 'NA', ''],
      ]);
    });

    it('types R literals by the values papermill injects for JSON', () => {
      const cases: [string, string | null][] = [
        ['3', 'int'],
        ['-3L', 'int'],
        ['3.5', 'float'],
        ['1e-3', 'float'],
        ['Inf', 'float'],
        ['F', 'bool'],
        ["'x'", 'str'],
        ['r"(C:\\path)"', 'str'],
        ['list()', 'list'],
        ['Sys.Date()', null],
        ['a <- 1', null],
      ];
      for (const [text, type] of cases) expect([text, rLiteralType(text)]).toEqual([text, type]);
    });

    it('skips a chained assignment', () => {
      expect(inspectR('a <- b <- 1\nc <- 2').map((p) => p.name)).toEqual(['c']);
    });
  });

  describe('notebook inspection', () => {
    const doc = (cells: NbDocument['cells'], metadata: Record<string, unknown> = {}): NbDocument => ({
      nbformat: 4,
      nbformat_minor: 5,
      metadata,
      cells,
    });
    const code = (source: string, tags: string[] = [], id = 'c') => ({
      id,
      cell_type: 'code' as const,
      source,
      metadata: { tags },
      outputs: [],
      execution_count: null,
    });

    it('reads the first cell tagged parameters with the parser of the kernel language', () => {
      const notebook = doc([
        code('x = 0'),
        code('a = 1', ['parameters'], 'p1'),
        code('b = 2', ['parameters'], 'p2'),
      ]);
      expect(inspectNotebook(notebook, 'python3')).toMatchObject({
        language: 'python',
        parametersCellId: 'p1',
        parameters: [{ name: 'a', inferredType: 'int' }],
      });
      expect(inspectNotebook(doc([code('a <- "x"', ['parameters'])]), 'r').parameters[0]).toMatchObject({
        name: 'a',
        inferredType: 'str',
      });
    });

    it('declares nothing without a parameters cell or for a language without a parser', () => {
      expect(inspectNotebook(doc([code('a = 1')]), 'python3')).toEqual({
        language: 'python',
        parametersCellId: null,
        parameters: [],
      });
      expect(inspectNotebook(doc([code('a = 1', ['parameters'], 'p')]), 'julia')).toEqual({
        language: null,
        parametersCellId: 'p',
        parameters: [],
      });
    });

    it('reads a scala notebook with the Scala parser', () => {
      expect(inspectNotebook(doc([code('val a = 1', ['parameters'], 'p')]), 'scala')).toMatchObject({
        language: 'scala',
        parametersCellId: 'p',
        parameters: [{ name: 'a', inferredType: 'int', default: '1' }],
      });
    });

    it('reads the notebook-level strict setting from metadata cellwise.strictParameters', () => {
      expect(notebookStrictParameters(doc([], { cellwise: { strictParameters: true } }))).toBe(true);
      expect(notebookStrictParameters(doc([], { cellwise: { strictParameters: 'yes' } }))).toBe(false);
      expect(notebookStrictParameters(doc([]))).toBe(false);
    });
  });

  describe('inspectScala', () => {
    it('reads val and var definitions with their types, defaults and // help, the last definition winning', () => {
      const cell = [
        '// Parameters of the analysis',
        'val n = 10 // rows',
        'val rate: Double = 1',
        'var label = "a // not a comment"',
        'val big = 3000000000L',
        'val tags = Seq(',
        '  "a", // first',
        '  "b"',
        ')',
        'val opts = Map("k" -> None)',
        'val nothing = None',
        'val text = """multi',
        'line"""',
        'val flag = true',
        'val n = 20 // again',
        'val computed = n * 2',
        'def helper = 1',
      ].join('\n');
      expect(
        inspectScala(cell).map((p) => [p.name, p.inferredType, p.annotation, p.default, p.help]),
      ).toEqual([
        ['n', 'int', null, '20', 'again'],
        ['rate', 'float', 'Double', '1', ''],
        ['label', 'str', null, '"a // not a comment"', ''],
        ['big', 'int', null, '3000000000L', ''],
        ['tags', 'list', null, 'Seq( "a", "b" )', ''],
        ['opts', 'dict', null, 'Map("k" -> None)', ''],
        ['nothing', 'None', null, 'None', ''],
        ['text', 'str', null, '"""multi\nline"""', ''],
        ['flag', 'bool', null, 'true', ''],
        ['computed', null, null, 'n * 2', ''],
      ]);
    });

    it("types every literal the service writes for Scala as the value's own type", () => {
      const values =
        '{"i": 1, "l": 3000000000, "b": 92233720368547758070, "f": 1.5, "e": 1e400, "t": true, "s": "x\\"y", "n": null, "a": [1], "d": {"k": 1}}';
      const cell = parametersCellSource(parseParametersLossless(values) as Record<string, unknown>, 'scala');
      expect(inspectScala(cell).map((p) => p.inferredType)).toEqual([
        'int',
        'int',
        'int',
        'float',
        'float',
        'bool',
        'str',
        'None',
        'list',
        'dict',
      ]);
      expect(scalaLiteralType('someName')).toBeNull();
    });
  });
});
