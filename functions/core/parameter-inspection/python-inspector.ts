/**
 * The Python parameters cell, read as papermill's `PythonTranslator.inspect` reads it:
 * `name = value`, `name: annotation = value`, an optional `# type: T` comment, and the rest of
 * the last line's comment as help. Statements that are not such an assignment (an import, a
 * call, `a = b = 1`, `a, b = 1, 2`, `a += 1`, `obj.x = 1`) are not parameters.
 */
import { PYTHON_IDENTIFIER } from '../parameters.ts';
import type { DeclaredParameter, ParameterType } from './declared-parameter.ts';
import { closesAtEnd, topLevelIndex } from './literal-scan.ts';
import { type Statement, splitStatements } from './source-scan.ts';

const TARGET = new RegExp(`^(${PYTHON_IDENTIFIER.source.slice(1, -1)})\\s*(?::\\s*(.+))?$`, 'su');
const INT = /^[-+]?(?:0(?:_?0)*|[1-9](?:_?\d)*|0[xX](?:_?[\da-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)$/;
const FLOAT =
  /^[-+]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][-+]?\d(?:_?\d)*)?$|^[-+]?float\(\s*(['"])[-+]?(?:nan|inf|infinity)\1\s*\)$/i;
const STRING = /^(?:[rRuUfF]|[fF][rR]|[rR][fF])?(?:'|")/;

/** Annotations naming a type the strict rules know (`typing` generics by their origin). */
const ANNOTATIONS: Record<string, ParameterType> = {
  int: 'int',
  float: 'float',
  bool: 'bool',
  str: 'str',
  list: 'list',
  List: 'list',
  dict: 'dict',
  Dict: 'dict',
  None: 'None',
  NoneType: 'None',
};

/** The parameters of a Python parameters cell, in order; a name defined twice: its last definition. */
export function inspectPython(source: string): DeclaredParameter[] {
  const found = new Map<string, DeclaredParameter>();
  for (const statement of splitStatements(source, { tripleQuotes: true, multilineStrings: false })) {
    const parameter = pythonParameter(statement);
    if (parameter) found.set(parameter.name, parameter);
  }
  return [...found.values()];
}

function pythonParameter({ code, comment }: Statement): DeclaredParameter | null {
  const isAssignment = (text: string, at: number) =>
    !'=!<>:+-*/%&|^@~'.includes(text[at - 1] ?? '') && text[at + 1] !== '=';
  const equals = topLevelIndex(code, '=', isAssignment);
  if (equals < 0) return null;
  const target = TARGET.exec(code.slice(0, equals).trim());
  const value = code.slice(equals + 1).trim();
  if (!target || !value || topLevelIndex(value, '=', isAssignment) >= 0) return null;
  // papermill: `#\s*(type:\s*(?P<type_comment>[^\s]*)\s*)?(?P<help>.*)`
  const typed = /^\s*type:\s*(\S*)\s*(.*)$/s.exec(comment ?? '');
  const annotation = target[2]?.trim().replace(/^(['"])(.*)\1$/s, '$2') || typed?.[1] || null;
  return {
    name: target[1]!,
    inferredType: annotationType(annotation) ?? pythonLiteralType(value),
    annotation,
    default: value,
    help: (typed ? typed[2]! : (comment ?? '')).trim(),
  };
}

/** The type an annotation names: `int`, `List[int]`, `typing.Dict[str, int]`; null for any other. */
export function annotationType(annotation: string | null): ParameterType | null {
  const origin = annotation?.replace(/^typing\./, '').replace(/\[[\s\S]*\]$/, '');
  return (origin && Object.hasOwn(ANNOTATIONS, origin) ? ANNOTATIONS[origin] : null) ?? null;
}

/**
 * The type of a Python literal: `1`, `0x1F`, `1_000` int; `1.5`, `1e3`, `float('nan')` float;
 * `True`/`False` bool; `'…'`, `"…"`, `r'…'`, `f'…'`, adjacent strings str; `[…]`, `list(…)`
 * list; `{…: …}`, `{}`, `dict(…)` dict; `None`. Null for anything else (an expression, a
 * name, a tuple, a set, bytes): such a parameter takes any value.
 */
export function pythonLiteralType(text: string): ParameterType | null {
  if (text === 'None') return 'None';
  if (text === 'True' || text === 'False') return 'bool';
  if (INT.test(text)) return 'int';
  if (FLOAT.test(text)) return 'float';
  if (STRING.test(text) && isStringsOnly(text)) return 'str';
  if (text.startsWith('[') && closesAtEnd(text, 0)) return 'list';
  if (/^list\s*\(/.test(text) && closesAtEnd(text, text.indexOf('('))) return 'list';
  if (/^dict\s*\(/.test(text) && closesAtEnd(text, text.indexOf('('))) return 'dict';
  if (text.startsWith('{') && closesAtEnd(text, 0)) {
    const inner = text.slice(1, -1).trim();
    return inner === '' || topLevelIndex(inner, ':') >= 0 ? 'dict' : null;
  }
  return null;
}

/** True when the text is one string literal or several adjacent ones (`"a" "b"`), nothing else. */
function isStringsOnly(text: string): boolean {
  let rest = text;
  while (rest) {
    const prefix = STRING.exec(rest)?.[0];
    if (!prefix) return false;
    const quoteAt = prefix.length - 1;
    const quote = rest.startsWith(rest[quoteAt]!.repeat(3), quoteAt)
      ? rest[quoteAt]!.repeat(3)
      : rest[quoteAt]!;
    let i = quoteAt + quote.length;
    while (i < rest.length && !rest.startsWith(quote, i)) i += rest[i] === '\\' ? 2 : 1;
    if (i >= rest.length) return false;
    rest = rest.slice(i + quote.length).trimStart();
  }
  return true;
}
