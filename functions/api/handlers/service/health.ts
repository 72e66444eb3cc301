import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';

export const handler = route(contracts.health, async ({ services }) => {
  const checks = await services.readiness();
  const ok = Object.values(checks).every((v) => v === 'ok');
  return json(ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', checks });
});
