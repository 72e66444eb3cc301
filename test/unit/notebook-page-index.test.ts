import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand, type QueryCommandOutput } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/adapters/dynamo-keys.ts';
import { NotebookIndex } from '../../functions/adapters/dynamo-notebook-index.ts';
import { toRow } from '../../functions/adapters/dynamo-notebook-rows.ts';
import { DynamoNotebookStore } from '../../functions/adapters/dynamo-notebook-store.ts';
import { putItems, toItem } from '../../functions/adapters/dynamo-util.ts';
import { planCut, QUIET_MS } from '../../functions/adapters/notebook-index-plan.ts';
import { newId } from '../../functions/core/ids.ts';
import {
  DEFAULT_ENVIRONMENT,
  DEFAULT_INTEGRATION,
  type NotebookRecord,
  toNotebookSummary,
} from '../../functions/core/notebook.ts';
import { stackTable } from '../support/api.ts';

/*
 * The project page index on the test stack's real DynamoDB (dynalite). Each read goes through
 * a store made for it alone, as a cold Lambda would: nothing comes from a process's memory.
 */

const HOUR = 3_600_000;

/** The stack's DynamoDB client, counting the items every Query and GetItem read. */
function countingTable() {
  const { dynamodb, tableName } = stackTable();
  const reads = { items: 0, requests: 0 };
  dynamodb.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = (result.output ?? {}) as Partial<QueryCommandOutput> & { Item?: unknown };
      if ('ScannedCount' in output) {
        reads.items += output.ScannedCount ?? 0;
        reads.requests++;
      } else if (output.Item) {
        reads.items++;
        reads.requests++;
      }
      return result;
    },
    { step: 'deserialize', name: 'countReads' },
  );
  return { dynamodb, tableName, reads };
}

function record(scope: { tenantId: string; projectId: string }, notebookId: string): NotebookRecord {
  const now = new Date().toISOString();
  return {
    ...scope,
    notebookId,
    investigationId: randomUUID(),
    name: `nb ${notebookId}`,
    description: null,
    notebookVersion: '1.0.0',
    kernelType: 'python3',
    status: 'Ready',
    notebookType: 0,
    notebookOrder: 0,
    integration: DEFAULT_INTEGRATION,
    environment: DEFAULT_ENVIRONMENT,
    cellCount: 0,
    lastExecutionDuration: 0,
    lastExecutionDate: null,
    executionCount: 0,
    dateCreated: now,
    dateModified: now,
    createdBy: 'test',
    modifiedBy: null,
    contentKey: 'none',
    activeExecutionId: null,
  };
}

/** Ids made `ago` ms back, one ms apart (UUIDv7: they sort in that order). */
const oldIds = (count: number, ago = HOUR) =>
  Array.from({ length: count }, (_, i) => newId(Date.now() - ago + i));

/** Rows and a counter as the service wrote them before the page index existed. */
async function legacyProject(db: DynamoDBClient, table: string, count: number) {
  const scope = { tenantId: randomUUID(), projectId: randomUUID() };
  const ids = oldIds(count);
  await putItems(
    db,
    table,
    ids.map((id) => toRow(record(scope, id))),
  );
  await db.send(
    new PutItemCommand({
      TableName: table,
      Item: toItem({ pk: keys.project(scope), sk: keys.stats, total: count, revision: count }),
    }),
  );
  return { scope, newestFirst: [...ids].reverse() };
}

