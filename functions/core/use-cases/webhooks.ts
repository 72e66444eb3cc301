import { NotFoundError, StateConflictError, ValidationError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Actor, Services } from '../ports.ts';
import {
  MAX_WEBHOOKS_PER_PROJECT,
  newWebhookSecret,
  toDeliveryResource,
  toWebhookResource,
  type WebhookEvent,
  type WebhookRecord,
} from '../webhooks/webhook.ts';

export interface CreateWebhookInput {
  url: string;
  events: WebhookEvent[];
  notebookId: string | null;
}

/**
 * Subscribes a URL to run ends. The URL's host must resolve to public addresses only (or
 * ones the deployment allows): 400 naming `body.url` otherwise; a `notebookId` that is not
 * in the project is a 400 naming `body.notebookId`; past the per-project limit, 409. The
 * signing secret is in this response only.
 */
export async function createWebhook(services: Services, actor: Actor, input: CreateWebhookInput) {
  const refusal = await services.webhookTransport.refusal(input.url);
  if (refusal) {
    throw new ValidationError(
      `Webhooks cannot be sent to this URL: ${refusal}`,
      [{ path: 'body.url', message: refusal }],
      'WebhookUrlRefused',
    );
  }
  if (input.notebookId && !(await services.notebooks.get(actor, input.notebookId))) {
    throw new ValidationError(
      `No notebook ${input.notebookId} in this project`,
      [{ path: 'body.notebookId', message: 'is not a notebook of this project' }],
      'NotebookNotFound',
    );
  }
  const record: WebhookRecord = {
    tenantId: actor.tenantId,
    projectId: actor.projectId,
    webhookId: newId(),
    url: input.url,
    events: [...new Set(input.events)],
    notebookId: input.notebookId,
    secret: newWebhookSecret(),
    dateCreated: services.now().toISOString(),
    createdBy: actor.principalId,
  };
  if (!(await services.webhooks.create(record, MAX_WEBHOOKS_PER_PROJECT))) {
    throw new StateConflictError(
      'WebhookLimitReached',
      `A project has at most ${MAX_WEBHOOKS_PER_PROJECT} webhooks; delete one first`,
      { Limit: MAX_WEBHOOKS_PER_PROJECT },
    );
  }
  return { ...toWebhookResource(record), secret: record.secret };
}

/** The project's webhooks, oldest first, paginated like the other lists (no secrets). */
export async function listWebhooks(
  services: Services,
  actor: Actor,
  query: { page: number; pageSize: number },
) {
  const { items, totalCount } = await services.webhooks.list(actor, query.page, query.pageSize);
  return {
    webhooks: items.map(toWebhookResource),
    totalCount,
    page: query.page,
    pageSize: query.pageSize,
    hasNextPage: query.page * query.pageSize < totalCount,
  };
}

/** Deletes a webhook and its delivery history; pending deliveries are not sent. */
export async function deleteWebhook(services: Services, actor: Actor, webhookId: string): Promise<void> {
  if (!(await services.webhooks.delete(actor, webhookId))) {
    throw new NotFoundError('Webhook', { WebhookId: webhookId });
  }
}

/** A webhook's deliveries, newest first, with each one's attempts and last outcome. */
export async function listDeliveries(
  services: Services,
  actor: Actor,
  webhookId: string,
  query: { page: number; pageSize: number },
) {
  if (!(await services.webhooks.get(actor, webhookId))) {
    throw new NotFoundError('Webhook', { WebhookId: webhookId });
  }
  const { items, totalCount } = await services.webhooks.listDeliveries(
    actor,
    webhookId,
    query.page,
    query.pageSize,
  );
  return {
    webhookId,
    deliveries: items.map(toDeliveryResource),
    totalCount,
    page: query.page,
    pageSize: query.pageSize,
    hasNextPage: query.page * query.pageSize < totalCount,
  };
}
