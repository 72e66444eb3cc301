import { deleteSecret } from '../../../core/use-cases/secrets.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/secret-contracts.ts';

export const handler = route(contracts.deleteSecret, async ({ services, actor, params }) => {
  await deleteSecret(services, actor, params.name);
  return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
