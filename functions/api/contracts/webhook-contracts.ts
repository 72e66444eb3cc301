import type { RouteContract } from '../../http/contract.ts';
import { projectParams } from '../schemas/common.ts';
import {
  createdWebhook,
  createWebhookBody,
  deliveryPage,
  webhookPage,
  webhookParams,
  webhooksQuery,
} from '../schemas/webhooks.ts';
import { errors, scopedErrors } from './shared.ts';

const tags = ['Webhooks'];

export const createWebhook = {
  id: 'createWebhook',
  summary:
    'Subscribe a URL to run ends (execution.completed / failed / cancelled); the signing secret is shown once',
  tags,
  auth: true,
  params: projectParams,
  body: createWebhookBody,
  responses: {
    201: { description: 'Created (with the signing secret, shown only here)', schema: createdWebhook },
    ...scopedErrors({
      WebhookUrlRefused: 'the URL’s host does not resolve to public addresses only (the SSRF rule)',
      NotebookNotFound: 'notebookId names no notebook of the project',
    }),
    ...errors(409, 413, 415),
  },
} satisfies RouteContract;

export const listWebhooks = {
  id: 'listWebhooks',
  summary: "The project's webhooks, oldest first (no secrets)",
  tags,
  auth: true,
  params: projectParams,
  query: webhooksQuery,
  responses: { 200: { description: 'A page of webhooks', schema: webhookPage }, ...scopedErrors() },
} satisfies RouteContract;

export const deleteWebhook = {
  id: 'deleteWebhook',
  summary: 'Delete a webhook and its delivery history (pending deliveries are not sent)',
  tags,
  auth: true,
  params: webhookParams,
  responses: { 204: { description: 'Deleted' }, ...scopedErrors() },
} satisfies RouteContract;

export const listWebhookDeliveries = {
  id: 'listWebhookDeliveries',
  summary: "A webhook's deliveries, newest first, with attempts and the last outcome",
  tags,
  auth: true,
  params: webhookParams,
  query: webhooksQuery,
  responses: { 200: { description: 'A page of deliveries', schema: deliveryPage }, ...scopedErrors() },
} satisfies RouteContract;
