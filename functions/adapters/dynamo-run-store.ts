import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import type { RunQuery, RunStore } from '../core/ports.ts';
import type { CellResult } from '../core/run/cell-result.ts';
import type { RunPointer, RunRecord, RunStatus } from '../core/run/run.ts';
import { keys } from './dynamo-keys.ts';
import {
  deleteKeys,
  fromItem,
  type Item,
  isConditionFailure,
  putItems,
  queryAll,
  stripKeys,
  toItem,
} from './dynamo-util.ts';

/** The attributes a history list reads (not the plan, which can be large). */
const SUMMARY_ATTRIBUTES = [
  'tenantId',
  'projectId',
  'executionId',
  'notebookId',
  'notebookVersion',
  'status',
  'trigger',
  'scheduledFor',
  'resumedFrom',
  'priority',
  'dateCreated',
  'startTime',
  'endTime',
  'totalCells',
  'error',
] as const;

const runKey = (p: RunPointer) => ({ pk: keys.runs(p, p.notebookId), sk: keys.run(p.executionId) });
const activeKey = (p: RunPointer) => ({
  pk: keys.activeRuns,
  sk: keys.activeRun(p, p.notebookId, p.executionId),
});

function fromRunRow(item: Item): RunRecord {
  // Rows written before these fields existed read as their defaults.
  const run = stripKeys<RunRecord>(item);
  run.scheduledFor ??= null;
  run.resumedFrom ??= null;
  run.keepKernelSeconds ??= 0;
  run.allowErrors ??= false;
  run.kernelKeptUntil ??= null;
  run.dataset ??= null;
  run.published ??= null;
  run.sourceKey ??= null;
  return run;
}

/**
 * Runs in DynamoDB (see `dynamo-keys.ts`): one row per run under its notebook (UUIDv7 ids,
 * so the partition is in submission order), one row per ended cell under the run, and an
 * index of active runs. Status changes are conditional writes on the status read.
 */
