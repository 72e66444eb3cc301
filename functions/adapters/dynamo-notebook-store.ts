import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { NotebookRecord, Scope } from '../core/notebook.ts';
import type { NotebookFilters, NotebookStore, RunEnd, VersionEntry } from '../core/ports.ts';
import { keys } from './dynamo-keys.ts';
import { NameClaims } from './dynamo-name-claims.ts';
import { NotebookIndex } from './dynamo-notebook-index.ts';
import { NotebookLists } from './dynamo-notebook-lists.ts';
import { fromRow, toRow } from './dynamo-notebook-rows.ts';
import { NotebookRunClaims } from './dynamo-notebook-run-claims.ts';
import { isConditionFailure, toItem } from './dynamo-util.ts';
import { DynamoVersionLog } from './dynamo-version-log.ts';

/** Fields a PUT may change. Run-owned fields (status, activeExecutionId, counters) are never overwritten by it. */
const EDITABLE = [
  'name',
  'description',
  'notebookOrder',
  'kernelType',
  'integration',
  'environment',
  'cellCount',
  'notebookVersion',
  'contentKey',
  'dateModified',
  'modifiedBy',
] as const;

/** Notebook metadata rows in DynamoDB (see `dynamo-keys.ts` for the layout). */
export class DynamoNotebookStore implements NotebookStore {
  private readonly names: NameClaims;
  private readonly index: NotebookIndex;
  private readonly versions: DynamoVersionLog;
  private readonly lists: NotebookLists;
  private readonly runClaims: NotebookRunClaims;

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {
    this.names = new NameClaims(db, table, (scope, id) => this.get(scope, id));
    this.index = new NotebookIndex(db, table);
    this.versions = new DynamoVersionLog(db, table);
    this.lists = new NotebookLists(db, table, this.index);
    this.runClaims = new NotebookRunClaims(db, table, this.index, (scope, id) => this.get(scope, id));
  }

  async get(scope: Scope, notebookId: string): Promise<NotebookRecord | undefined> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.notebook(notebookId) }),
        ConsistentRead: true,
      }),
    );
    return out.Item ? fromRow(out.Item) : undefined;
  }

  /** Claims the name, counts the notebook in the page index, writes the row, then bumps the list revision. */
  async create(record: NotebookRecord): Promise<void> {
    await this.names.claim(record, record.investigationId, record.name, record.notebookId);
    try {
      await this.index.count(record, record.notebookId, 1);
    } catch (error) {
      await this.names.release(record, record.investigationId, record.name, record.notebookId);
      throw error;
    }
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toRow(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      await this.index.count(record, record.notebookId, -1);
      await this.names.release(record, record.investigationId, record.name, record.notebookId);
      throw error;
    }
    await this.index.changed(record);
  }

  async update(previous: NotebookRecord, next: NotebookRecord): Promise<boolean> {
    const renamed =
      keys.nameClaim(previous.investigationId, previous.name) !==
      keys.nameClaim(next.investigationId, next.name);
    if (renamed) await this.names.claim(next, next.investigationId, next.name, next.notebookId);
    const names: Record<string, string> = { '#gsi1sk': 'gsi1sk' };
    const values: Record<string, unknown> = { ':prev': previous.dateModified, ':gsi1sk': next.notebookOrder };
    const sets = ['#gsi1sk = :gsi1sk'];
    for (const field of EDITABLE) {
      names[`#${field}`] = field;
      values[`:${field}`] = next[field];
      sets.push(`#${field} = :${field}`);
    }
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem({ pk: keys.project(next), sk: keys.notebook(next.notebookId) }),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #dateModified = :prev',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toItem(values),
        }),
      );
    } catch (error) {
      if (renamed) await this.names.release(next, next.investigationId, next.name, next.notebookId);
      if (isConditionFailure(error)) return false;
      throw error;
    }
    if (renamed)
      await this.names.release(previous, previous.investigationId, previous.name, previous.notebookId);
    await this.index.changed(next);
    return true;
  }

  /** Counts the notebook out of the page index, removes the row (or counts it back in), then bumps the revision. */
  async delete(record: NotebookRecord): Promise<'deleted' | 'busy' | 'missing'> {
    let old: NotebookRecord;
    await this.index.count(record, record.notebookId, -1);
    try {
      const out = await this.db.send(
        new DeleteItemCommand({
          TableName: this.table,
          Key: toItem({ pk: keys.project(record), sk: keys.notebook(record.notebookId) }),
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(activeExecutionId) OR activeExecutionId = :none)',
          ExpressionAttributeValues: toItem({ ':none': null }),
          ReturnValues: 'ALL_OLD',
        }),
      );
      old = fromRow(out.Attributes ?? {});
    } catch (error) {
      await this.index.count(record, record.notebookId, 1);
      if (!isConditionFailure(error)) throw error;
      return (await this.get(record, record.notebookId)) ? 'busy' : 'missing';
    }
    await this.names.release(old, old.investigationId, old.name, old.notebookId);
    await this.index.changed(old);
    return 'deleted';
  }

  list(scope: Scope, filters: NotebookFilters, page: number, pageSize: number) {
    return this.lists.list(scope, filters, page, pageSize, 'records');
  }

  listListings(scope: Scope, filters: NotebookFilters, page: number, pageSize: number) {
    return this.lists.list(scope, filters, page, pageSize, 'listings');
  }

  listByInvestigation(scope: Scope, investigationId: string): Promise<NotebookRecord[]> {
    return this.lists.listByInvestigation(scope, investigationId);
  }

  maxOrder(scope: Scope, investigationId: string): Promise<number> {
    return this.lists.maxOrder(scope, investigationId);
  }

  claimForRun(scope: Scope, notebookId: string, executionId: string) {
    return this.runClaims.claim(scope, notebookId, executionId);
  }

  releaseRun(scope: Scope, notebookId: string, executionId: string, end: RunEnd) {
    return this.runClaims.release(scope, notebookId, executionId, end);
  }

  putVersion(scope: Scope, entry: VersionEntry) {
    return this.versions.put(scope, entry);
  }
  listVersions(scope: Scope, notebookId: string) {
    return this.versions.list(scope, notebookId);
  }
  getVersion(scope: Scope, notebookId: string, version: string) {
    return this.versions.get(scope, notebookId, version);
  }
  deleteVersions(scope: Scope, notebookId: string) {
    return this.versions.deleteAll(scope, notebookId);
  }
}
