import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import { keys } from './dynamo-keys.ts';
import { fromItem, toItem } from './dynamo-util.ts';

/** What the list needs to know about a project before reading any notebook row. */
export interface ListState {
  total: number;
  /** Bumped by every write to any notebook row of the project: a cached page is valid while it is unchanged. */
  revision: number;
}

/**
 * The project's list state in one item, changed with atomic ADDs: the notebook count (so
 * the unfiltered list reports `totalCount` without reading every row) and a revision number
 * that every notebook write bumps.
 */
export class NotebookCounters {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private async apply(scope: Scope, deltas: Record<string, number>): Promise<void> {
    const names: Record<string, string> = { '#rev': 'revision' };
    const values: Record<string, number> = { ':one': 1 };
    const parts = ['#rev :one'];
    Object.entries(deltas).forEach(([attribute, delta], i) => {
      names[`#a${i}`] = attribute;
      values[`:d${i}`] = delta;
      parts.push(`#a${i} :d${i}`);
    });
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.stats }),
        UpdateExpression: `ADD ${parts.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: toItem(values),
      }),
    );
  }

  /** A notebook appeared (+1) or disappeared (-1). */
  add(scope: Scope, delta: 1 | -1): Promise<void> {
    return this.apply(scope, { total: delta });
  }

  /** A notebook changed: its rows' list views may differ, so cached pages must go. */
  changed(scope: Scope): Promise<void> {
    return this.apply(scope, {});
  }

  async state(scope: Scope): Promise<ListState> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.stats }),
        ProjectionExpression: '#total, #rev',
        ExpressionAttributeNames: { '#total': 'total', '#rev': 'revision' },
        ConsistentRead: true,
      }),
    );
    const row = out.Item ? fromItem<{ total?: number; revision?: number }>(out.Item) : {};
    return { total: Math.max(0, row.total ?? 0), revision: row.revision ?? 0 };
  }
}
