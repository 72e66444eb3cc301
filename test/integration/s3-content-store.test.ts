import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/adapters/aws-clients.ts';
import { loadConfig } from '../../functions/adapters/config.ts';
import { S3ContentStore } from '../../functions/adapters/s3-content-store.ts';
import type { NbDocument } from '../../functions/core/nbformat/types.ts';
import { stack, stackEnv } from '../support/api.ts';

/*
 * The content store against the local stack's s3rver: what one read of a stored document
 * costs, counted at the S3 client (each store here starts with an empty cache, as a cold
 * Lambda instance does).
 */

function doc(source: string): NbDocument {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [{ cell_type: 'code', id: 'a', metadata: {}, execution_count: null, source, outputs: [] }],
  } as NbDocument;
}

/** A store with a cold cache whose S3 client counts the commands it sends, by name. */
function countingStore() {
  const s3 = createAwsClients(loadConfig(stackEnv())).s3;
  const sent: string[] = [];
  s3.middlewareStack.add(
    (next, context) => (args) => {
      sent.push(String(context.commandName));
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return { store: new S3ContentStore(s3, stack().bucketName), sent };
}

describe('S3ContentStore.readInline', () => {
  it('reads a small document with one GetObject and no size lookup when the cache is cold', async () => {
    const key = `test/content-store/${randomUUID()}.ipynb`;
    await countingStore().store.put(key, doc('x = 1'));
    const { store, sent } = countingStore();
    const read = await store.readInline(key, 5 * 1024 * 1024);
    expect(read.document?.cells[0]?.source).toBe('x = 1');
    expect(sent).toEqual(['GetObjectCommand']);
    // A second read is a cache hit: no request at all.
    expect((await store.readInline(key, 5 * 1024 * 1024)).document?.cells).toHaveLength(1);
    expect(sent).toEqual(['GetObjectCommand']);
  });

  it('answers only the size of a document above the limit, from the store or the cache', async () => {
    const key = `test/content-store/${randomUUID()}.ipynb`;
    const source = 'y'.repeat(4000);
    const { store: writer } = countingStore();
    await writer.put(key, doc(source));
    const bytes = Buffer.byteLength(JSON.stringify(doc(source), null, 1));
    const cold = countingStore();
    const read = await cold.store.readInline(key, 1000);
    expect(read.document).toBeUndefined();
    expect(read.bytes).toBeGreaterThan(4000);
    expect(read.bytes).toBeLessThanOrEqual(bytes + 100);
    expect(cold.sent).toEqual(['GetObjectCommand']);
    // The writer cached the text it stored: the same size without a request.
    expect(await writer.readInline(key, 1000)).toEqual({ bytes: read.bytes });
  });

  it('throws when the document is missing, as get does', async () => {
    const { store } = countingStore();
    await expect(store.readInline(`test/content-store/${randomUUID()}.ipynb`, 1000)).rejects.toThrow();
  });
});
