import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DuplicateNameError } from '../core/errors.ts';
import type { NotebookRecord, Scope } from '../core/notebook.ts';
import { keys, normalizeName } from './dynamo-keys.ts';
import { fromItem, isConditionFailure, toItem } from './dynamo-util.ts';

type Lookup = (scope: Scope, notebookId: string) => Promise<NotebookRecord | undefined>;

/**
 * How old a claim whose owner has no row yet must be before it counts as left by a crash: the
 * owner may be between its claim and its row write (the page index is counted in between).
 */
const UNWRITTEN_OWNER_MS = 60_000;

/**
 * One item per (investigation, lower-case name), written with attribute_not_exists: the
 * store, not a read, decides who gets a name. A claim whose owner no longer holds that
 * name (left by a crash between two writes) is taken over, conditionally on its owner: at
 * once when the owner's row has another name or investigation, after a minute when the owner
 * has no row (it may still be writing it).
 */
export class NameClaims {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly lookup: Lookup,
  ) {}

  async claim(scope: Scope, investigationId: string, name: string, notebookId: string): Promise<void> {
    const key = { pk: keys.project(scope), sk: keys.nameClaim(investigationId, name) };
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...key, notebookId, claimedAt: Date.now() }),
          ConditionExpression: 'attribute_not_exists(pk) OR notebookId = :me',
          ExpressionAttributeValues: toItem({ ':me': notebookId }),
        }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.db.send(
      new GetItemCommand({ TableName: this.table, Key: toItem(key), ConsistentRead: true }),
    );
    const claim = existing.Item
      ? fromItem<{ notebookId: string; claimedAt?: number }>(existing.Item)
      : undefined;
    const owner = claim?.notebookId;
    const holder = owner ? await this.lookup(scope, owner) : undefined;
    const stillHeld = holder
      ? holder.investigationId === investigationId && normalizeName(holder.name) === normalizeName(name)
      : Date.now() - (claim?.claimedAt ?? 0) < UNWRITTEN_OWNER_MS;
    if (stillHeld || !owner) throw new DuplicateNameError(name);
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...key, notebookId, claimedAt: Date.now() }),
          ConditionExpression: 'notebookId = :stale',
          ExpressionAttributeValues: toItem({ ':stale': owner }),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new DuplicateNameError(name);
      throw error;
    }
  }

  /** Releases a claim, only if `notebookId` still owns it. */
  async release(scope: Scope, investigationId: string, name: string, notebookId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem({ pk: keys.project(scope), sk: keys.nameClaim(investigationId, name) }),
          ConditionExpression: 'notebookId = :me',
          ExpressionAttributeValues: toItem({ ':me': notebookId }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
