import { type DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import { keys } from './dynamo-keys.ts';
import { type Item, toItem } from './dynamo-util.ts';

/** Notebook rows with ids in [low, next) (`next` undefined: to the end). */
export interface NotebookRowRange {
  low: string;
  next: string | undefined;
}

/** Sort keys of notebook rows are `NB#<id>`; this one sorts after all of them. */
const AFTER_NOTEBOOKS = 'NB#~';

/** The project's notebook rows (every row whose sort key starts with `NB#`), in key order. */
export function notebookRows(scope: Scope): Omit<QueryCommandInput, 'TableName'> {
  return {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: toItem({
      ':pk': keys.project(scope),
      ':from': keys.notebook(''),
      ':to': AFTER_NOTEBOOKS,
    }),
  };
}

/** The ids of the notebook rows in `range`, ascending (consistent reads, keys only). */
export async function queryIds(
  db: DynamoDBClient,
  table: string,
  scope: Scope,
  range: NotebookRowRange,
): Promise<string[]> {
  const ids: string[] = [];
  const end = range.next === undefined ? AFTER_NOTEBOOKS : keys.notebook(range.next);
  let start: Item | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: toItem({
          ':pk': keys.project(scope),
          ':from': keys.notebook(range.low),
          ':to': end,
        }),
        ProjectionExpression: 'sk',
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of out.Items ?? []) {
      const sk = item.sk?.S ?? '';
      if (sk !== end) ids.push(sk.slice(keys.notebook('').length));
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}

/**
 * Up to `limit` notebook rows, newest first, starting below the row with id `below` (from
 * the newest when undefined) after skipping `skip` rows: the skipped rows are read as keys
 * only, the page's rows in full or as `projection` says, each with a consistent read.
 */
export async function readRowsDescending(
  db: DynamoDBClient,
  table: string,
  scope: Scope,
  below: string | undefined,
  skip: number,
  limit: number,
  /** Which attributes of the page's rows to read (default: all). */
  projection?: Pick<QueryCommandInput, 'ProjectionExpression' | 'ExpressionAttributeNames'>,
): Promise<Item[]> {
  const base: QueryCommandInput = {
    ...notebookRows(scope),
    TableName: table,
    ScanIndexForward: false,
    ConsistentRead: true,
  };
  let start: Item | undefined =
    below === undefined ? undefined : toItem({ pk: keys.project(scope), sk: keys.notebook(below) });
  for (let left = skip; left > 0; ) {
    const out = await db.send(
      new QueryCommand({ ...base, Limit: left, ProjectionExpression: 'pk, sk', ExclusiveStartKey: start }),
    );
    left -= out.Count ?? 0;
    start = out.LastEvaluatedKey;
    if (!start) return [];
  }
  const rows: Item[] = [];
  while (rows.length < limit) {
    const out = await db.send(
      new QueryCommand({ ...base, ...projection, Limit: limit - rows.length, ExclusiveStartKey: start }),
    );
    rows.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
    if (!start) break;
  }
  return rows;
}
