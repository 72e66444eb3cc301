import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import type { RunTokens, TokenClaim } from '../core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { fromItem, isConditionFailure, toItem } from './dynamo-util.ts';

/**
 * Idempotency tokens of run submissions: one row per (notebook, token) holding the run it
 * started and a hash of the request. The row is claimed with a conditional put (one winner
 * among concurrent duplicates); an expired row (past `expiresAt`) may be claimed again, since
 * the table has no TTL locally.
 */
export class DynamoRunTokens implements RunTokens {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private key(scope: Scope, notebookId: string, token: string) {
    return { pk: keys.idempotency(scope, notebookId), sk: token };
  }

  async claim(
    scope: Scope,
    notebookId: string,
    token: string,
    claim: TokenClaim,
    now: string,
  ): Promise<TokenClaim | null> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...this.key(scope, notebookId, token), ...claim }),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: toItem({ ':now': now }),
        }),
      );
      return null;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem(this.key(scope, notebookId, token)),
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return this.claim(scope, notebookId, token, claim, now);
    const { executionId, requestHash, expiresAt } = fromItem<TokenClaim>(out.Item);
    return { executionId, requestHash, expiresAt };
  }

  async release(scope: Scope, notebookId: string, token: string, executionId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem(this.key(scope, notebookId, token)),
          ConditionExpression: 'executionId = :id',
          ExpressionAttributeValues: toItem({ ':id': executionId }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
