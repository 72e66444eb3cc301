import { describe, expect, it } from 'vitest';
import { CLI_ROUTES } from '../../cli/cellwise/api-client.ts';
import { CONTRACTS } from '../../functions/api/contracts/index.ts';
import { ROUTES } from '../../infra/routes.ts';

describe('cli routes', () => {
  it('calls only routes of the manifest, with their method and path, each with a contract', () => {
    for (const [id, [method, path]] of Object.entries(CLI_ROUTES)) {
      const route = ROUTES.find((r) => r.id === id);
      expect(route, id).toBeDefined();
      expect({ method: route!.method, path: route!.path }, id).toEqual({
        method,
        path: `/api/{tenantId}/{projectId}${path}`,
      });
      expect(CONTRACTS[id], id).toBeDefined();
    }
  });
});
