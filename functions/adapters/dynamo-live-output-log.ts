import { type DynamoDBClient, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { LiveOutputLog, LiveOutputPage } from '../core/ports.ts';
import type { LiveChunk } from '../core/run/live-output.ts';
import type { RunPointer } from '../core/run/run.ts';
import { keys } from './dynamo-keys.ts';
import { fromItem, toItem } from './dynamo-util.ts';

/** Bytes of chunk JSON per item at most (an item holds 400 KB; one chunk's JSON stays below). */
const ITEM_BYTES = 350_000;
/** Live output is read while a run goes on; AWS deletes it a week later (the table's TTL). */
const KEEP_SECONDS = 7 * 24 * 3600;
/** Runs whose last written key this process remembers. */
const REMEMBERED = 1_000;

/**
 * The live output of runs in the table: one item per write (a batch of chunks as JSON), its
 * sort key the write's time and a sequence number, so a reader takes every item after its
 * cursor in order. Items are written one after the other, each after the last one of the run
 * (read once per process and run: a task that follows another on a skewed clock stays after).
 */
export class DynamoLiveOutputLog implements LiveOutputLog {
  private readonly last = new Map<string, { ms: number; seq: number }>();

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  async append(pointer: RunPointer, chunks: LiveChunk[]): Promise<void> {
    const pk = keys.liveOutput(pointer, pointer.executionId);
    let position = this.last.get(pk) ?? (await this.lastWritten(pk));
    for (const body of itemBodies(chunks)) {
      const now = Date.now();
      position = now > position.ms ? { ms: now, seq: 0 } : { ms: position.ms, seq: position.seq + 1 };
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: toItem({
            pk,
            sk: sortKey(position),
            chunks: body,
            ttl: Math.floor(now / 1000) + KEEP_SECONDS,
          }),
        }),
      );
      this.remember(pk, position);
    }
  }

  async read(pointer: RunPointer, cursor: string | null, maxChars: number): Promise<LiveOutputPage> {
    const pk = keys.liveOutput(pointer, pointer.executionId);
    const chunks: LiveChunk[] = [];
    let next = cursor;
    let chars = 0;
    for (;;) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: next ? 'pk = :pk AND sk > :after' : 'pk = :pk',
          ExpressionAttributeValues: toItem({ ':pk': pk, ...(next ? { ':after': next } : {}) }),
          ConsistentRead: true,
          Limit: 16,
        }),
      );
      const items = (out.Items ?? []).map((item) => fromItem<{ sk: string; chunks: string }>(item));
      for (const item of items) {
        if (chars > 0 && chars + item.chunks.length > maxChars) return { chunks, cursor: next, more: true };
        chunks.push(...(JSON.parse(item.chunks) as LiveChunk[]));
        chars += item.chunks.length;
        next = item.sk;
      }
      if (!out.LastEvaluatedKey) return { chunks, cursor: next, more: false };
    }
  }

  private async lastWritten(pk: string): Promise<{ ms: number; seq: number }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: toItem({ ':pk': pk }),
        ScanIndexForward: false,
        ConsistentRead: true,
        Limit: 1,
        ProjectionExpression: 'sk',
      }),
    );
    const sk = out.Items?.[0] ? fromItem<{ sk: string }>(out.Items[0]).sk : null;
    const [ms, seq] = (sk ?? '0.0').split('.').map(Number);
    return { ms: ms ?? 0, seq: seq ?? 0 };
  }

  private remember(pk: string, position: { ms: number; seq: number }): void {
    this.last.delete(pk);
    this.last.set(pk, position);
    if (this.last.size > REMEMBERED) this.last.delete(this.last.keys().next().value as string);
  }
}

/** `{ms, 13 digits}.{seq, 6 digits}`: sorts as it was written. */
const sortKey = ({ ms, seq }: { ms: number; seq: number }) =>
  `${String(ms).padStart(13, '0')}.${String(seq).padStart(6, '0')}`;

/** The chunks as JSON arrays of at most ITEM_BYTES each (see LIVE_CHUNK_MAX_BYTES). */
function itemBodies(chunks: LiveChunk[]): string[] {
  const bodies: string[] = [];
  let current: string[] = [];
  let size = 2;
  for (const chunk of chunks) {
    const json = JSON.stringify(chunk);
    const bytes = Buffer.byteLength(json);
    if (current.length > 0 && size + bytes + 1 > ITEM_BYTES) {
      bodies.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(json);
    size += bytes + 1;
  }
  if (current.length > 0) bodies.push(`[${current.join(',')}]`);
  return bodies;
}
