import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { NotebookRecord, Scope } from '../core/notebook.ts';
import type { NotebookFilters } from '../core/ports.ts';
import { GSI1, keys } from './dynamo-keys.ts';
import type { ListState, NotebookIndex } from './dynamo-notebook-index.ts';
import { notebookRows, readRowsDescending } from './dynamo-notebook-range.ts';
import { fromRow, matches } from './dynamo-notebook-rows.ts';
import { queryAll, toItem } from './dynamo-util.ts';
import { blockSize, locate } from './notebook-index-plan.ts';
import { PageCache } from './page-cache.ts';

/**
 * The notebook lists: project pages (newest first, through the page index, cached per list
 * revision) and the investigation index ordered by `notebookOrder`.
 */
export class NotebookLists {
  private readonly pages = new PageCache<{ items: NotebookRecord[]; totalCount: number }>();

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly index: NotebookIndex,
  ) {}

  /**
   * One consistent read of the index item answers both questions: its revision keys the page
   * cache, and on a miss its blocks locate the page (no second read of the same item).
   */
  async list(scope: Scope, filters: NotebookFilters, page: number, pageSize: number) {
    const filtered = Object.values(filters).some((v) => v !== undefined);
    const state = await this.index.state(scope);
    const cacheKey = JSON.stringify([keys.project(scope), state.revision, filters, page, pageSize]);
    const cached = this.pages.get(cacheKey);
    if (cached) return cached;
    const offset = (page - 1) * pageSize;
    const result = filtered
      ? await this.filteredPage(scope, filters, offset, pageSize)
      : await this.indexedPage(scope, offset, pageSize, state);
    this.pages.set(cacheKey, result);
    return result;
  }

  /** Filters read every row of the project (the index counts all notebooks, not per filter). */
  private async filteredPage(scope: Scope, filters: NotebookFilters, offset: number, pageSize: number) {
    const rows = await queryAll(this.db, {
      ...notebookRows(scope),
      TableName: this.table,
      ScanIndexForward: false,
    });
    const all = rows.map(fromRow).filter((r) => matches(r, filters));
    return { items: all.slice(offset, offset + pageSize), totalCount: all.length };
  }

  /**
   * A page through the index: its block from the index item, then one query from that
   * block's start (the rows before the page within the block read as keys only). A block
   * grown past twice its size is cut first, so that skip stays bounded.
   */
  private async indexedPage(scope: Scope, offset: number, pageSize: number, read: ListState) {
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
    const rows = await readRowsDescending(this.db, this.table, scope, below, at.within, pageSize);
    return { items: rows.map(fromRow), totalCount: state.total };
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
