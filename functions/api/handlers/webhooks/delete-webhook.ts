import { deleteWebhook } from '../../../core/use-cases/webhooks.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/webhook-contracts.ts';

export const handler = route(contracts.deleteWebhook, async ({ services, actor, params }) => {
  await deleteWebhook(services, actor, params.webhookId);
  return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
