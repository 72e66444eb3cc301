import { canonicalJson, parseParametersLossless } from '../parameters.ts';

/** A parameter given to only one of two runs, or with another value. */
export interface ParameterChange {
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** The value in the earlier run (null when it had none; numbers exactly as sent). */
  before: unknown;
  after: unknown;
}

const parse = (json: string) => (parseParametersLossless(json) ?? {}) as Record<string, unknown>;

/**
 * The parameters that differ between two runs' parameters (JSON as sent), by name: compared
 * as canonical JSON, so key order inside values does not count and `1` is not `1.0`.
 */
export function parameterChanges(beforeJson: string, afterJson: string): ParameterChange[] {
  const a = parse(beforeJson);
  const b = parse(afterJson);
  const names = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return names.flatMap((name): ParameterChange[] => {
    const inA = Object.hasOwn(a, name);
    const inB = Object.hasOwn(b, name);
    if (inA && inB && canonicalJson(a[name]) === canonicalJson(b[name])) return [];
    return [
      {
        name,
        change: !inA ? 'added' : !inB ? 'removed' : 'changed',
        before: inA ? a[name] : null,
        after: inB ? b[name] : null,
      },
    ];
  });
}
