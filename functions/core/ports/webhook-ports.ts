import type { Scope } from '../notebook.ts';
import type { DeliveryRecord, DeliveryStatus, WebhookRecord } from '../webhooks/webhook.ts';

/** Ports of webhooks: their records, the HTTP transport and the delivery kick. */

/**
 * Webhooks and their deliveries. The per-project limit and "one delivery per (webhook,
 * execution, event)" are decided by the store's conditional writes; each attempt of a
 * delivery is claimed with a conditional write, so two workers never send the same attempt.
 */
export interface WebhookStore {
  /** Inserts a webhook unless the project already has `max` of them (then returns false). */
  create(record: WebhookRecord, max: number): Promise<boolean>;
  get(scope: Scope, webhookId: string): Promise<WebhookRecord | undefined>;
  /** One page of the project's webhooks, oldest first, and how many there are. */
  list(scope: Scope, page: number, pageSize: number): Promise<{ items: WebhookRecord[]; totalCount: number }>;
  /** Every webhook of the project (at most the per-project limit). */
  listAll(scope: Scope): Promise<WebhookRecord[]>;
  /** Deletes the webhook and its deliveries; false when it did not exist. */
  delete(scope: Scope, webhookId: string): Promise<boolean>;
  /** Inserts a delivery unless one with its id exists (then returns false, changing nothing). */
  createDelivery(delivery: DeliveryRecord): Promise<boolean>;
  /** One page of a webhook's deliveries, newest first, and how many there are. */
  listDeliveries(
    scope: Scope,
    webhookId: string,
    page: number,
    pageSize: number,
  ): Promise<{ items: DeliveryRecord[]; totalCount: number }>;
  /** Pending deliveries whose `nextAttemptAt` is at or before `now`, across projects, earliest first. */
  listDue(now: Date, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Claims the next attempt of `delivery`: only if the stored one is still pending, due at
   * `now` and has `delivery.attempts` attempts. Counts the attempt, sets `lastAttemptAt` and
   * holds the delivery until `leaseUntil`. Returns the claimed record, or undefined.
   */
  claimAttempt(delivery: DeliveryRecord, now: Date, leaseUntil: Date): Promise<DeliveryRecord | undefined>;
  /** Records how the claimed attempt ended, unless a later attempt was claimed meanwhile. */
  recordAttempt(
    claimed: DeliveryRecord,
    outcome: {
      status: DeliveryStatus;
      nextAttemptAt: string | null;
      responseStatus: number | null;
      error: string | null;
    },
  ): Promise<boolean>;
  /** Drops a delivery (its webhook is gone). */
  deleteDelivery(delivery: DeliveryRecord): Promise<void>;
}

/** What one POST to a webhook's URL came to. */
export type WebhookPostResult =
  | { outcome: 'response'; status: number }
  /** The destination is not allowed (SSRF rule): final, never retried. */
  | { outcome: 'refused'; error: string }
  /** DNS, connection, TLS or timeout failure: retried. */
  | { outcome: 'error'; error: string };

/**
 * Sends webhook requests to the outside. Both methods resolve the URL's host and refuse it
 * unless every address is public (or in the deployment's allowed blocks); `post` then
 * connects to the address it checked (no second resolution), follows no redirects, and
 * gives up after its per-attempt timeout.
 */
export interface WebhookTransport {
  /** Why webhooks may not be sent to `url`, or null when they may. */
  refusal(url: string): Promise<string | null>;
  post(url: string, body: string, headers: Record<string, string>): Promise<WebhookPostResult>;
}

/**
 * Asks the webhook delivery worker to look for due deliveries now (an asynchronous Lambda
 * invoke, in AWS and on the local stack alike). Returns once the request is accepted;
 * delivery happens elsewhere. A no-op when no worker is configured (the periodic sweep runs).
 */
export interface WebhookDispatcher {
  kick(): Promise<void>;
}
