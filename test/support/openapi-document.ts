import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Schema } from './openapi-valid.ts';

type Json = Record<string, any>;

/** ajv on the served document: 2020-12 with the document's formats (custom ones asserted loosely). */
export function documentValidator(doc: Json) {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    formats: {
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      'date-time': (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s),
      uri: (s: string) => URL.canParse(s),
      binary: true,
      cron: true,
      'iana-time-zone': true,
    },
  });
  const compiled = new WeakMap<Schema, ValidateFunction>();
  const compile = (schema: Schema) => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile({ ...schema, components: doc.components });
      compiled.set(schema, validate);
    }
    return validate;
  };
  const deref = (schema: Schema): Schema => {
    const ref = schema?.$ref as string | undefined;
    return ref ? deref(doc.components.schemas[ref.replace('#/components/schemas/', '')]) : (schema ?? {});
  };
  return {
    deref,
    validates: (schema: Schema, value: unknown) => compile(schema)(value) as boolean,
    problems: (schema: Schema, value: unknown) => {
      const validate = compile(schema);
      return validate(value)
        ? []
        : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    },
  };
}

export type DocumentValidator = ReturnType<typeof documentValidator>;
