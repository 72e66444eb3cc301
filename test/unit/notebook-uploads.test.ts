import { describe, expect, it } from 'vitest';
import { PayloadTooLargeError, UploadNotFoundError } from '../../functions/core/errors.ts';
import { newId } from '../../functions/core/ids.ts';
import type { Actor, Services } from '../../functions/core/ports.ts';
import { withContentLink } from '../../functions/core/use-cases/content-links.ts';
import { notebookUploadKey, uploadStagedNotebook } from '../../functions/core/use-cases/notebook-uploads.ts';

const actor: Actor = {
  tenantId: '11111111-1111-4111-8111-111111111111',
  projectId: '22222222-2222-4222-8222-222222222222',
  principalId: 'token',
};
const NOW = Date.parse('2026-12-07T10:00:00Z');

/** Services with a file store holding one staged object (`declared` bytes, `chunks` as read). */
function staged(chunks: Uint8Array[], declared: number) {
  const deleted: string[] = [];
  const services = {
    now: () => new Date(NOW),
    maxNotebookUploadBytes: 100,
    files: {
      getStream: async () => ({
        bytes: declared,
        chunks: (async function* () {
          yield* chunks;
        })(),
      }),
      delete: async (key: string) => void deleted.push(key),
    },
  } as unknown as Services;
  return { services, deleted };
}

describe('unit', () => {
  it('refuses a staged notebook whose size is over the limit with 413 and deletes it', async () => {
    const uploadId = newId(NOW);
    const { services, deleted } = staged([Buffer.alloc(10)], 101);
    await expect(
      uploadStagedNotebook(services, actor, { uploadId, notebookName: 'x' }),
    ).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(deleted).toEqual([notebookUploadKey(actor, uploadId)]);
  });

  it('stops reading a staged notebook at the limit when its declared size is wrong', async () => {
    const uploadId = newId(NOW);
    const { services, deleted } = staged([Buffer.alloc(60), Buffer.alloc(60)], 10);
    const failure = await uploadStagedNotebook(services, actor, { uploadId, notebookName: 'x' }).catch(
      (e) => e,
    );
    expect(failure).toBeInstanceOf(PayloadTooLargeError);
    expect(failure.context).toEqual({ Limit: 100 });
    expect(deleted).toHaveLength(1);
  });

  it('treats an upload issued more than 24 hours ago as not found', async () => {
    // A UUIDv7 of 25 hours ago (newId never goes back in time).
    const hex = (NOW - 25 * 3600 * 1000).toString(16).padStart(12, '0');
    const uploadId = `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-000000000000`;
    const { services } = staged([Buffer.from('{}')], 2);
    const failure = await uploadStagedNotebook(services, actor, { uploadId, notebookName: 'x' }).catch(
      (e) => e,
    );
    expect(failure).toBeInstanceOf(UploadNotFoundError);
    expect(failure.message).toMatch(/expired/);
  });

  it('elides the sources of route 3 only when they alone would not fit inline', () => {
    const resource = {
      notebookId: 'n',
      cells: [{ cellId: 'a', source: 'x'.repeat(500) }],
    } as unknown as Parameters<typeof withContentLink>[0];
    const link = { contentUrl: 'https://s3/x', expiresAt: '2026-12-07T11:00:00.000Z', bytes: 10_000 };
    const roomy = withContentLink(resource, link, 10_000);
    expect(roomy).toMatchObject({
      contentUrl: link.contentUrl,
      contentBytes: 10_000,
      cells: [{ source: 'x'.repeat(500) }],
    });
    expect(roomy.cells[0]).not.toHaveProperty('sourceElided');
    const tight = withContentLink(resource, link, 300);
    expect(tight.cells).toEqual([{ cellId: 'a', source: '', sourceElided: true }]);
    expect(tight.contentUrlExpiresAt).toBe(link.expiresAt);
  });
});
