import { serviceHealth } from '../../../core/use-cases/service-health.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';

export const handler = route(contracts.health, async ({ services }) => {
  const { ok, body } = await serviceHealth(services);
  return json(ok ? 200 : 503, body);
});
