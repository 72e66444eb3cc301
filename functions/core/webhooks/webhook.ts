import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Scope } from '../notebook.ts';
import type { RunStatus } from '../run/run.ts';

/** The events a webhook can subscribe to: one per final run status. */
export const WEBHOOK_EVENTS = ['execution.completed', 'execution.failed', 'execution.cancelled'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** At most this many webhooks per project. */
export const MAX_WEBHOOKS_PER_PROJECT = 25;

/** The header names of a delivery. */
export const SIGNATURE_HEADER = 'Cellwise-Signature';
export const DELIVERY_ID_HEADER = 'Cellwise-Delivery-Id';
export const EVENT_HEADER = 'Cellwise-Event';
export const USER_AGENT = 'Cellwise-Webhooks/1';

/** A subscription: where to POST which run ends. The secret signs every delivery. */
export interface WebhookRecord extends Scope {
  webhookId: string;
  url: string;
  events: WebhookEvent[];
  /** Only runs of this notebook; null for every notebook of the project. */
  notebookId: string | null;
  /** The signing secret (`whsec_…`): returned once at creation, never logged. */
  secret: string;
  dateCreated: string;
  createdBy: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** One event to deliver to one webhook, and how its attempts went. */
export interface DeliveryRecord extends Scope {
  deliveryId: string;
  webhookId: string;
  event: WebhookEvent;
  executionId: string;
  notebookId: string;
  status: DeliveryStatus;
  /** Attempts started so far (an attempt is counted when it is claimed). */
  attempts: number;
  lastAttemptAt: string | null;
  /** When the next attempt is due (or the claimed attempt's lease ends); null once final. */
  nextAttemptAt: string | null;
  responseStatus: number | null;
  error: string | null;
  dateCreated: string;
  /** The exact JSON body every attempt sends. */
  payload: string;
}

/** The event a run's final status raises; null while the run is not final. */
export function eventFor(status: RunStatus): WebhookEvent | null {
  switch (status) {
    case 'Completed':
      return 'execution.completed';
    case 'Error':
      return 'execution.failed';
    case 'Cancelled':
      return 'execution.cancelled';
    default:
      return null;
  }
}

/** A new signing secret: `whsec_` and 32 random bytes in base64url. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * The delivery id of (webhook, execution, event): a UUID derived from their SHA-256, so a
 * run end recorded twice names the same delivery and the store's conditional put keeps one.
 */
export function deliveryIdFor(webhookId: string, executionId: string, event: WebhookEvent): string {
  const hex = createHash('sha256').update(`${webhookId}\n${executionId}\n${event}`).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The `Cellwise-Signature` header (Stripe's scheme): `t=<unix seconds>,v1=<hex>` where the
 * hex is HMAC-SHA256 keyed with the whole secret string over `"<t>.<raw body>"`.
 */
export function signatureHeader(secret: string, unixSeconds: number, body: string): string {
  const digest = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${digest}`;
}

/** A webhook as the API shows it: never the secret. */
export function toWebhookResource(w: WebhookRecord) {
  return {
    webhookId: w.webhookId,
    url: w.url,
    events: w.events,
    notebookId: w.notebookId,
    dateCreated: w.dateCreated,
  };
}

/** A delivery as the API shows it. */
export function toDeliveryResource(d: DeliveryRecord) {
  return {
    deliveryId: d.deliveryId,
    webhookId: d.webhookId,
    event: d.event,
    executionId: d.executionId,
    notebookId: d.notebookId,
    status: d.status,
    attempts: d.attempts,
    lastAttemptAt: d.lastAttemptAt,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
    responseStatus: d.responseStatus,
    error: d.error,
    dateCreated: d.dateCreated,
  };
}
