import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import type { SecretStore } from '../core/ports.ts';
import type { SecretInfo } from '../core/secrets/secret.ts';
import { keys } from './dynamo-keys.ts';
import { conditionalWrite, fromItem, queryAll, toItem } from './dynamo-util.ts';
import type { SealedValue, SecretCipher } from './secret-cipher.ts';

const secretKey = (s: Scope, name: string) => ({ pk: keys.project(s), sk: keys.secret(name) });
const countKey = (s: Scope) => ({ pk: keys.project(s), sk: keys.secretCount });
/** What binds a ciphertext to its item. */
const associated = (s: Scope, name: string) => `${s.tenantId}\n${s.projectId}\n${name}`;

/**
 * Project secrets in DynamoDB: one row per secret in the project's partition (`SECRET#{name}`)
 * holding the value sealed by `SecretCipher` (never the value), and a per-project counter
 * (`SECRETS`) for the limit. Lists read names and dates only.
 */
export class DynamoSecretStore implements SecretStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly cipher: SecretCipher,
  ) {}

  async put(scope: Scope, name: string, value: string, now: string, max: number) {
    const sealed = await this.cipher.seal(value, associated(scope, name));
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.replace(scope, name, sealed, now)) return 'updated' as const;
      if (!(await this.count(scope, 1, max))) return 'limit' as const;
      const created = await conditionalWrite(() =>
        this.db.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem({ ...secretKey(scope, name), name, createdAt: now, updatedAt: now, ...sealed }),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      if (created) return 'created' as const;
      await this.count(scope, -1);
    }
    throw new Error('the secret kept changing while it was written');
  }

  /** Replaces the sealed value of an existing secret; false when there is none. */
  private replace(scope: Scope, name: string, sealed: SealedValue, now: string): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(secretKey(scope, name)),
          UpdateExpression: 'SET ciphertext = :c, iv = :i, tag = :t, keyVersion = :k, updatedAt = :u',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: toItem({
            ':c': sealed.ciphertext,
            ':i': sealed.iv,
            ':t': sealed.tag,
            ':k': sealed.keyVersion,
            ':u': now,
          }),
        }),
      ),
    );
  }

  /** Adds `delta` to the project's count (a rise only below `max`); false when refused. */
  private count(scope: Scope, delta: number, max?: number): Promise<boolean> {
    return conditionalWrite(() =>
      this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(countKey(scope)),
          UpdateExpression: 'SET n = if_not_exists(n, :zero) + :delta',
          ...(max !== undefined ? { ConditionExpression: 'attribute_not_exists(n) OR n < :max' } : {}),
          ExpressionAttributeValues: toItem({
            ':zero': 0,
            ':delta': delta,
            ...(max !== undefined ? { ':max': max } : {}),
          }),
        }),
      ),
    );
  }

  async list(scope: Scope): Promise<SecretInfo[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toItem({ ':pk': keys.project(scope), ':prefix': keys.secretPrefix }),
      ProjectionExpression: '#n, createdAt, updatedAt',
      ExpressionAttributeNames: { '#n': 'name' },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem<SecretInfo>(item));
  }

  async delete(scope: Scope, name: string): Promise<boolean> {
    const deleted = await conditionalWrite(() =>
      this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem(secretKey(scope, name)),
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
    if (deleted) await this.count(scope, -1);
    return deleted;
  }

  async missing(scope: Scope, names: readonly string[]): Promise<string[]> {
    const known = new Set((await this.list(scope)).map((s) => s.name));
    return names.filter((name) => !known.has(name));
  }

  async reveal(scope: Scope, names: readonly string[]): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const name of names) {
      const out = await this.db.send(
        new GetItemCommand({
          TableName: this.table,
          Key: toItem(secretKey(scope, name)),
          ConsistentRead: true,
        }),
      );
      if (!out.Item) continue;
      values[name] = await this.cipher.open(fromItem<SealedValue>(out.Item), associated(scope, name));
    }
    return values;
  }
}
