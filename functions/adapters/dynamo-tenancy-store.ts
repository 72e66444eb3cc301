import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import type { Principal, TenancyStore } from '../core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { fromItem, toItem } from './dynamo-util.ts';

/** Tenants, projects and token hashes. A token row never holds the token itself. */
export class DynamoTenancyStore implements TenancyStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  async resolveToken(tokenHash: string): Promise<Principal | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.token(tokenHash), sk: keys.tokenMeta }),
      }),
    );
    if (!out.Item) return undefined;
    const row = fromItem<Principal & { revoked?: boolean }>(out.Item);
    if (row.revoked) return undefined;
    return { tokenId: row.tokenId, tenantId: row.tenantId, projectIds: row.projectIds ?? null };
  }

  async projectExists(scope: Scope): Promise<boolean> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.tenant(scope.tenantId), sk: keys.projectMeta(scope.projectId) }),
        ProjectionExpression: 'pk',
      }),
    );
    return Boolean(out.Item);
  }

  async putTenant(tenantId: string, name: string): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({
          pk: keys.tenant(tenantId),
          sk: keys.tenantMeta,
          tenantId,
          name,
          dateCreated: new Date().toISOString(),
        }),
      }),
    );
  }

  async putProject(scope: Scope, name: string): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({
          pk: keys.tenant(scope.tenantId),
          sk: keys.projectMeta(scope.projectId),
          ...scope,
          name,
          dateCreated: new Date().toISOString(),
        }),
      }),
    );
  }

  async putToken(tokenHash: string, principal: Principal, label: string): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({
          pk: keys.token(tokenHash),
          sk: keys.tokenMeta,
          ...principal,
          label,
          dateCreated: new Date().toISOString(),
        }),
      }),
    );
  }

  async revokeToken(tokenHash: string): Promise<Principal | undefined> {
    try {
      const out = await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem({ pk: keys.token(tokenHash), sk: keys.tokenMeta }),
          UpdateExpression: 'SET revoked = :yes, dateRevoked = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: toItem({ ':yes': true, ':now': new Date().toISOString() }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      const row = fromItem<Principal>(out.Attributes ?? {});
      return { tokenId: row.tokenId, tenantId: row.tenantId, projectIds: row.projectIds ?? null };
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as { name?: string }).name === 'ConditionalCheckFailedException'
      )
        return undefined;
      throw error;
    }
  }
}
