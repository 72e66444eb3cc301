import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI_ROUTES } from '../../cli/cellwise/api-client.ts';
import { CONTRACTS } from '../../functions/api/contracts/index.ts';
import { SEED_EXAMPLES } from '../../functions/api/openapi/seed-examples.ts';
import { ROUTES } from '../../infra/routes.ts';
import { call } from '../support/api.ts';

type Json = Record<string, any>;

describe('GET /api/openapi.json', () => {
  it('serves a valid OpenAPI 3.1 document without a token', async () => {
    const res = await call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(res.body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every manifest route with its method', async () => {
    const doc = (await call('GET', '/api/openapi.json')).body;
    for (const route of ROUTES) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.id);
    }
    const documented = Object.values(doc.paths).flatMap((p) => Object.keys(p as object));
    expect(documented).toHaveLength(ROUTES.length);
  });

  it('describes request bodies with the schemas the handlers validate with', async () => {
    const doc = (await call('GET', '/api/openapi.json')).body;
    const put = doc.paths['/api/{tenantId}/{projectId}/notebook/{notebookId}'].put;
    const schema = put.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['name', 'notebookName', 'dateModified', 'cells']),
    );
    expect(schema.additionalProperties).toBe(false);
    const list = doc.paths['/api/{tenantId}/{projectId}/notebooks'].get;
    const pageSize = list.parameters.find((p: { name: string }) => p.name === 'pageSize');
    expect(pageSize.schema.maximum).toBe(100);
    expect(doc.paths['/health'].get.security).toEqual([]);
  });

  it('states the rules the validation enforces: lengths, patterns, formats, required, bounds, cross-field rules', async () => {
    const doc = (await call('GET', '/api/openapi.json')).body;
    const body = (path: string, method: string, type = 'application/json') =>
      doc.paths[`/api/{tenantId}/{projectId}${path}`][method].requestBody.content[type].schema;
    const inInvestigation = body('/notebook/investigation/{investigationId}', 'post');
    expect(inInvestigation.anyOf).toEqual([{ required: ['name'] }, { required: ['notebookName'] }]);
    expect(inInvestigation.properties.name).toMatchObject({ minLength: 1, maxLength: 200 });
    expect(inInvestigation.properties.name.allOf).toEqual([
      { pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F]*$' },
      { pattern: '\\S' },
    ]);
    const update = body('/notebook/{notebookId}', 'put');
    expect(update.properties.notebookOrder).toMatchObject({
      minimum: -Number.MAX_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
      anyOf: [{ const: 0 }, { minimum: 1e-130 }, { maximum: -1e-130 }],
    });
    expect(body('/dataset', 'post').properties.caseIdColumn).toMatchObject({ minLength: 1 });
    expect(body('/dataset', 'post').oneOf).toEqual([{ required: ['rows'] }, { required: ['uploadId'] }]);
    const execute = body('/notebook/{notebookId}/execute', 'post');
    expect(execute.then.required).toEqual(['cellRange']);
    expect(execute.properties.parameters.propertyNames.not.enum).toContain('class');
    expect(
      body('/notebook/upload', 'post', 'multipart/form-data').properties.datasetBinding.anyOf[1],
    ).toMatchObject({ format: 'uuid' });
    const refusals = doc.paths['/api/{tenantId}/{projectId}/notebook'].post.responses['400']['x-refusals'];
    expect(refusals).toEqual(expect.arrayContaining(['KernelNotAvailable', 'EnvironmentNotAvailable']));
  });

  it('documents the static assets with the content types they are served with', async () => {
    const doc = (await call('GET', '/api/openapi.json')).body;
    const documented = Object.keys(doc.paths['/static/{asset}'].get.responses['200'].content);
    for (const asset of ['viewer.js', 'docs.js', 'viewer.css', 'docs.css']) {
      const res = await call('GET', `/static/${asset}`);
      expect(res.status).toBe(200);
      expect(documented).toContain(res.headers.get('content-type')!.split(';')[0]);
    }
  });
});

