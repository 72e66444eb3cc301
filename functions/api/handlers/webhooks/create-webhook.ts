import { createWebhook } from '../../../core/use-cases/webhooks.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/webhook-contracts.ts';

export const handler = route(contracts.createWebhook, async ({ services, actor, body }) =>
  json(
    201,
    await createWebhook(services, actor, {
      url: body.url,
      events: body.events,
      notebookId: body.notebookId ?? null,
    }),
  ),
);
