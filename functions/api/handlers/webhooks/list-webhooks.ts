import { listWebhooks } from '../../../core/use-cases/webhooks.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/webhook-contracts.ts';

export const handler = route(contracts.listWebhooks, async ({ services, actor, query }) =>
  json(200, await listWebhooks(services, actor, query)),
);