describe('route contracts', () => {
  it('has exactly one contract per manifest route', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual(ROUTES.map((r) => r.id).sort());
    for (const route of ROUTES) expect(CONTRACTS[route.id]!.auth).toBe(route.auth);
  });
});

describe('the cellwise CLI’s client against /api/openapi.json', () => {
  let doc: Json;

  beforeAll(async () => {
    doc = (await call('GET', '/api/openapi.json')).body;
  });

  it('calls only documented operations, with their method, path and path parameters', () => {
    for (const [id, [method, path]] of Object.entries(CLI_ROUTES)) {
      const template = `/api/{tenantId}/{projectId}${path}`;
      const operation = doc.paths[template]?.[method.toLowerCase()];
      expect(operation, `${method} ${template}`).toBeDefined();
      expect(operation.operationId).toBe(id);
      const documented = operation.parameters
        .filter((p: { in: string }) => p.in === 'path')
        .map((p: { name: string }) => p.name)
        .sort();
      const filled = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(documented, id).toEqual(filled);
    }
  });

  it("documents the answers the CLI reads: JSON bodies for its success codes, the error shape otherwise, and API Gateway's own for refused credentials", () => {
    const success: Record<keyof typeof CLI_ROUTES, string[]> = {
      listNotebooks: ['200'],
      getNotebook: ['200'],
      uploadNotebook: ['201'],
      createNotebookUpload: ['201'],
      getNotebookUrl: ['200'],
      getNotebookParameters: ['200'],
      // 202 a new run, 200 the run an idempotency token already started (the CLI tells them apart).
      executeNotebook: ['200', '202'],
      getExecution: ['200'],
      listExecutions: ['200'],
      cancelExecution: ['202'],
      resumeExecution: ['202'],
      getExecutionResults: ['200'],
      getExecutionOutputs: ['200'],
      getExecutionDiff: ['200'],
      // 201 a new secret, 200 a replaced one; 204 a deletion (no body).
      putSecret: ['200', '201'],
      listSecrets: ['200'],
      deleteSecret: ['204'],
    };
    for (const [id, [method, path]] of Object.entries(CLI_ROUTES)) {
      const operation = doc.paths[`/api/{tenantId}/{projectId}${path}`][method.toLowerCase()];
      const codes = Object.keys(operation.responses);
      expect(codes.filter((c) => c.startsWith('2')).sort(), id).toEqual(
        success[id as keyof typeof CLI_ROUTES],
      );
      for (const code of codes) {
        if (code === '204') continue;
        const schema = operation.responses[code].content?.['application/json']?.schema;
        expect(schema, `${id} ${code}`).toBeDefined();
        if (code === '401') {
          // No token: API Gateway's {"message"}; a link on a route it may not use: the error shape.
          expect(schema.anyOf.map((s: { $ref: string }) => s.$ref).sort(), `${id} ${code}`).toEqual([
            '#/components/schemas/Error',
            '#/components/schemas/GatewayRefusal',
          ]);
        } else if (code === '403') {
          expect(schema.$ref, `${id} ${code}`).toBe('#/components/schemas/GatewayRefusal');
        } else if (!code.startsWith('2'))
          expect(schema.$ref, `${id} ${code}`).toBe('#/components/schemas/Error');
      }
    }
    // The parameters the CLI sends in the query string are documented there.
    const query = (id: keyof typeof CLI_ROUTES) => {
      const [method, path] = CLI_ROUTES[id];
      return doc.paths[`/api/{tenantId}/{projectId}${path}`][method.toLowerCase()].parameters
        .filter((p: { in: string }) => p.in === 'query')
        .map((p: { name: string }) => p.name);
    };
    expect(query('listNotebooks')).toEqual(expect.arrayContaining(['page', 'pageSize', 'status']));
    expect(query('listExecutions')).toEqual(expect.arrayContaining(['page', 'pageSize']));
    expect(query('getNotebookUrl')).toContain('expiresIn');
    expect(query('getExecutionResults')).toContain('format');
  });
});

