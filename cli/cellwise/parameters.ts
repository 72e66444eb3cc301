/**
 * Run parameters from the command line, typed the way papermill's CLI types them: `-p name=value`
 * (`3` an int, `1.5` a float, `true`/`True` a bool, `null`/`None` None, JSON arrays, objects and
 * quoted strings as JSON, anything else a string), `-y 'yaml text'` and `-f params.yaml|json`.
 * Numbers stay JSON source text (`JSON.rawJSON`), so big integers reach the kernel exact and
 * `1.0` stays a float. Later sources win: file, then YAML text, then `-p`, in command-line order.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseParametersLossless } from '../../functions/core/parameters.ts';
import { rawJson } from '../../functions/core/python-literal.ts';
import { UsageError } from './errors.ts';

export type Parameters = Record<string, unknown>;

const INT = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const WORDS: Record<string, unknown> = {
  true: true,
  True: true,
  false: false,
  False: false,
  null: null,
  None: null,
};

/** A float literal as JSON text: `+1.` → `1.0`, `.5` → `0.5`, `2e3` stays (Python reads a float). */
function floatJson(text: string): string {
  return text
    .replace(/^\+/, '')
    .replace(/^(-?)\./, '$10.')
    .replace(/\.(?=[eE]|$)/, '.0');
}

/** The value of one `-p name=value`, typed like papermill's `-p`. */
export function typeValue(text: string): unknown {
  if (text in WORDS) return WORDS[text];
  if (INT.test(text)) return rawJson(BigInt(text).toString());
  if (FLOAT.test(text)) return rawJson(floatJson(text));
  if (/^\s*[[{"]/.test(text)) {
    try {
      return parseParametersLossless(text);
    } catch {
      // not JSON: a string, as papermill keeps it
    }
  }
  return text;
}

/** Parses `name=value` pairs (`-p`), in order. */
export function parsePairs(pairs: readonly string[]): Parameters {
  const out: Parameters = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`-p takes name=value, got: ${pair}`);
    out[pair.slice(0, eq)] = typeValue(pair.slice(eq + 1));
  }
  return out;
}

/** A YAML value as JSON-ready data: ints (bigint) and floats keep their kind as raw JSON numbers. */
function fromYaml(value: unknown, where: string): unknown {
  if (typeof value === 'bigint') return rawJson(value.toString());
  if (typeof value === 'number') {
    if (Number.isNaN(value)) throw new UsageError(`${where}: NaN cannot be sent as JSON`);
    if (!Number.isFinite(value)) return rawJson(value > 0 ? '1e400' : '-1e400');
    if (Object.is(value, -0)) return rawJson('-0.0');
    const text = String(value);
    return rawJson(/[.eE]/.test(text) ? text : `${text}.0`);
  }
  if (Array.isArray(value)) return value.map((v, i) => fromYaml(v, `${where}[${i}]`));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromYaml(v, `${where}.${k}`)]));
  }
  return value;
}

/** Parameters from YAML text (a mapping); `source` names it in errors. */
export function parseYamlParameters(text: string, source: string): Parameters {
  let value: unknown;
  try {
    value = parseYaml(text, { intAsBigInt: true });
  } catch (error) {
    throw new UsageError(`${source}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${source}: parameters must be a mapping of names to values`);
  }
  return fromYaml(value, source) as Parameters;
}

/** Parameters from a file: `.json` read losslessly, anything else as YAML (a superset of JSON). */
export function readParametersFile(path: string): Parameters {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  if (!path.toLowerCase().endsWith('.json')) return parseYamlParameters(text, path);
  let value: unknown;
  try {
    value = parseParametersLossless(text);
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${path}: parameters must be a JSON object`);
  }
  return value as Parameters;
}

/** Every source merged: `-f` files, then `-y` texts, then `-p` pairs (later names win). */
export function collectParameters(options: {
  file?: string[];
  yaml?: string[];
  param?: string[];
}): Parameters {
  return Object.assign(
    {},
    ...(options.file ?? []).map(readParametersFile),
    ...(options.yaml ?? []).map((text, i) => parseYamlParameters(text, `-y #${i + 1}`)),
    parsePairs(options.param ?? []),
  );
}

/** Parameters as JSON text (numbers exactly as typed), e.g. for `--json` or the run's body. */
export function parametersJson(parameters: Parameters): string {
  return JSON.stringify(parameters);
}
