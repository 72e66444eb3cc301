import { listSecrets } from '../../../core/use-cases/secrets.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/secret-contracts.ts';

export const handler = route(contracts.listSecrets, async ({ services, actor }) =>
  json(200, await listSecrets(services, actor)),
);
