import { z } from 'zod';
import { WEBHOOK_EVENTS } from '../../core/webhooks/webhook.ts';
import { guid, pageQuery, projectParams } from './common.ts';

export const webhookParams = projectParams.extend({ webhookId: guid });

/** An absolute http(s) URL of at most 2048 characters (where it resolves to is checked later). */
const webhookUrl = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(2048, 'must be at most 2048 characters')
  .refine((s) => URL.canParse(s), 'must be an absolute URL')
  .refine(
    (s) => !URL.canParse(s) || ['http:', 'https:'].includes(new URL(s).protocol),
    'must be http or https',
  )
  .refine((s) => !URL.canParse(s) || new URL(s).hostname !== '', 'must name a host')
  .meta({ format: 'uri' });

export const createWebhookBody = z.strictObject({
  url: webhookUrl,
  events: z
    .array(z.enum(WEBHOOK_EVENTS, { message: `must be one of: ${WEBHOOK_EVENTS.join(', ')}` }))
    .min(1, 'must name at least one event'),
  notebookId: guid.nullable().optional(),
});

export const webhooksQuery = z.object({ ...pageQuery });

const webhookFields = {
  webhookId: z.uuid(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  notebookId: z.uuid().nullable().meta({ description: 'Only runs of this notebook; null for all' }),
  dateCreated: z.string(),
};

export const webhook = z.object(webhookFields).meta({ id: 'Webhook' });

export const createdWebhook = z
  .object({
    ...webhookFields,
    secret: z.string().meta({
      description: 'The signing secret (whsec_…). Shown in this response only: store it now.',
    }),
  })
  .meta({ id: 'CreatedWebhook' });

export const webhookPage = z.object({
  webhooks: z.array(webhook),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  hasNextPage: z.boolean(),
});

const nullableString = z.string().nullable();

export const delivery = z
  .object({
    deliveryId: z.uuid(),
    webhookId: z.uuid(),
    event: z.enum(WEBHOOK_EVENTS),
    executionId: z.uuid(),
    notebookId: z.uuid(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    attempts: z.number().int(),
    lastAttemptAt: nullableString,
    nextAttemptAt: nullableString.meta({ description: 'When the next attempt is due; null once final' }),
    responseStatus: z.number().int().nullable().meta({ description: "The last attempt's HTTP status" }),
    error: nullableString.meta({ description: 'Why the last attempt failed' }),
    dateCreated: z.string(),
  })
  .meta({ id: 'WebhookDelivery' });

export const deliveryPage = z.object({
  webhookId: z.uuid(),
  deliveries: z.array(delivery),
  totalCount: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  hasNextPage: z.boolean(),
});
