/**
 * A parameter a notebook declares in its cell tagged `parameters`, as papermill's
 * `inspect_notebook` reports it (`Parameter(name, inferred_type_name, default, help)`), and
 * the type rules `strictParameters` checks run parameters with.
 */
import { isRawJson } from '../python-literal.ts';

/** The types a default can be inferred as (Python's names; R's values map onto them). */
export const PARAMETER_TYPES = ['int', 'float', 'bool', 'str', 'list', 'dict', 'None'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface DeclaredParameter {
  name: string;
  /**
   * What the strict check holds a value to: the annotation when it names one of
   * {@link PARAMETER_TYPES} (`List[int]` is `list`), else the type of the default literal;
   * null when neither tells (any value fits).
   */
  inferredType: ParameterType | null;
  /** The annotation (`a: int = 1`) or type comment (`a = 1  # type: int`) as written; null without. */
  annotation: string | null;
  /** The default's source text (comments removed; continuation lines joined). */
  default: string;
  /** The trailing comment of the definition's last line ('' without one). */
  help: string;
}

/** A parameters cell's parser for one kernel language (papermill's `Translator.inspect`). */
export type ParameterInspector = (source: string) => DeclaredParameter[];

/**
 * The type of a run parameter's JSON value: numbers kept as raw JSON (lossless parameters)
 * are `int` when their source has no fraction or exponent, else `float` (as Python's
 * `json.loads` types them); plain JS numbers are `int` when integral.
 */
export function typeOfValue(value: unknown): ParameterType {
  if (value === null || value === undefined) return 'None';
  if (isRawJson(value)) return /^-?\d+$/.test(value.rawJSON) ? 'int' : 'float';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  return Array.isArray(value) ? 'list' : 'dict';
}

/**
 * The type rules of `strictParameters`: a value fits a parameter of the same type; an `int`
 * also fits a `float` parameter; a `bool` fits only `bool` (not `int`); `null` fits only a
 * `None` default; a parameter whose default is `None` or has no inferable type takes anything.
 */
export function fitsType(declared: ParameterType | null, value: unknown): boolean {
  if (declared === null || declared === 'None') return true;
  const actual = typeOfValue(value);
  return actual === declared || (declared === 'float' && actual === 'int');
}