describe('unit', () => {
  describe('the notebook page index', () => {
    it('reads a bounded number of items for any page of a 10,000-notebook project, from a cold store', async () => {
      const { dynamodb, tableName, reads } = countingTable();
      const { scope, newestFirst } = await legacyProject(dynamodb, tableName, 10_000);
      // The first deep list of a project from before the index reads its rows once to cut it.
      const first = await new DynamoNotebookStore(dynamodb, tableName).list(scope, {}, 57, 100);
      expect(first.totalCount).toBe(10_000);
      expect(first.items.map((r) => r.notebookId)).toEqual(newestFirst.slice(5600, 5700));
      for (const page of [1, 2, 37, 73, 99, 100, 101]) {
        reads.items = 0;
        reads.requests = 0;
        const cold = new DynamoNotebookStore(dynamodb, tableName);
        const { items, totalCount } = await cold.list(scope, {}, page, 100);
        expect(totalCount).toBe(10_000);
        expect(items.map((r) => r.notebookId)).toEqual(newestFirst.slice((page - 1) * 100, page * 100));
        // The index item, at most two blocks' worth of keys skipped, and the page itself.
        expect(reads.items).toBeLessThanOrEqual(1 + 2 * 100 + 100);
        expect(reads.requests).toBeLessThanOrEqual(4);
      }
    }, 120_000);

    it('reads a list page as listings: the summary of whole rows, without what a list does not show', async () => {
      const { dynamodb, tableName } = countingTable();
      const { scope, newestFirst } = await legacyProject(dynamodb, tableName, 250);
      const withEnrichment = {
        ...record(scope, newestFirst[120]!),
        integration: { ...DEFAULT_INTEGRATION, enrichmentMode: true },
      };
      await putItems(dynamodb, tableName, [
        toRow({
          ...withEnrichment,
          contentKey: 'k',
          environment: { ...DEFAULT_ENVIRONMENT, packages: ['pandas'] },
        }),
      ]);
      for (const [filters, page] of [
        [{}, 2],
        [{ enrichmentMode: true }, 1],
        [{ status: 'Ready' as const, enrichmentMode: false }, 3],
      ] as const) {
        const whole = await new DynamoNotebookStore(dynamodb, tableName).list(scope, filters, page, 100);
        const listed = await new DynamoNotebookStore(dynamodb, tableName).listListings(
          scope,
          filters,
          page,
          100,
        );
        expect(listed.totalCount).toBe(whole.totalCount);
        expect(listed.items.length).toBeGreaterThan(0);
        expect(listed.items.map(toNotebookSummary)).toEqual(whole.items.map(toNotebookSummary));
        for (const item of listed.items) {
          expect(Object.keys(item)).not.toContain('contentKey');
          expect(Object.keys(item)).not.toContain('environment');
          expect(item.integration).toEqual({ enrichmentMode: item.notebookId === withEnrichment.notebookId });
        }
      }
    });

    it('keeps every notebook once, in order, and totalCount exact under concurrent creates, deletes and cuts', async () => {
      const { dynamodb, tableName } = stackTable();
      const store = () => new DynamoNotebookStore(dynamodb, tableName);
      const { scope, newestFirst } = await legacyProject(dynamodb, tableName, 450);
      const index = new NotebookIndex(dynamodb, tableName);
      const cuts = Array.from({ length: 10 }, () => async () => {
        for (const block of (await index.current(scope)).blocks) await index.cut(scope, block.low);
      });
      const together = async (work: Array<() => Promise<unknown>>) => {
        const shuffled = [...work].sort(() => Math.random() - 0.5);
        const results = await Promise.allSettled(shuffled.map((w) => w()));
        expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      };
      // Creates mint their ids as they run (a cut relies on that: see planCut).
      const created = Array.from({ length: 300 }, () => newId());
      await together([
        ...created.slice(0, 200).map((id) => () => store().create(record(scope, id))),
        ...cuts,
      ]);
      expect((await index.state(scope)).blocks.length).toBeGreaterThan(3);
      // Deletes count out first and hold off cuts of their block for a while; those racing them must give up.
      const deleted = newestFirst.filter((_, i) => i % 3 === 0);
      await together([
        ...created.slice(200).map((id) => () => store().create(record(scope, id))),
        ...deleted.map((id) => () => store().delete(record(scope, id))),
        ...cuts,
      ]);

      const expected = [...created.reverse(), ...newestFirst.filter((id) => !deleted.includes(id))];
      const walk = async () => {
        const seen: string[] = [];
        for (let page = 1; ; page++) {
          const { items, totalCount } = await store().list(scope, {}, page, 7);
          expect(totalCount).toBe(expected.length);
          if (items.length === 0) return seen;
          seen.push(...items.map((r) => r.notebookId));
        }
      };
      expect(await walk()).toEqual(expected);
      // Once quiet, every block can be cut from its rows alone: the layout changes, the list does not.
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      // (How many blocks the cuts during the burst left depends on the machine's speed: a
      // block still over the size must be cut now; none may stay over it.)
      const before = (await index.state(scope)).blocks;
      for (const block of before) await index.cut(scope, block.low);
      const after = await index.state(scope);
      const oversized = before.filter((b) => b.n > 150).length;
      expect(after.blocks.length).toBeGreaterThanOrEqual(before.length + oversized);
      expect(after.blocks.every((b) => b.n <= 150)).toBe(true);
      expect(await walk()).toEqual(expected);
    }, 120_000);

    it('cuts only settled rows while creates are recent, and recounts every row once quiet', () => {
      const now = Date.now();
      const settled = oldIds(250);
      const recent = Array.from({ length: 30 }, (_, i) => newId(now - 100 + i));
      const block = { low: '', n: 282, c: now - 10, d: 0 };
      const busy = planCut(block, [...settled, ...recent], 100, now)!;
      expect(busy.map((b) => b.n)).toEqual([100, 100, 82]);
      expect(busy.map((b) => b.low)).toEqual(['', settled[100], settled[200]]);
      const quiet = planCut({ ...block, c: now - QUIET_MS }, [...settled, ...recent], 100, now)!;
      expect(quiet.map((b) => b.n)).toEqual([100, 100, 80]);
      expect(planCut({ ...block, n: 250, c: 0 }, settled.slice(0, 120), 100, now)).toEqual([
        { low: '', n: 120, c: 0, d: 0 },
      ]);
      expect(planCut({ low: '', n: 120, c: 0, d: 0 }, settled.slice(0, 120), 100, now)).toBeNull();
    });
  });
});