export class DynamoRunStore implements RunStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  /**
   * The run and its pointer in the active runs, in one batch write (a pointer whose run is
   * missing is cleared by the reconciler as `gone`). Unconditional: the execution id is new
   * (UUIDv7), and a write retried after a lost answer finds its own row, not another run's.
   */
  async create(run: RunRecord): Promise<void> {
    await putItems(this.db, this.table, [
      toItem({ ...runKey(run), ...run }),
      toItem({ ...activeKey(run), ...pointer(run) }),
    ]);
  }

  async get(p: RunPointer): Promise<RunRecord | undefined> {
    const out = await this.db.send(
      new GetItemCommand({ TableName: this.table, Key: toItem(runKey(p)), ConsistentRead: true }),
    );
    return out.Item ? fromRunRow(out.Item) : undefined;
  }

  async stopRequest(p: RunPointer) {
    const out = await this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: toItem(runKey(p)),
        ConsistentRead: true,
        ProjectionExpression: 'cancelRequested, stopReason',
      }),
    );
    if (!out.Item) return undefined;
    const row = fromItem<Partial<RunRecord>>(out.Item);
    return { cancelRequested: row.cancelRequested ?? false, stopReason: row.stopReason ?? null };
  }

  async update(
    p: RunPointer,
    changes: Partial<RunRecord>,
    whenStatusIn?: readonly RunStatus[],
  ): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([field, value], i) => {
        names[`#f${i}`] = field;
        values[`:v${i}`] = value;
        return `#f${i} = :v${i}`;
      });
    let condition = 'attribute_exists(pk)';
    if (whenStatusIn) {
      names['#status'] = 'status';
      whenStatusIn.forEach((status, i) => {
        values[`:s${i}`] = status;
      });
      condition += ` AND #status IN (${whenStatusIn.map((_, i) => `:s${i}`).join(', ')})`;
    }
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(runKey(p)),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: toItem(values),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async claimNextAttempt(p: RunPointer, claim: string | null, expected: string | null): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: toItem(runKey(p)),
          UpdateExpression: 'SET nextAttemptClaim = :next',
          ConditionExpression:
            expected === null
              ? 'attribute_exists(pk) AND (attribute_not_exists(nextAttemptClaim) OR nextAttemptClaim = :none)'
              : 'nextAttemptClaim = :expected',
          ExpressionAttributeValues: toItem({
            ':next': claim,
            ...(expected === null ? { ':none': null } : { ':expected': expected }),
          }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async list(scope: Scope, notebookId: string, query: RunQuery) {
    const names = Object.fromEntries(SUMMARY_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({
        ':pk': keys.runs(scope, notebookId),
        ...(query.status ? { ':st': query.status } : {}),
      }),
      ...(query.status ? { FilterExpression: `#a${SUMMARY_ATTRIBUTES.indexOf('status')} = :st` } : {}),
      ProjectionExpression: Object.keys(names).join(', '),
      ExpressionAttributeNames: names,
      ScanIndexForward: false,
    });
    const offset = (query.page - 1) * query.pageSize;
    return { items: items.slice(offset, offset + query.pageSize).map(fromRunRow), totalCount: items.length };
  }

  async latestCompleted(scope: Scope, notebookId: string, count: number): Promise<RunRecord[]> {
    const names = Object.fromEntries(SUMMARY_ATTRIBUTES.map((a, i) => [`#a${i}`, a]));
    const found: RunRecord[] = [];
    let start: Item | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: `#a${SUMMARY_ATTRIBUTES.indexOf('status')} = :st`,
          ExpressionAttributeValues: toItem({ ':pk': keys.runs(scope, notebookId), ':st': 'Completed' }),
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
          ScanIndexForward: false,
          Limit: 4 * count,
          ExclusiveStartKey: start,
        }),
      );
      found.push(...(out.Items ?? []).map(fromRunRow));
      start = out.LastEvaluatedKey;
    } while (start && found.length < count);
    return found.slice(0, count);
  }

  async putCellResults(p: RunPointer, results: CellResult[]): Promise<void> {
    const items = results.map((result) =>
      toItem({ pk: keys.runCells(p, p.executionId), sk: keys.cellPosition(result.position), ...result }),
    );
    await putItems(this.db, this.table, items);
  }

  async listCellResults(p: RunPointer): Promise<CellResult[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.runCells(p, p.executionId) }),
      ConsistentRead: true,
    });
    return items.map((item) => stripKeys<CellResult>(item));
  }

  async listActive(): Promise<RunPointer[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.activeRuns }),
      ConsistentRead: true,
    });
    return items.map((item) => pointer(stripKeys<RunPointer>(item)));
  }

  async clearActive(p: RunPointer): Promise<void> {
    await this.db.send(new DeleteItemCommand({ TableName: this.table, Key: toItem(activeKey(p)) }));
  }

  async deleteForNotebook(scope: Scope, notebookId: string): Promise<void> {
    const runs = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: toItem({ ':pk': keys.runs(scope, notebookId) }),
      ProjectionExpression: 'pk, sk, executionId',
    });
    for (const row of runs) {
      const { executionId } = fromItem<{ executionId: string }>(row);
      const p = { ...scope, notebookId, executionId };
      const cells = await queryAll(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: toItem({ ':pk': keys.runCells(p, executionId) }),
        ProjectionExpression: 'pk, sk',
      });
      const live = await queryAll(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: toItem({ ':pk': keys.liveOutput(p, executionId) }),
        ProjectionExpression: 'pk, sk',
      });
      await deleteKeys(this.db, this.table, [...cells, ...live, toItem(activeKey(p))]);
    }
    await deleteKeys(
      this.db,
      this.table,
      runs.map((r) => ({ pk: r.pk!, sk: r.sk! })),
    );
  }
}

function pointer(p: RunPointer): RunPointer {
  return {
    tenantId: p.tenantId,
    projectId: p.projectId,
    notebookId: p.notebookId,
    executionId: p.executionId,
  };
}
