import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DatasetRecord, DatasetVersion } from '../core/dataset/dataset.ts';
import type { Scope } from '../core/notebook.ts';
import type { DatasetStore } from '../core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { conditionalWrite, deleteKeys, queryAll, stripKeys, toItem } from './dynamo-util.ts';

const datasetKey = (s: Scope, id: string) => ({ pk: keys.project(s), sk: keys.dataset(id) });
const versionKey = (s: Scope, id: string, version: number) => ({
  pk: keys.datasetVersions(s, id),
  sk: keys.datasetVersion(version),
});

/**
 * Datasets in DynamoDB (see `dynamo-keys.ts`): one row per dataset in the project's
 * partition, one row per version under the dataset. A version is appended by writing its
 * row (only if new) and then moving `currentVersion` on (only if it is still the previous
 * one); when the second write loses a race, the first is taken back.
 */
export class DynamoDatasetStore implements DatasetStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  async create(record: DatasetRecord, first: DatasetVersion): Promise<boolean> {
    const created = await conditionalWrite(() =>
      this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...datasetKey(record, record.datasetId), ...record }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (created) await this.putVersion(record, record.datasetId, first);
    return created;
  }

  private putVersion(scope: Scope, datasetId: string, version: DatasetVersion) {
    return conditionalWrite(() =>
      this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({ ...versionKey(scope, datasetId, version.version), ...version }),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async get(scope: Scope, datasetId: string): Promise<DatasetRecord | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem(datasetKey(scope, datasetId)),
        ConsistentRead: true,
      }),
    );
    return out.Item ? stripKeys<DatasetRecord>(out.Item) : undefined;
  }

  async list(scope: Scope, page: { page: number; pageSize: number }) {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: toItem({ ':pk': keys.project(scope), ':prefix': keys.datasetPrefix }),
      ScanIndexForward: false,
      ConsistentRead: true,
    });
    const offset = (page.page - 1) * page.pageSize;
    return {
      items: items.slice(offset, offset + page.pageSize).map((item) => stripKeys<DatasetRecord>(item)),
      totalCount: items.length,
    };
  }

  async getVersion(scope: Scope, datasetId: string, version: number): Promise<DatasetVersion | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem(versionKey(scope, datasetId, version)),
        ConsistentRead: true,
      }),
    );
    return out.Item ? stripKeys<DatasetVersion>(out.Item) : undefined;
  }

  async listVersions(scope: Scope, datasetId: string): Promise<DatasetVersion[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.datasetVersions(scope, datasetId) }),
      ConsistentRead: true,
    });
    return items.map((item) => stripKeys<DatasetVersion>(item));
  }

  async addVersion(scope: Scope, datasetId: string, next: DatasetVersion): Promise<boolean> {
    if (!(await this.putVersion(scope, datasetId, next))) return false;
    const moved = await conditionalWrite(() =>
      this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(datasetKey(scope, datasetId)),
          UpdateExpression: 'SET currentVersion = :next, dateModified = :now',
          ConditionExpression: 'attribute_exists(pk) AND currentVersion = :prev',
          ExpressionAttributeValues: toItem({
            ':next': next.version,
            ':prev': next.version - 1,
            ':now': next.dateCreated,
          }),
        }),
      ),
    );
    if (!moved)
      await this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem(versionKey(scope, datasetId, next.version)),
        }),
      );
    return moved;
  }

  async delete(scope: Scope, datasetId: string): Promise<void> {
    const versions = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.datasetVersions(scope, datasetId) }),
      ProjectionExpression: 'pk, sk',
    });
    await deleteKeys(this.db, this.table, versions);
    await this.db.send(
      new DeleteItemCommand({ TableName: this.table, Key: toItem(datasetKey(scope, datasetId)) }),
    );
  }
}
