import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

export type Item = Record<string, AttributeValue>;

export const toItem = (value: object): Item =>
  marshall(value, { removeUndefinedValues: true, convertClassInstanceToMap: false });

export const fromItem = <T>(item: Item): T => unmarshall(item) as T;

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException'
  );
}

/** Runs a query to the end, following LastEvaluatedKey. */
export async function queryAll(db: DynamoDBClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

type WriteRequest = { DeleteRequest: { Key: Item } } | { PutRequest: { Item: Item } };

/** Deletes items by key, 25 per batch, retrying unprocessed ones with backoff. */
export function deleteKeys(db: DynamoDBClient, table: string, keys: Item[]): Promise<void> {
  return batchWrite(
    db,
    table,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
  );
}

/** Puts items, 25 per batch, retrying unprocessed ones with backoff. */
export function putItems(db: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  return batchWrite(
    db,
    table,
    items.map((Item) => ({ PutRequest: { Item } })),
  );
}

async function batchWrite(db: DynamoDBClient, table: string, all: WriteRequest[]): Promise<void> {
  for (let i = 0; i < all.length; i += 25) {
    let requests = all.slice(i, i + 25);
    for (let attempt = 0; requests.length > 0 && attempt < 8; attempt++) {
      const out = await db.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      if (requests.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    if (requests.length > 0) throw new Error(`${requests.length} write(s) still unprocessed after retries`);
  }
}

/** A row without its table keys (`pk`, `sk` and the gsi1 keys). */
export function stripKeys<T>(item: Item): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest } = fromItem<Record<string, unknown>>(item);
  return rest as T;
}

/** Runs a conditional write: true when it was written, false when its condition failed. */
export async function conditionalWrite(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
