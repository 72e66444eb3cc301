import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import type { WebhookStore } from '../core/ports.ts';
import type { DeliveryRecord, DeliveryStatus, WebhookRecord } from '../core/webhooks/webhook.ts';
import { GSI1, keys } from './dynamo-keys.ts';
import {
  conditionalWrite,
  deleteKeys,
  isConditionFailure,
  queryAll,
  stripKeys,
  toItem,
} from './dynamo-util.ts';

const webhookKey = (s: Scope, id: string) => ({ pk: keys.project(s), sk: keys.webhook(id) });
const countKey = (s: Scope) => ({ pk: keys.project(s), sk: keys.webhookCount });
const deliveryKey = (d: DeliveryRecord) => ({
  pk: keys.deliveries(d, d.webhookId),
  sk: keys.delivery(d.deliveryId),
});

/**
 * Webhooks in DynamoDB (see `dynamo-keys.ts`): one row per webhook in the project's
 * partition with a per-project counter, one row per delivery under its webhook. Pending
 * deliveries carry gsi1 keys (`WEBHOOK_DUE`, due time), which the sweep queries; final ones
 * drop them, so the index holds only work to do.
 */
export class DynamoWebhookStore implements WebhookStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  async create(record: WebhookRecord, max: number): Promise<boolean> {
    const counted = await conditionalWrite(() =>
      this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(countKey(record)),
          UpdateExpression: 'SET n = if_not_exists(n, :zero) + :one',
          ConditionExpression: 'attribute_not_exists(n) OR n < :max',
          ExpressionAttributeValues: toItem({ ':zero': 0, ':one': 1, ':max': max }),
        }),
      ),
    );
    if (!counted) return false;
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...webhookKey(record, record.webhookId), ...record }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      await this.uncount(record);
      throw error;
    }
    return true;
  }

  private uncount(scope: Scope) {
    return this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: toItem(countKey(scope)),
        UpdateExpression: 'ADD n :minus',
        ExpressionAttributeValues: toItem({ ':minus': -1 }),
      }),
    );
  }

  async get(scope: Scope, webhookId: string): Promise<WebhookRecord | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem(webhookKey(scope, webhookId)),
        ConsistentRead: true,
      }),
    );
    return out.Item ? stripKeys<WebhookRecord>(out.Item) : undefined;
  }

  async listAll(scope: Scope): Promise<WebhookRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toItem({ ':pk': keys.project(scope), ':prefix': keys.webhookPrefix }),
      ConsistentRead: true,
    });
    return items.map((item) => stripKeys<WebhookRecord>(item));
  }

  async list(scope: Scope, page: number, pageSize: number) {
    const all = await this.listAll(scope);
    const offset = (page - 1) * pageSize;
    return { items: all.slice(offset, offset + pageSize), totalCount: all.length };
  }

  async delete(scope: Scope, webhookId: string): Promise<boolean> {
    const deleted = await conditionalWrite(() =>
      this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem(webhookKey(scope, webhookId)),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
    if (!deleted) return false;
    await this.uncount(scope);
    const deliveries = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.deliveries(scope, webhookId) }),
      ProjectionExpression: 'pk, sk',
    });
    await deleteKeys(this.db, this.table, deliveries);
    return true;
  }

  createDelivery(delivery: DeliveryRecord): Promise<boolean> {
    const due = Date.parse(delivery.nextAttemptAt ?? '') || 0;
    return conditionalWrite(() =>
      this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...deliveryKey(delivery), gsi1pk: keys.deliveriesDue, gsi1sk: due, ...delivery }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async listDeliveries(scope: Scope, webhookId: string, page: number, pageSize: number) {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.deliveries(scope, webhookId) }),
      ConsistentRead: true,
    });
    const all = items
      .map((item) => stripKeys<DeliveryRecord>(item))
      .sort((a, b) => b.dateCreated.localeCompare(a.dateCreated) || b.deliveryId.localeCompare(a.deliveryId));
    const offset = (page - 1) * pageSize;
    return { items: all.slice(offset, offset + pageSize), totalCount: all.length };
  }

  async listDue(now: Date, limit: number): Promise<DeliveryRecord[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :due AND gsi1sk <= :now',
        ExpressionAttributeValues: toItem({ ':due': keys.deliveriesDue, ':now': now.getTime() }),
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => stripKeys<DeliveryRecord>(item));
  }

  async claimAttempt(delivery: DeliveryRecord, now: Date, leaseUntil: Date) {
    try {
      const out = await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(deliveryKey(delivery)),
          UpdateExpression:
            'SET attempts = :next, lastAttemptAt = :now, nextAttemptAt = :lease, gsi1sk = :leaseMs',
          ConditionExpression: '#status = :pending AND attempts = :prev AND gsi1sk <= :nowMs',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({
            ':next': delivery.attempts + 1,
            ':prev': delivery.attempts,
            ':now': now.toISOString(),
            ':nowMs': now.getTime(),
            ':lease': leaseUntil.toISOString(),
            ':leaseMs': leaseUntil.getTime(),
            ':pending': 'pending',
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? stripKeys<DeliveryRecord>(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  recordAttempt(
    claimed: DeliveryRecord,
    outcome: {
      status: DeliveryStatus;
      nextAttemptAt: string | null;
      responseStatus: number | null;
      error: string | null;
    },
  ): Promise<boolean> {
    const pending = outcome.status === 'pending';
    const values: Record<string, unknown> = {
      ':status': outcome.status,
      ':nextAt': outcome.nextAttemptAt,
      ':response': outcome.responseStatus,
      ':error': outcome.error,
      ':attempts': claimed.attempts,
      ':pending': 'pending',
    };
    if (pending) values[':dueMs'] = Date.parse(outcome.nextAttemptAt ?? '') || 0;
    const set = 'SET #status = :status, nextAttemptAt = :nextAt, responseStatus = :response, #error = :error';
    return conditionalWrite(() =>
      this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(deliveryKey(claimed)),
          UpdateExpression: pending ? `${set}, gsi1sk = :dueMs` : `${set} REMOVE gsi1pk, gsi1sk`,
          ConditionExpression: '#status = :pending AND attempts = :attempts',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: toItem(values),
        }),
      ),
    );
  }

  async deleteDelivery(delivery: DeliveryRecord): Promise<void> {
    await this.db.send(new DeleteItemCommand({ TableName: this.table, Key: toItem(deliveryKey(delivery)) }));
  }
}
