import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Scope } from '../core/notebook.ts';
import { keys } from './dynamo-keys.ts';
import { type NotebookRowRange, queryIds } from './dynamo-notebook-range.ts';
import { fromItem, isConditionFailure, toItem } from './dynamo-util.ts';
import { blockOf, blockSize, type IndexBlock, planCut, QUIET_MS } from './notebook-index-plan.ts';

/** What the list needs to know about a project before reading any notebook row. */
export interface ListState {
  /** Notebooks in the project (the sum of the blocks once indexed). */
  total: number;
  /** Bumped after every write to a notebook row of the project: a cached page is valid while it is unchanged. */
  revision: number;
  /** The block layout's generation (null: not indexed yet); every cut bumps it. */
  gen: number | null;
  /** The page index, ascending by `low`. */
  blocks: IndexBlock[];
}

const PREFIX = 'b_';
/** Attempts of a count change that lost a race with a cut (each re-reads the layout). */
const ATTEMPTS = 8;

/**
 * The project's page index, in its `STATS` item: the notebooks (newest first, by id) fall
 * into blocks of about 100 consecutive ids, each a map attribute `b_<lowest id>` with its
 * count, so page N is found from this one item and read with a query that starts at its
 * block: one or two reads of the rows it returns, whatever N (see `NotebookLists`).
 *
 * Counts change with single-item atomic updates conditioned on the layout's generation
 * (`ixgen`), so a count never lands in a block that a concurrent cut has changed. A create
 * counts before its row is written and a delete before its row is removed (touching the
 * block's `c` / `d` time), so a cut that reads the rows can tell which ones may still be in
 * flight (see `planCut`). Also holds `revision`, bumped after each row write.
 */
export class NotebookIndex {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  private key(scope: Scope) {
    return toItem({ pk: keys.project(scope), sk: keys.stats });
  }

  async state(scope: Scope): Promise<ListState> {
    const out = await this.db.send(
      new GetItemCommand({ TableName: this.table, Key: this.key(scope), ConsistentRead: true }),
    );
    const row = out.Item ? fromItem<Record<string, unknown>>(out.Item) : {};
    const blocks: IndexBlock[] = [];
    for (const [name, value] of Object.entries(row)) {
      if (!name.startsWith(PREFIX)) continue;
      const b = value as { n?: number; c?: number; d?: number };
      blocks.push({ low: name.slice(PREFIX.length), n: b.n ?? 0, c: b.c ?? 0, d: b.d ?? 0 });
    }
    blocks.sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : 0));
    const gen = typeof row.ixgen === 'number' ? row.ixgen : null;
    const total = gen === null ? Number(row.total ?? 0) : blocks.reduce((sum, b) => sum + b.n, 0);
    return { total: Math.max(0, total), revision: Number(row.revision ?? 0), gen, blocks };
  }

  /**
   * The state with an index: a project without one (created before the index existed, or
   * new) gets a single block holding its counted notebooks, in one conditional write; the
   * first cut then splits it (reading its rows once).
   */
  async current(scope: Scope): Promise<ListState> {
    const state = await this.state(scope);
    if (state.gen !== null) return state;
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(scope),
          UpdateExpression: 'SET #b = :block, ixgen = :one',
          ConditionExpression: 'attribute_not_exists(ixgen)',
          ExpressionAttributeNames: { '#b': PREFIX },
          ExpressionAttributeValues: toItem({ ':block': { n: state.total, c: 0, d: 0 }, ':one': 1 }),
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    return this.state(scope);
  }

  /** Counts a notebook in before its row is written (`delta` 1) or out before it is removed (-1). */
  async count(scope: Scope, id: string, delta: 1 | -1): Promise<void> {
    const touched = delta > 0 ? 'c' : 'd';
    for (let attempt = 1; ; attempt++) {
      const state = await this.current(scope);
      const block = blockOf(state.blocks, id);
      try {
        const out = await this.db.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: this.key(scope),
            UpdateExpression: `SET #b.n = #b.n + :delta, #b.${touched} = :now ADD #total :delta`,
            ConditionExpression: 'ixgen = :gen AND attribute_exists(#b)',
            ExpressionAttributeNames: { '#b': `${PREFIX}${block.low}`, '#total': 'total' },
            ExpressionAttributeValues: toItem({ ':delta': delta, ':now': this.now(), ':gen': state.gen }),
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const n = (fromItem<Record<string, { n?: number }>>(out.Attributes ?? {})[`${PREFIX}${block.low}`]
          ?.n ?? 0) as number;
        const size = blockSize(state.total);
        // Every `size` notebooks a grown block is cut (best effort: another request may do it).
        if (delta > 0 && n > 2 * size && n % size === 0) await this.cut(scope, block.low).catch(() => false);
        return;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  /** A write to a notebook row happened: cached pages of the project are stale. */
  async changed(scope: Scope): Promise<void> {
    await this.db.send(
      new UpdateItemCommand({
        TableName: this.table,
        Key: this.key(scope),
        UpdateExpression: 'ADD #rev :one',
        ExpressionAttributeNames: { '#rev': 'revision' },
        ExpressionAttributeValues: toItem({ ':one': 1 }),
      }),
    );
  }

  /**
   * Cuts the block starting at `low` into blocks of the target size from its rows (see
   * `planCut`); false when it is not the time (a recent delete in it, a race) or nothing changed.
   */
  async cut(scope: Scope, low: string): Promise<boolean> {
    let state = await this.state(scope);
    const gen = state.gen;
    const at = state.blocks.findIndex((b) => b.low === low);
    const block = state.blocks[at];
    if (!block || gen === null || this.now() - block.d < QUIET_MS) return false;
    const range: NotebookRowRange = { low, next: state.blocks[at + 1]?.low };
    const ids = await queryIds(this.db, this.table, scope, range);
    const now = this.now();
    const plan = planCut(block, ids, blockSize(state.total), now);
    if (!plan) return false;
    const exact = now - block.c >= QUIET_MS;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const seen = state.blocks.find((b) => b.low === low);
      // Another cut changed the layout, or a delete (or, for exact counts, a create) came in.
      if (!seen || state.gen !== gen || seen.d !== block.d || (exact && seen.c !== block.c)) return false;
      const last = plan.at(-1)!;
      // The last block takes what the count says beyond the settled rows (unless exact).
      if (!exact) last.n = Math.max(0, seen.n - plan.slice(0, -1).reduce((s, b) => s + b.n, 0));
      const names: Record<string, string> = { '#b': `${PREFIX}${low}` };
      const values: Record<string, unknown> = { ':gen': gen, ':n': seen.n, ':d': seen.d, ':one': 1 };
      const sets = plan.map((b, i) => {
        names[`#p${i}`] = `${PREFIX}${b.low}`;
        values[`:p${i}`] = { n: b.n, c: b.c, d: b.d };
        return `#p${i} = :p${i}`;
      });
      if (exact) values[':c'] = seen.c;
      try {
        await this.db.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: this.key(scope),
            UpdateExpression: `SET ${sets.join(', ')} ADD ixgen :one`,
            ConditionExpression: `ixgen = :gen AND #b.n = :n AND #b.d = :d${exact ? ' AND #b.c = :c' : ''}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: toItem(values),
          }),
        );
        return true;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        state = await this.state(scope);
      }
    }
    return false;
  }
}
