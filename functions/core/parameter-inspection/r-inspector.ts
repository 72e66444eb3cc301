/**
 * The R parameters cell. papermill has no `RTranslator.inspect` (its `--help-notebook` lists
 * nothing for R); this one reads the cell by the Python parser's rules, in R's syntax:
 * `name <- value`, `name = value` or `name <<- value`, the last line's `# comment` as help.
 */
import type { DeclaredParameter, ParameterType } from './declared-parameter.ts';
import { closesAtEnd, topLevelIndex } from './literal-scan.ts';
import { splitStatements } from './source-scan.ts';

const ASSIGNMENT = /^((?:[A-Za-z]|\.(?![0-9]))[A-Za-z0-9._]*)\s*(?:<<-|<-|=(?!=))\s*([\s\S]+)$/;
const INT = /^[-+]?(?:\d+|0[xX][\da-fA-F]+)L?$/;
const FLOAT =
  /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|0[xX][\da-fA-F]+(?:\.[\da-fA-F]*)?[pP][-+]?\d+|Inf|NaN)$/;
const STRING = /^(?:"(?:[^"\\]|\\[\s\S])*"|'(?:[^'\\]|\\[\s\S])*'|[rR](["'])-*[([{][\s\S]*[)\]}]-*\1)$/;

/** The parameters of an R parameters cell, in order; a name assigned twice: its last definition. */
export function inspectR(source: string): DeclaredParameter[] {
  const found = new Map<string, DeclaredParameter>();
  for (const { code, comment } of splitStatements(source, { tripleQuotes: false, multilineStrings: true })) {
    const match = ASSIGNMENT.exec(code);
    const value = match?.[2]?.trim();
    if (!match || !value || ASSIGNMENT.test(value)) continue; // not `a <- b <- 1`
    found.set(match[1]!, {
      name: match[1]!,
      inferredType: rLiteralType(value),
      annotation: null,
      default: value,
      help: (comment ?? '').trim(),
    });
  }
  return [...found.values()];
}

/**
 * The type of an R literal, in the names of the values papermill injects: `1`, `1L` int
 * (papermill writes a JSON integer as `1`); `1.5`, `1e3`, `Inf`, `NaN` float; `TRUE`,
 * `FALSE`, `T`, `F` bool; `"…"`, `'…'`, `r"(…)"` str; `NULL` None; `c(…)` and unnamed
 * `list(…)` list; `list(a = …)` (every element named) dict. Null for anything else (`NA`, a
 * name, a call): such a parameter takes any value.
 */
export function rLiteralType(text: string): ParameterType | null {
  if (text === 'NULL') return 'None';
  if (/^(?:TRUE|FALSE|T|F)$/.test(text)) return 'bool';
  if (INT.test(text)) return 'int';
  if (FLOAT.test(text)) return 'float';
  if (STRING.test(text)) return 'str';
  const call = /^(c|list)\s*\(/.exec(text);
  if (!call || !closesAtEnd(text, text.indexOf('('))) return null;
  if (call[1] === 'c') return 'list';
  const inner = text.slice(text.indexOf('(') + 1, -1).trim();
  if (!inner) return 'list';
  const named = splitTopLevel(inner).every(
    (item) => topLevelIndex(item, '=', (t, at) => t[at + 1] !== '=') > 0,
  );
  return named ? 'dict' : 'list';
}

/** The items of a comma-separated list, split at top-level commas. */
function splitTopLevel(text: string): string[] {
  const items: string[] = [];
  let rest = text;
  for (let at = topLevelIndex(rest, ','); at >= 0; at = topLevelIndex(rest, ',')) {
    items.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  return [...items, rest];
}
