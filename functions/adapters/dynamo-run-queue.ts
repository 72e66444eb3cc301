import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { FleetCapacity, RunQueue } from '../core/ports.ts';
import type { QueueEntry, RunLimits, SlotState } from '../core/run/queue-order.ts';
import type { RunPointer } from '../core/run/run.ts';
import { GSI1, keys } from './dynamo-keys.ts';
import { fromItem, type Item, isConditionFailure, queryAll, toItem } from './dynamo-util.ts';

/** How long one process trusts the fleet capacity it read (the sweep records it every minute). */
const FLEET_CACHE_MS = 5_000;

const LIMIT_FIELDS: readonly (keyof RunLimits)[] = ['maxConcurrentRuns', 'queueAgingSeconds'];

function slotStateOf(item: Item | undefined): SlotState {
  const row = item ? fromItem<Record<string, unknown>>(item) : {};
  const limits: Partial<RunLimits> = {};
  for (const field of LIMIT_FIELDS) {
    if (typeof row[field] === 'number') limits[field] = row[field] as number;
  }
  return { holders: row.holders instanceof Set ? [...(row.holders as Set<string>)] : [], limits };
}

function entryOf(item: Item): QueueEntry {
  const { pointer, priority, queuedAt, attempt, notBefore } = fromItem<QueueEntry>(item);
  return {
    pointer,
    priority,
    queuedAt,
    ...(attempt ? { attempt } : {}),
    ...(notBefore ? { notBefore } : {}),
  };
}

/**
 * Run admission in DynamoDB (see `dynamo-keys.ts`): per tenant, one slot record whose string
 * set `holders` holds the admitted runs, and one row per waiting run in the same partition.
 * A slot is taken by `ADD holders` under the condition that the set is smaller than the
 * limit and does not hold the run yet: one conditional write decides, however many race.
 */
export class DynamoRunQueue implements RunQueue {
  private fleetCache: { value: FleetCapacity | null; at: number } | undefined;

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private slotKey(tenantId: string) {
    return toItem({ pk: keys.queue(tenantId), sk: keys.slots });
  }

  async enqueue(entry: QueueEntry): Promise<void> {
    const { pointer } = entry;
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({
          pk: keys.queue(pointer.tenantId),
          sk: keys.queued(pointer.executionId),
          ...entry,
          gsi1pk: keys.waiting,
          gsi1sk: Date.parse(entry.queuedAt) || 0,
        }),
      }),
    );
  }

  async remove(pointer: RunPointer, attempt?: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem({ pk: keys.queue(pointer.tenantId), sk: keys.queued(pointer.executionId) }),
          ...(attempt
            ? {
                ConditionExpression: 'attribute_not_exists(attempt) OR attempt = :attempt',
                ExpressionAttributeValues: toItem({ ':attempt': attempt }),
              }
            : {}),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async list(tenantId: string): Promise<QueueEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :q)',
      ExpressionAttributeValues: toItem({ ':pk': keys.queue(tenantId), ':q': keys.queuedPrefix }),
      ConsistentRead: true,
    });
    return items.map(entryOf);
  }

  async waiting(): Promise<QueueEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :g',
      ExpressionAttributeValues: toItem({ ':g': keys.waiting }),
    });
    return items.map(entryOf);
  }

  /** Read at most every FLEET_CACHE_MS per process: admission reads it at every submission. */
  async fleet(): Promise<FleetCapacity | null> {
    if (this.fleetCache && Date.now() - this.fleetCache.at < FLEET_CACHE_MS) return this.fleetCache.value;
    const out = await this.db.send(
      new GetItemCommand({ TableName: this.table, Key: toItem({ pk: keys.fleet, sk: keys.fleetCapacity }) }),
    );
    let value: FleetCapacity | null = null;
    if (out.Item) {
      const { kernels, hosts, seenAt } = fromItem<FleetCapacity>(out.Item);
      value = { kernels, hosts, seenAt };
    }
    this.fleetCache = { value, at: Date.now() };
    return value;
  }

  async recordFleet(capacity: FleetCapacity): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({ pk: keys.fleet, sk: keys.fleetCapacity, ...capacity }),
      }),
    );
    this.fleetCache = { value: capacity, at: Date.now() };
  }

  async slots(tenantId: string): Promise<SlotState> {
    const out = await this.db.send(
      new GetItemCommand({ TableName: this.table, Key: this.slotKey(tenantId), ConsistentRead: true }),
    );
    return slotStateOf(out.Item);
  }

  /** The slot record and the waiting runs share the tenant's partition: one consistent query. */
  async state(tenantId: string): Promise<{ slots: SlotState; waiting: QueueEntry[] }> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.queue(tenantId) }),
      ConsistentRead: true,
    });
    let slots = slotStateOf(undefined);
    const waiting: QueueEntry[] = [];
    for (const item of items) {
      const sk = item.sk?.S ?? '';
      if (sk === keys.slots) slots = slotStateOf(item);
      else if (sk.startsWith(keys.queuedPrefix)) waiting.push(entryOf(item));
    }
    return { slots, waiting };
  }

  /**
   * One conditional `ADD`: a holder already in the set passes the condition too (adding it
   * again changes nothing), so a failed condition means full, with no read to tell why.
   */
  async acquire(tenantId: string, holder: string, limit: number): Promise<'acquired' | 'full'> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.slotKey(tenantId),
          UpdateExpression: 'ADD holders :holder',
          ConditionExpression:
            'attribute_not_exists(holders) OR contains(holders, :id) OR size(holders) < :limit',
          ExpressionAttributeValues: {
            ':holder': { SS: [holder] },
            ':id': { S: holder },
            ':limit': { N: String(limit) },
          },
        }),
      );
      return 'acquired';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return 'full';
    }
  }

  async release(tenantId: string, holder: string): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.slotKey(tenantId),
        UpdateExpression: 'DELETE holders :holder',
        ExpressionAttributeValues: { ':holder': { SS: [holder] } },
      }),
    );
  }

  async setLimits(tenantId: string, limits: { [K in keyof RunLimits]?: number | null }): Promise<void> {
    const sets: string[] = [];
    const removes: string[] = [];
    const values: Record<string, number> = {};
    for (const field of LIMIT_FIELDS) {
      const value = limits[field];
      if (value === undefined) continue;
      if (value === null) removes.push(field);
      else {
        sets.push(`${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    if (sets.length + removes.length === 0) return;
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.slotKey(tenantId),
        UpdateExpression: [
          sets.length ? `SET ${sets.join(', ')}` : '',
          removes.length ? `REMOVE ${removes.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' '),
        ...(sets.length ? { ExpressionAttributeValues: toItem(values) } : {}),
      }),
    );
  }
}
