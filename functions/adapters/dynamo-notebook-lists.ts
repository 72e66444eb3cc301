import { type DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { NotebookRecord, Scope } from '../core/notebook.ts';
import type { NotebookFilters } from '../core/ports.ts';
import { GSI1, keys } from './dynamo-keys.ts';
import type { ListState, NotebookCounters } from './dynamo-notebook-counters.ts';
import { fromRow, matches } from './dynamo-notebook-rows.ts';
import { type Item, queryAll, toItem } from './dynamo-util.ts';
import { PageCache } from './page-cache.ts';

/** Keys remembered per list revision for deep pages (see `skip`). */
const SKIP_STEP = 1000;

/**
 * The notebook lists: project pages (newest first, cached per list revision, deep pages
 * through remembered keys) and the investigation index ordered by `notebookOrder`.
 */
export class NotebookLists {
  private readonly pages = new PageCache<{ items: NotebookRecord[]; totalCount: number }>();
  private readonly skipMarks = new PageCache<Map<number, Item>>(64);

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly counters: NotebookCounters,
  ) {}

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
}
