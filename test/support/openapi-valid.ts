import fc from 'fast-check';

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) as the served document has it. */
export type Schema = Record<string, any>;

/**
 * What a generator needs besides the schema: `$ref` resolution against the document's
 * components, and values by property name where the state decides what is valid (the ids of
 * real resources, the cells of a real notebook).
 */
export interface GenerationContext {
  deref(schema: Schema): Schema;
  overrides: Record<string, fc.Arbitrary<unknown>>;
}

/** Values for the formats the document names; `cron` and `iana-time-zone` are its own. */
const FORMATS: Record<string, fc.Arbitrary<string>> = {
  uuid: fc.uuid(),
  'date-time': fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2099-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString()),
  uri: fc.nat(999).map((n) => `http://127.0.0.1:9/hooks/${n}`),
  cron: fc.constantFrom(
    '0 2 * * *',
    '*/15 * * * *',
    '0 9 * * MON-FRI',
    '30 6 1 * ?',
    '0 0 ? * SUN',
    '5 4 * 1,7 *',
  ),
  'iana-time-zone': fc.constantFrom(
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Asia/Tokyo',
    'utc',
    'US/Pacific',
  ),
};

/** Code points, as JSON Schema counts a string's length. */
export const length = (s: string) => [...s].length;

/** Combines two schemas a value must satisfy (a branch of anyOf with its siblings), for generating. */
export function merge(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a, ...b };
  if (a.minimum !== undefined && b.minimum !== undefined) out.minimum = Math.max(a.minimum, b.minimum);
  if (a.maximum !== undefined && b.maximum !== undefined) out.maximum = Math.min(a.maximum, b.maximum);
  if (a.required || b.required) out.required = [...new Set([...(a.required ?? []), ...(b.required ?? [])])];
  if (a.properties && b.properties) {
    out.properties = { ...a.properties };
    for (const [k, v] of Object.entries(b.properties as Schema))
      out.properties[k] = a.properties[k] ? merge(a.properties[k], v as Schema) : v;
  }
  const patterns = [a.pattern, b.pattern, ...(a.patterns ?? []), ...(b.patterns ?? [])].filter(Boolean);
  if (patterns.length > 0) out.patterns = [...new Set(patterns)];
  return out;
}

const test = (pattern: string, value: string) => new RegExp(pattern, 'u').test(value);

/** Long strings of mixed scripts (emoji count one character each) exactly near the limit. */
const longText = (min: number, max: number) =>
  fc
    .array(fc.constantFrom('a', 'Z', 'é', '🚀', '中', ' ', '-'), {
      minLength: Math.max(min, max - 2),
      maxLength: max,
    })
    .map((chars) => chars.join(''));

function stringArbitrary(s: Schema): fc.Arbitrary<string> {
  if (s.format && FORMATS[s.format]) return FORMATS[s.format]!;
  const patterns: string[] = [...new Set([s.pattern, ...(s.patterns ?? [])].filter(Boolean))];
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Math.max(min, 40);
  const anchored = patterns.find((p) => p.startsWith('^'));
  const short = anchored
    ? fc.stringMatching(new RegExp(anchored, 'u'))
    : fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.min(max, min + 30) });
  // Now and then a string right at maxLength, mixing one- and two-unit characters: lengths
  // count code points (a pattern that refuses such characters filters them out).
  const candidates = max <= 4000 ? fc.oneof({ arbitrary: short, weight: 4 }, longText(min, max)) : short;
  return candidates.filter((v) => length(v) >= min && length(v) <= max && patterns.every((p) => test(p, v)));
}

function numberArbitrary(s: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum : (s.minimum ?? -1e6);
  const max = s.exclusiveMaximum !== undefined ? s.exclusiveMaximum : (s.maximum ?? 1e6);
  const ints = fc.integer({ min: Math.ceil(min), max: Math.floor(max) });
  const edges = fc.constantFrom(...[min, max].filter((n) => Number.isInteger(n) || !integer));
  const values = integer
    ? fc.oneof(ints, edges)
    : fc.oneof(ints, edges, fc.double({ min, max, noNaN: true, noDefaultInfinity: true }));
  return values.filter(
    (n) =>
      (s.exclusiveMinimum === undefined || n > s.exclusiveMinimum) &&
      (s.exclusiveMaximum === undefined || n < s.exclusiveMaximum),
  );
}

/** Keys a `propertyNames` schema allows (readable ones: identifiers in a few scripts). */
function keyArbitrary(s: Schema | undefined): fc.Arbitrary<string> {
  const key = fc.stringMatching(/^[A-Za-z_àéπж][A-Za-z0-9_àéπж]{0,11}$/);
  if (!s) return key;
  return key.filter((k) => (!s.pattern || test(s.pattern, k)) && !(s.not?.enum ?? []).includes(k));
}

function objectArbitrary(s: Schema, ctx: GenerationContext): fc.Arbitrary<unknown> {
  const properties: Schema = s.properties ?? {};
  const keys = Object.keys(properties);
  const extra = s.additionalProperties;
  if (keys.length === 0 && extra !== false && extra !== undefined) {
    const value =
      typeof extra === 'object' && Object.keys(extra).length > 0
        ? valid(extra, ctx)
        : fc.jsonValue({ maxDepth: 2 });
    return fc.dictionary(keyArbitrary(ctx.deref(s.propertyNames ?? {})), value, { maxKeys: 3 });
  }
  const model = Object.fromEntries(keys.map((k) => [k, valid(properties[k], ctx, k)]));
  const required = (s.required ?? []).filter((k: string) => keys.includes(k));
  return fc.record(model, { requiredKeys: required });
}

/**
 * Values `schema` allows, generated from its keywords (types, bounds, lengths, patterns, enums,
 * formats, required, additionalProperties, anyOf/oneOf/allOf branches). Keywords it does not
 * construct for (`if`/`then`, `not`, cross-branch exclusions) are left to the caller, which
 * keeps only the values the schema validates.
 */
export function valid(schema: Schema, ctx: GenerationContext, name = ''): fc.Arbitrary<unknown> {
  const s = ctx.deref(schema);
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    if (!s[keyword]) continue;
    const { [keyword]: branches, ...base } = s;
    return fc.oneof(...branches.map((b: Schema) => valid(merge(base, ctx.deref(b)), ctx, name)));
  }
  if (s.allOf) {
    const { allOf, ...base } = s;
    return valid(
      allOf.reduce((acc: Schema, b: Schema) => merge(acc, ctx.deref(b)), base),
      ctx,
      name,
    );
  }
  if (name && ctx.overrides[name]) return ctx.overrides[name];
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const types: string[] = s.type ? [s.type].flat() : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...s, type }, ctx, name)));
  switch (types[0]) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return numberArbitrary(s, true);
    case 'number':
      return numberArbitrary(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? min + 3, min + 3);
      return fc.array(valid(s.items ?? {}, ctx), { minLength: min, maxLength: max });
    }
    case 'object':
      return objectArbitrary(s, ctx);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
