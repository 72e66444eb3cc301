import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { CONTRACTS } from '../../functions/api/contracts/index.ts';
import { ROUTES } from '../../infra/routes.ts';
import { call } from '../support/api.ts';

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
});

describe('route contracts', () => {
  it('has exactly one contract per manifest route', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual(ROUTES.map((r) => r.id).sort());
    for (const route of ROUTES) expect(CONTRACTS[route.id]!.auth).toBe(route.auth);
  });
});
