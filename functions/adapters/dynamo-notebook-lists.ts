import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { NotebookListing, NotebookRecord, Scope } from '../core/notebook.ts';
import type { NotebookFilters } from '../core/ports.ts';
import { GSI1, keys } from './dynamo-keys.ts';
import type { ListState, NotebookIndex } from './dynamo-notebook-index.ts';
import { notebookRows, readRowsDescending } from './dynamo-notebook-range.ts';
import { fromListingRow, fromRow, LISTING_PROJECTION, matches } from './dynamo-notebook-rows.ts';
import { queryAll, toItem } from './dynamo-util.ts';
import { blockSize, locate } from './notebook-index-plan.ts';
import { PageCache } from './page-cache.ts';

/** How a page's rows are read: whole, or only what a list page shows. */
type RowRead = 'records' | 'listings';
const READERS = { records: fromRow, listings: fromListingRow } as const;

/** One page of notebooks and how many match in all. */
interface Page<T> {
  items: T[];
  totalCount: number;
}

/**
 * The notebook lists: project pages (newest first, through the page index, cached per list
 * revision) and the investigation index ordered by `notebookOrder`.
 */
export class NotebookLists {
  private readonly pages = new PageCache<{
    items: NotebookRecord[] | NotebookListing[];
    totalCount: number;
  }>();

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly index: NotebookIndex,
  ) {}

  /**
   * One consistent read of the index item answers both questions: its revision keys the page
   * cache, and on a miss its blocks locate the page (no second read of the same item). Rows
   * are read whole (`records`) or only for what a list shows (`listings`, route 1).
   */
  list(
    scope: Scope,
    filters: NotebookFilters,
    page: number,
    pageSize: number,
    read: 'records',
  ): Promise<Page<NotebookRecord>>;
  list(
    scope: Scope,
    filters: NotebookFilters,
    page: number,
    pageSize: number,
    read: 'listings',
  ): Promise<Page<NotebookListing>>;
  async list(scope: Scope, filters: NotebookFilters, page: number, pageSize: number, read: RowRead) {
    const filtered = Object.values(filters).some((v) => v !== undefined);
    const state = await this.index.state(scope);
    const cacheKey = JSON.stringify([keys.project(scope), state.revision, filters, page, pageSize, read]);
    const cached = this.pages.get(cacheKey);
    if (cached) return cached;
    const offset = (page - 1) * pageSize;
    const result = filtered
      ? await this.filteredPage(scope, filters, offset, pageSize, read)
      : await this.indexedPage(scope, offset, pageSize, state, read);
    this.pages.set(cacheKey, result);
    return result;
  }

  /** Filters read every row of the project (the index counts all notebooks, not per filter). */
  private async filteredPage(
    scope: Scope,
    filters: NotebookFilters,
    offset: number,
    pageSize: number,
    read: RowRead,
  ) {
    const rows = await queryAll(this.db, {
      ...notebookRows(scope),
      ...(read === 'listings' ? LISTING_PROJECTION : {}),
      TableName: this.table,
      ScanIndexForward: false,
    });
    const all = rows.map(READERS[read]).filter((r) => matches(r, filters));
    return { items: all.slice(offset, offset + pageSize), totalCount: all.length };
  }

  /**
   * A page through the index: its block from the index item, then one query from that
   * block's start (the rows before the page within the block read as keys only). A block
   * grown past twice its size is cut first, so that skip stays bounded.
   */
  private async indexedPage(scope: Scope, offset: number, pageSize: number, read: ListState, rows: RowRead) {
    let state = read.gen === null ? await this.index.current(scope) : read;
    let at = locate(state.blocks, offset);
    if (!at) return { items: [], totalCount: state.total };
    const block = state.blocks[at.index]!;
    if (block.n > 2 * blockSize(state.total) && (await this.index.cut(scope, block.low))) {
      state = await this.index.state(scope);
      at = locate(state.blocks, offset);
      if (!at) return { items: [], totalCount: state.total };
    }
    const below = state.blocks[at.index + 1]?.low;
    const projection = rows === 'listings' ? LISTING_PROJECTION : undefined;
    const items = await readRowsDescending(
      this.db,
      this.table,
      scope,
      below,
      at.within,
      pageSize,
      projection,
    );
    return { items: items.map(READERS[rows]), totalCount: state.total };
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
