import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import { Router } from '../../local-stack/router.ts';

const router = new Router(ROUTES);
const T = '0196a1b2-0000-7000-8000-000000000001';

describe('local router', () => {
  it('matches every manifest route to itself', () => {
    for (const route of ROUTES) {
      const path = route.path.replace(/\{(\w+)\}/g, (_, n: string) =>
        n === 'version' ? '1.0.0' : `${n}-value`,
      );
      expect(router.match(route.method, path)?.route.id, `${route.method} ${route.path}`).toBe(route.id);
    }
  });

  it('prefers literal segments over parameters, as API Gateway does', () => {
    expect(router.match('GET', `/api/${T}/${T}/notebook/templates`)?.route.id).toBe('listTemplates');
    expect(router.match('GET', `/api/${T}/${T}/notebook/${T}`)?.route.id).toBe('getNotebook');
    expect(router.match('GET', `/api/${T}/${T}/notebook/investigation/${T}`)?.route.id).toBe(
      'listInvestigationNotebooks',
    );
    expect(router.match('POST', `/api/${T}/${T}/notebook/upload`)?.route.id).toBe('uploadNotebook');
  });

  it('decodes path parameters and matches nothing for unknown paths or methods', () => {
    expect(router.match('GET', `/api/${T}/${T}/notebook/a%20b`)?.pathParameters.notebookId).toBe('a b');
    expect(router.match('PATCH', `/api/${T}/${T}/notebook/${T}`)).toBeUndefined();
    expect(router.match('GET', `/api/${T}/${T}/notebook/${T}/nothing`)).toBeUndefined();
    expect(router.match('GET', '/api//x/notebooks')).toBeUndefined();
  });
});
