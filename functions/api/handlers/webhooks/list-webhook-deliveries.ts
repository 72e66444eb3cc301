import { listDeliveries } from '../../../core/use-cases/webhooks.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/webhook-contracts.ts';

export const handler = route(contracts.listWebhookDeliveries, async ({ services, actor, params, query }) =>
  json(200, await listDeliveries(services, actor, params.webhookId, query)),
);
