import { merge, type Schema } from './openapi-valid.ts';

/** Marks a mutation that does not apply to the value it was given. */
export const SKIP = Symbol('skip');

/** One way to break a valid value: `what` (for the failure message) and the change. */
export interface Mutation {
  what: string;
  apply(value: unknown): unknown;
}

export interface ViolationContext {
  deref(schema: Schema): Schema;
  /** Whether `value` is valid against `schema` (ajv on the served document). */
  validates(schema: Schema, value: unknown): boolean;
}

const SAMPLES: Array<[string, unknown]> = [
  ['string', 'text'],
  ['integer', 7],
  ['number', 1.5],
  ['boolean', true],
  ['null', null],
  ['array', []],
  ['object', {}],
];

/** Values that break one keyword of a leaf schema: a bound, a length, a pattern, an enum, a type. */
function leafCandidates(s: Schema): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  if (s.enum || 'const' in s) out.push(['not one of the values', 'no-such-option']);
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push(['shorter than minLength', '']);
  if (typeof s.maxLength === 'number' && s.maxLength <= 5000)
    out.push(['longer than maxLength', 'x'.repeat(s.maxLength + 1)]);
  if (s.pattern || s.patterns || s.format === 'uuid')
    for (const text of ['not a valid value!', ' ', '\u0001control', 'a b'])
      out.push([`not matching the pattern (${JSON.stringify(text)})`, text]);
  if (typeof s.minimum === 'number') out.push(['below minimum', s.minimum - 1]);
  if (typeof s.maximum === 'number') out.push(['above maximum', s.maximum + 1]);
  if (s.type === 'integer') out.push(['not an integer', (s.minimum ?? 0) + 0.5]);
  if (typeof s.minItems === 'number' && s.minItems > 0) out.push(['fewer items than minItems', []]);
  return out;
}

/**
 * Mutations that break `schema` by exactly one documented constraint: a wrong type, a value
 * out of bounds, too short or long, off its pattern or enum; for objects also a required
 * property left out and an unknown property added (where additionalProperties is false),
 * recursively into nested objects and the first item of arrays (two levels deep).
 */
export function mutations(schema: Schema, ctx: ViolationContext, depth = 0): Mutation[] {
  const s = ctx.deref(schema);
  const out: Mutation[] = [];
  const branches: Schema[] = (s.anyOf ?? s.oneOf ?? [{}]).map((b: Schema) => merge(s, ctx.deref(b)));
  const leaf = (what: string, value: unknown) => {
    if (!ctx.validates(s, value)) out.push({ what, apply: () => value });
  };
  for (const branch of branches) for (const [what, value] of leafCandidates(branch)) leaf(what, value);
  // Two wrong types are enough: the constraints above are what a schema mostly says.
  const before = out.length;
  for (const [type, value] of SAMPLES) if (out.length < before + 2) leaf(`a ${type} instead`, value);
  if (depth >= 2) return out;
  const object = branches.find((b) => b.type === 'object' && b.properties);
  if (object) {
    const isObject = (v: unknown): v is Record<string, unknown> =>
      !!v && typeof v === 'object' && !Array.isArray(v);
    for (const key of object.required ?? [])
      out.push({ what: `without required ${key}`, apply: (v) => (isObject(v) ? omit(v, [key]) : SKIP) });
    const alternatives = (s.anyOf ?? []).every((b: Schema) => Object.keys(b).join() === 'required');
    if (s.anyOf && alternatives) {
      const keys = s.anyOf.flatMap((b: Schema) => b.required);
      out.push({
        what: `without any of ${keys.join(', ')}`,
        apply: (v) => (isObject(v) ? omit(v, keys) : SKIP),
      });
    }
    if (object.additionalProperties === false)
      out.push({
        what: 'with an unknown property',
        apply: (v) => (isObject(v) ? { ...v, unexpectedProperty: 1 } : SKIP),
      });
    for (const [key, property] of Object.entries(object.properties as Schema)) {
      for (const m of mutations(property, ctx, depth + 1)) {
        out.push({
          what: `${key}: ${m.what}`,
          apply: (v) => (isObject(v) ? withValue(v, key, m.apply(v[key])) : SKIP),
        });
      }
    }
  }
  const array = branches.find((b) => b.type === 'array' && b.items);
  if (array) {
    for (const m of mutations(array.items, ctx, depth + 1)) {
      out.push({
        what: `first item: ${m.what}`,
        apply: (v) => (Array.isArray(v) && v.length > 0 ? withItem(v, m.apply(v[0])) : SKIP),
      });
    }
  }
  return out;
}

function omit(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

function withValue(value: Record<string, unknown>, key: string, next: unknown): unknown {
  return next === SKIP ? SKIP : { ...value, [key]: next };
}

function withItem(items: unknown[], next: unknown): unknown {
  return next === SKIP ? SKIP : [next, ...items.slice(1)];
}

/** Path and query values that break a parameter's schema (they travel as text). */
export function parameterViolations(schema: Schema): string[] {
  const out = new Set<string>();
  const add = (...values: string[]) => {
    for (const value of values) out.add(value);
  };
  if (schema.format === 'uuid' || schema.pattern)
    add('not-a-guid', '1234', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz');
  if (schema.enum) add('no-such-option');
  if (schema.type === 'integer' || schema.type === 'number') {
    add('abc');
    if (schema.type === 'integer') add('2.5');
    if (typeof schema.minimum === 'number') add(String(schema.minimum - 1));
    if (typeof schema.maximum === 'number') add(String(schema.maximum + 1));
  }
  if (schema.pattern && !schema.format) add('latest', '1.0');
  return [...out].filter((v) => !schema.pattern || !new RegExp(schema.pattern, 'u').test(v));
}
