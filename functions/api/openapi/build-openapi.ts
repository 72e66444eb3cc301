import { z } from 'zod';
import { ROUTES } from '../../../infra/routes.ts';
import type { ResponseSpec, RouteContract } from '../../http/contract.ts';
import { CONTRACTS } from '../contracts/index.ts';
import { addSeedExamples } from './seed-examples.ts';

type Json = Record<string, unknown>;

/**
 * Converts a zod schema to JSON Schema 2020-12 (OpenAPI 3.1's dialect). Named schemas
 * (`.meta({id})`) land in `components.schemas` and are referenced from there.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  const { $schema: _s, $defs, ...root } = generated;
  for (const [name, def] of Object.entries(($defs ?? {}) as Json)) components[name] ??= rewriteRefs(def);
  return rewriteRefs(root) as Json;
}

/** zod points named schemas at `#/$defs/X`; in the document they live at `#/components/schemas/X`. */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string'
          ? v.replace('#/$defs/', '#/components/schemas/')
          : rewriteRefs(v),
      ]),
    );
  }
  return value;
}

function parameters(contract: RouteContract, components: Json): Json[] {
  const result: Json[] = [];
  for (const [where, schema] of [
    ['path', contract.params],
    ['query', contract.query],
  ] as const) {
    if (!schema) continue;
    const object = toSchema(schema, 'input', components) as { properties?: Json; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      result.push({
        name,
        in: where,
        required: where === 'path' || (object.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return result;
}

/** One response: its description, its body's media type(s) and schema, and a 400's refusals. */
function response(spec: ResponseSpec, components: Json): Json {
  const types = spec.contentType ?? (spec.schema ? 'application/json' : []);
  const media = spec.schema ? { schema: toSchema(spec.schema, 'output', components) } : {};
  const refusals = Object.keys(spec.refusals ?? {});
  return {
    description: spec.description,
    ...([types].flat().length > 0
      ? { content: Object.fromEntries([types].flat().map((type) => [type, media])) }
      : {}),
    ...(refusals.length > 0 ? { 'x-refusals': refusals } : {}),
  };
}

/** The OpenAPI 3.1 document of every manifest route, built from the handlers' own contracts. */
export function buildOpenApi(): Json {
  const components: Json = {};
  const paths: Record<string, Json> = {};
  for (const route of ROUTES) {
    const contract = CONTRACTS[route.id];
    if (!contract) throw new Error(`route ${route.id} has no contract`);
    const operation: Json = {
      operationId: route.id,
      summary: contract.summary,
      tags: contract.tags,
      parameters: parameters(contract, components),
      responses: Object.fromEntries(
        Object.entries(contract.responses).map(([code, spec]) => [code, response(spec, components)]),
      ),
      ...(contract.auth ? {} : { security: [] }),
    };
    if (contract.body) {
      const type = contract.bodyEncoding === 'multipart' ? 'multipart/form-data' : 'application/json';
      operation.requestBody = {
        required: true,
        content: { [type]: { schema: toSchema(contract.body, 'input', components) } },
      };
    }
    if (contract.documentedBodies) {
      operation.requestBody = {
        required: true,
        content: Object.fromEntries(
          Object.entries(contract.documentedBodies).map(([type, schema]) => [
            type,
            { schema: toSchema(schema, 'input', components) },
          ]),
        ),
      };
    }
    addSeedExamples(route.id, operation);
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cellwise API',
      version: '1.0.0',
      description:
        'Create, organise and run Jupyter notebooks over REST. Errors: {"Error", "Message", ...context}.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A Cellwise API token' },
      },
      schemas: components,
    },
  };
}
