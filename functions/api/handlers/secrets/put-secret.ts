import { putSecret } from '../../../core/use-cases/secrets.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/secret-contracts.ts';

export const handler = route(contracts.putSecret, async ({ services, actor, params, body }) => {
  const { created, secret } = await putSecret(services, actor, params.name, body.value);
  return json(created ? 201 : 200, secret);
});
