import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { NotebookRecord, Scope } from '../core/notebook.ts';
import { keys } from './dynamo-keys.ts';
import { fromItem, toItem } from './dynamo-util.ts';

type Counted = Pick<NotebookRecord, 'status' | 'kernelType' | 'integration'>;

/**
 * Per-project notebook counters (one item, atomic ADDs), so the unfiltered list can report
 * `totalCount` without reading every row. Each notebook counts in `total` and in the
 * bucket of its status, kernel and enrichment mode.
 */
export class NotebookCounters {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private static bucket(n: Counted): string {
    return `c_${n.status}_${n.kernelType}_${n.integration.enrichmentMode ? 1 : 0}`;
  }

  async add(scope: Scope, notebook: Counted, delta: 1 | -1): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.stats }),
        UpdateExpression: 'ADD #total :d, #bucket :d',
        ExpressionAttributeNames: { '#total': 'total', '#bucket': NotebookCounters.bucket(notebook) },
        ExpressionAttributeValues: toItem({ ':d': delta }),
      }),
    );
  }

  /** Moves one notebook from the bucket of `from` to the bucket of `to` (total unchanged). */
  async move(scope: Scope, from: Counted, to: Counted): Promise<void> {
    const a = NotebookCounters.bucket(from);
    const b = NotebookCounters.bucket(to);
    if (a === b) return;
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.stats }),
        UpdateExpression: 'ADD #from :minus, #to :plus',
        ExpressionAttributeNames: { '#from': a, '#to': b },
        ExpressionAttributeValues: toItem({ ':minus': -1, ':plus': 1 }),
      }),
    );
  }

  async total(scope: Scope): Promise<number> {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem({ pk: keys.project(scope), sk: keys.stats }),
        ProjectionExpression: '#total',
        ExpressionAttributeNames: { '#total': 'total' },
        ConsistentRead: true,
      }),
    );
    return out.Item ? Math.max(0, fromItem<{ total?: number }>(out.Item).total ?? 0) : 0;
  }
}
