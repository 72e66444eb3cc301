import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import type { VersionEntry } from '../core/ports.ts';
import { parseVersion, versionSortKey } from '../core/version.ts';
import { keys } from './dynamo-keys.ts';
import { deleteKeys, fromItem, queryAll, toItem } from './dynamo-util.ts';

/** A notebook's content history: one item per version, sorted by the zero-padded version. */
export class DynamoVersionLog {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  async put(scope: Scope, entry: VersionEntry): Promise<void> {
    await this.db.send(
      new PutItemCommand({
        TableName: this.table,
        Item: toItem({
          pk: keys.versions(scope, entry.notebookId),
          sk: versionSortKey(entry.version),
          ...entry,
        }),
      }),
    );
  }

  async list(scope: Scope, notebookId: string): Promise<VersionEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.versions(scope, notebookId) }),
      ScanIndexForward: false,
    });
    return items.map((item) => strip(fromItem(item)));
  }

  async get(scope: Scope, notebookId: string, version: string): Promise<VersionEntry | undefined> {
    if (!parseVersion(version)) return undefined;
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.versions(scope, notebookId), sk: versionSortKey(version) }),
      }),
    );
    return out.Item ? strip(fromItem(out.Item)) : undefined;
  }

  async deleteAll(scope: Scope, notebookId: string): Promise<void> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.versions(scope, notebookId) }),
      ProjectionExpression: 'pk, sk',
    });
    await deleteKeys(this.db, this.table, items);
  }
}

function strip(row: Record<string, unknown>): VersionEntry {
  const { pk: _pk, sk: _sk, ...entry } = row;
  return entry as unknown as VersionEntry;
}
