import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { NotebookRecord, Scope } from '../core/notebook.ts';
import type { NotebookFilters, NotebookStore, VersionEntry } from '../core/ports.ts';
import { GSI1, keys } from './dynamo-keys.ts';
import { NameClaims } from './dynamo-name-claims.ts';
import { type ListState, NotebookCounters } from './dynamo-notebook-counters.ts';
import { fromItem, type Item, isConditionFailure, queryAll, toItem } from './dynamo-util.ts';
import { DynamoVersionLog } from './dynamo-version-log.ts';
import { PageCache } from './page-cache.ts';

/** Keys remembered per list revision for deep pages (see `skip`). */
const SKIP_STEP = 1000;

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

function toRow(record: NotebookRecord): Item {
  return toItem({
    ...record,
    pk: keys.project(record),
    sk: keys.notebook(record.notebookId),
    gsi1pk: keys.investigationIndex(record, record.investigationId),
    gsi1sk: record.notebookOrder,
  });
}

function fromRow(item: Item): NotebookRecord {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g,
    gsi1sk: _s,
    ...record
  } = fromItem<NotebookRecord & Record<string, unknown>>(item);
  return record as NotebookRecord;
}

function matches(r: NotebookRecord, f: NotebookFilters): boolean {
  return (
    (f.status === undefined || r.status === f.status) &&
    (f.kernelType === undefined || r.kernelType === f.kernelType) &&
    (f.enrichmentMode === undefined || r.integration.enrichmentMode === f.enrichmentMode)
  );
}

/** Notebook metadata rows in DynamoDB (see `dynamo-keys.ts` for the layout). */
export class DynamoNotebookStore implements NotebookStore {
  private readonly names: NameClaims;
  private readonly counters: NotebookCounters;
  private readonly pages = new PageCache<{ items: NotebookRecord[]; totalCount: number }>();
  private readonly skipMarks = new PageCache<Map<number, Item>>(64);
  private readonly versions: DynamoVersionLog;

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {
    this.names = new NameClaims(db, table, (scope, id) => this.get(scope, id));
    this.counters = new NotebookCounters(db, table);
    this.versions = new DynamoVersionLog(db, table);
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

  async create(record: NotebookRecord): Promise<void> {
    await this.names.claim(record, record.investigationId, record.name, record.notebookId);
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toRow(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      await this.names.release(record, record.investigationId, record.name, record.notebookId);
      throw error;
    }
    await this.counters.add(record, 1);
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
    await this.counters.changed(next);
    return true;
  }

  async delete(record: NotebookRecord): Promise<'deleted' | 'busy' | 'missing'> {
    let old: NotebookRecord;
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
      if (!isConditionFailure(error)) throw error;
      return (await this.get(record, record.notebookId)) ? 'busy' : 'missing';
    }
    await this.names.release(old, old.investigationId, old.name, old.notebookId);
    await this.counters.add(old, -1);
    return 'deleted';
  }

  async list(scope: Scope, filters: NotebookFilters, page: number, pageSize: number) {
    const state = await this.counters.state(scope);
    const cacheKey = JSON.stringify([keys.project(scope), state.revision, filters, page, pageSize]);
    const cached = this.pages.get(cacheKey);
    if (cached) return cached;
    const result = await this.readPage(scope, filters, page, pageSize, state);
    this.pages.set(cacheKey, result);
    return result;
  }

  private async readPage(
    scope: Scope,
    filters: NotebookFilters,
    page: number,
    pageSize: number,
    { total, revision }: ListState,
  ) {
    const base: QueryCommandInput = {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :nb)',
      ExpressionAttributeValues: toItem({ ':pk': keys.project(scope), ':nb': 'NB#' }),
      ScanIndexForward: false,
    };
    const offset = (page - 1) * pageSize;
    if (Object.values(filters).some((v) => v !== undefined)) {
      const all = (await queryAll(this.db, base)).map(fromRow).filter((r) => matches(r, filters));
      return { items: all.slice(offset, offset + pageSize), totalCount: all.length };
    }
    const start = await this.skip(base, offset, `${keys.project(scope)}#${revision}`);
    if (start === null) return { items: [], totalCount: total };
    const out = await this.db.send(new QueryCommand({ ...base, Limit: pageSize, ExclusiveStartKey: start }));
    return { items: (out.Items ?? []).map(fromRow), totalCount: total };
  }

  /**
   * The key to continue after `offset` rows (undefined: from the start; null: past the end).
   * Offsets cost a walk over keys; the keys at every SKIP_STEP rows are remembered for the
   * project's current list revision, so a deep page walks at most SKIP_STEP keys once warm.
   */
  private async skip(
    base: QueryCommandInput,
    offset: number,
    revisionKey: string,
  ): Promise<Item | undefined | null> {
    let marks = this.skipMarks.get(revisionKey);
    if (!marks) {
      marks = new Map();
      this.skipMarks.set(revisionKey, marks);
    }
    let position = Math.floor(offset / SKIP_STEP) * SKIP_STEP;
    while (position > 0 && !marks.has(position)) position -= SKIP_STEP;
    let start = position > 0 ? marks.get(position) : undefined;
    while (position < offset) {
      const limit = Math.min(offset - position, SKIP_STEP - (position % SKIP_STEP));
      const out = await this.db.send(
        new QueryCommand({ ...base, Limit: limit, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }),
      );
      position += out.Count ?? 0;
      start = out.LastEvaluatedKey;
      if (!start) return null;
      if (position % SKIP_STEP === 0) marks.set(position, start);
    }
    return start;
  }

  async listByInvestigation(scope: Scope, investigationId: string): Promise<NotebookRecord[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :g',
      ExpressionAttributeValues: toItem({ ':g': keys.investigationIndex(scope, investigationId) }),
    });
    return items
      .map(fromRow)
      .sort((a, b) => a.notebookOrder - b.notebookOrder || a.dateCreated.localeCompare(b.dateCreated));
  }

  async maxOrder(scope: Scope, investigationId: string): Promise<number> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :g',
        ExpressionAttributeValues: toItem({ ':g': keys.investigationIndex(scope, investigationId) }),
        ScanIndexForward: false,
        Limit: 1,
      }),
    );
    const top = out.Items?.[0];
    return top ? fromRow(top).notebookOrder : 0;
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
