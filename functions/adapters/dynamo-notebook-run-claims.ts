import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { NotebookRecord, Scope } from '../core/notebook.ts';
import type { RunEnd } from '../core/ports.ts';
import { keys } from './dynamo-keys.ts';
import type { NotebookIndex } from './dynamo-notebook-index.ts';
import { isConditionFailure, toItem } from './dynamo-util.ts';

type Lookup = (scope: Scope, notebookId: string) => Promise<NotebookRecord | undefined>;

/**
 * Which run holds a notebook: `activeExecutionId`, set and cleared with conditional writes,
 * so two submissions cannot both win and only the holding run can free it. Every change
 * bumps the project's list revision (the list shows `status`).
 */
export class NotebookRunClaims {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly index: NotebookIndex,
    private readonly lookup: Lookup,
  ) {}

  private key(scope: Scope, notebookId: string) {
    return toItem({ pk: keys.project(scope), sk: keys.notebook(notebookId) });
  }

  async claim(
    scope: Scope,
    notebookId: string,
    executionId: string,
  ): Promise<'claimed' | 'busy' | 'missing'> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(scope, notebookId),
          UpdateExpression: 'SET activeExecutionId = :id, #status = :running',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(activeExecutionId) OR activeExecutionId = :none)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toItem({ ':id': executionId, ':running': 'Running', ':none': null }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return (await this.lookup(scope, notebookId)) ? 'busy' : 'missing';
    }
    await this.index.changed(scope);
    return 'claimed';
  }

  async release(scope: Scope, notebookId: string, executionId: string, end: RunEnd): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, unknown> = { ':id': executionId, ':none': null, ':status': end.status };
    const sets = ['activeExecutionId = :none', '#status = :status'];
    let add = '';
    let condition = 'activeExecutionId = :id';
    if (end.executed) {
      sets.push('lastExecutionDate = :date', 'lastExecutionDuration = :duration');
      values[':date'] = end.executed.date;
      values[':duration'] = end.executed.durationSeconds;
      values[':one'] = 1;
      add = ' ADD executionCount :one';
    }
    if (end.contentKey) {
      sets.push('contentKey = :next');
      values[':next'] = end.contentKey.next;
      values[':previous'] = end.contentKey.previous;
      condition += ' AND contentKey = :previous';
    }
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(scope, notebookId),
          UpdateExpression: `SET ${sets.join(', ')}${add}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toItem(values),
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    await this.index.changed(scope);
    return true;
  }
}