describe('the API docs’ examples (functions/api/openapi/seed-examples.ts)', () => {
  let doc: Json;
  let ajv: Ajv2020;

  /** The operation of a route id in the served document. */
  const operationOf = (id: string): Json => {
    const route = ROUTES.find((r) => r.id === id);
    expect(route, id).toBeDefined();
    return doc.paths[route!.path][route!.method.toLowerCase()];
  };

  /** Validates `value` against `schema` (refs into the document's components), returning the errors. */
  const problems = (schema: Json, value: unknown) => {
    const validate = ajv.compile({ ...schema, components: doc.components });
    return validate(value)
      ? []
      : validate.errors!.map((e) => `${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
  };

  beforeAll(async () => {
    doc = (await call('GET', '/api/openapi.json')).body;
    // JSON Schema 2020-12 (OpenAPI 3.1's dialect); `example` and `components` are OpenAPI's own words.
    ajv = new Ajv2020({
      allErrors: true,
      strict: true,
      // `anyOf: [{required: [a]}, {required: [b]}]` (one of two names is required) is JSON Schema's
      // idiom; ajv's strict mode would have each branch repeat the properties.
      strictRequired: false,
      formats: {
        uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
        'date-time': (s: string) =>
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s) &&
          !Number.isNaN(Date.parse(s)),
        uri: (s: string) => URL.canParse(s),
        binary: true,
        // The document's own formats (a 5-field cron, an IANA zone name): described, not asserted here.
        cron: true,
        'iana-time-zone': true,
      },
    });
    ajv.addKeyword('components');
    ajv.addKeyword('example');
  });

  it('puts every example on its route’s operation, under the status it names', () => {
    expect(Object.keys(SEED_EXAMPLES).length).toBeGreaterThan(10);
    for (const [id, seed] of Object.entries(SEED_EXAMPLES)) {
      const operation = operationOf(id);
      if (seed.request !== undefined) {
        expect(operation.requestBody?.content?.['application/json']?.example, `${id} request`).toEqual(
          seed.request,
        );
      }
      if (seed.response !== undefined) {
        const code = String(seed.status ?? Object.keys(operation.responses).find((c) => c.startsWith('2')));
        expect(operation.responses[code]?.content?.['application/json']?.example, `${id} ${code}`).toEqual(
          seed.response,
        );
      }
    }
  });

  it('has examples that validate against their request and response schemas', () => {
    const failures: Record<string, string[]> = {};
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(operations)) {
        const examples: [string, Json][] = [];
        for (const [type, media] of Object.entries((operation.requestBody?.content ?? {}) as Json)) {
          if ('example' in media) examples.push([`request ${type}`, media]);
        }
        for (const [code, response] of Object.entries(operation.responses as Json)) {
          for (const [type, media] of Object.entries((response.content ?? {}) as Json)) {
            if ('example' in media) examples.push([`response ${code} ${type}`, media]);
          }
        }
        for (const [where, media] of examples) {
          checked++;
          const found = problems(media.schema, media.example);
          if (found.length) failures[`${method.toUpperCase()} ${path} ${where}`] = found;
        }
      }
    }
    expect(failures).toEqual({});
    expect(checked).toBeGreaterThanOrEqual(17);
  });

  it('catches an example that does not fit (the check is not vacuous)', () => {
    const status = operationOf('getExecution').responses['200'].content['application/json'];
    const { resources: _dropped, ...incomplete } = status.example;
    expect(problems(status.schema, status.example)).toEqual([]);
    expect(problems(status.schema, incomplete).join('\n')).toMatch(/required property 'resources'/);
    expect(problems(status.schema, { ...status.example, notebookId: 'not-a-guid' }).join('\n')).toMatch(
      /notebookId/,
    );
  });
});
