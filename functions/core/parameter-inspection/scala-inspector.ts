/**
 * The Scala parameters cell. papermill has no `ScalaTranslator.inspect`; this one reads the
 * cell by the Python parser's rules, in Scala's syntax: `val name = value`, `var name = value`
 * or `val name: Type = value`, a definition running over lines while a bracket or a `"""`
 * string is open, the last line's `// comment` as help.
 */
import type { DeclaredParameter, ParameterType } from './declared-parameter.ts';

const DEFINITION = /^(?:val|var)\s+([\p{L}_][\p{L}\p{Nd}_]*)\s*(?::\s*([^=]+?)\s*)?=(?!=)\s*([\s\S]+)$/u;

/** The parameters of a Scala parameters cell, in order; a name defined twice: its last definition. */
export function inspectScala(source: string): DeclaredParameter[] {
  const found = new Map<string, DeclaredParameter>();
  for (const { code, comment } of statements(source)) {
    const match = DEFINITION.exec(code);
    if (!match) continue;
    const [, name = '', annotation, value = ''] = match;
    found.set(name, {
      name,
      inferredType: (annotation ? annotationType(annotation) : null) ?? scalaLiteralType(value.trim()),
      annotation: annotation ?? null,
      default: value.trim(),
      help: (comment ?? '').trim(),
    });
  }
  return [...found.values()];
}

/** The type a Scala annotation names, in papermill's names (`Long` is `int`, `Seq[Int]` `list`). */
function annotationType(annotation: string): ParameterType | null {
  const head = /^[\w.]+/.exec(annotation)?.[0]?.split('.').at(-1) ?? '';
  if (/^(?:Int|Long|Short|Byte|BigInt)$/.test(head)) return 'int';
  if (/^(?:Double|Float|BigDecimal)$/.test(head)) return 'float';
  if (head === 'Boolean') return 'bool';
  if (head === 'String') return 'str';
  if (/^(?:Seq|List|Vector|Array|IndexedSeq|Iterable)$/.test(head)) return 'list';
  if (head === 'Map') return 'dict';
  if (head === 'Option') return 'None';
  return null;
}

/**
 * The type of a Scala literal, as papermill's values are written (scala-literal.ts): `1`,
 * `1L`, `BigInt("…")` int; `1.5`, `1e3`, `Double.NaN` float; `true`/`false` bool; `"…"` and
 * `"""…"""` str; `None` None; `Seq(…)`, `List(…)`, `Vector(…)`, `Array(…)` list; `Map(…)`
 * dict. Null for anything else (a name, a call): such a parameter takes any value.
 */
export function scalaLiteralType(text: string): ParameterType | null {
  if (text === 'None') return 'None';
  if (text === 'true' || text === 'false') return 'bool';
  if (/^-?\d+L?$/.test(text) || /^BigInt\("-?\d+"\)$/.test(text)) return 'int';
  if (/^-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?[dDfF]?$/.test(text)) return 'float';
  if (/^Double\.(?:NaN|PositiveInfinity|NegativeInfinity)$/.test(text)) return 'float';
  if (/^(?:"""[\s\S]*"""|"(?:[^"\\\n]|\\.)*")$/.test(text)) return 'str';
  if (/^(?:Seq|List|Vector|Array)\s*\([\s\S]*\)$/.test(text)) return 'list';
  if (/^Map\s*\([\s\S]*\)$/.test(text)) return 'dict';
  return null;
}

/** The cell's statements: lines joined while a bracket or `"""` is open; `//` comments apart. */
function statements(source: string): { code: string; comment: string | null }[] {
  const out: { code: string; comment: string | null }[] = [];
  let pending = '';
  let depth = 0;
  let triple = false;
  for (const line of source.split('\n')) {
    const inString = triple; // a line inside a """ string keeps its line break
    let code = '';
    let comment: string | null = null;
    for (let i = 0; i < line.length; i++) {
      const rest = line.slice(i);
      if (rest.startsWith('"""')) {
        triple = !triple;
        code += '"""';
        i += 2;
      } else if (triple) code += line[i];
      else if (rest.startsWith('//')) {
        comment = line.slice(i + 2);
        break;
      } else if (line[i] === '"') {
        const end = /^"(?:[^"\\]|\\.)*"/.exec(rest)?.[0] ?? rest;
        code += end;
        i += end.length - 1;
      } else {
        depth += '([{'.includes(line[i]!) ? 1 : ')]}'.includes(line[i]!) ? -1 : 0;
        code += line[i];
      }
    }
    pending = pending ? `${pending}${inString ? '\n' : ' '}${inString ? code : code.trim()}` : code.trim();
    if (depth > 0 || triple) continue;
    if (pending) out.push({ code: pending, comment });
    pending = '';
    depth = 0;
  }
  if (pending) out.push({ code: pending, comment: null });
  return out;
}
