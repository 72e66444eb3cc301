import { PayloadTooLargeError, UploadNotFoundError } from '../errors.ts';
import { idTime } from '../ids.ts';
import { decodeUtf8 } from '../json-limits.ts';
import type { Scope } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';
import { presignedUpload } from './presigned-upload.ts';
import { type UploadNotebookInput, uploadNotebook } from './upload-notebook.ts';

/** Object key a presigned notebook upload is PUT to (read once by `POST .../notebook/upload`, then deleted). */
export function notebookUploadKey(scope: Scope, uploadId: string): string {
  return `tenants/${scope.tenantId}/projects/${scope.projectId}/notebook-uploads/${uploadId}.ipynb`;
}

/** How long after it was issued an upload can be turned into a notebook (the URL itself: 1 h). */
export const UPLOAD_USABLE_SECONDS = 24 * 3600;
const CONTENT_TYPE = 'application/x-ipynb+json';

/**
 * A presigned URL to PUT a large .ipynb straight to object storage, past the request payload
 * limits of API Gateway and Lambda. The client PUTs the file (with the returned headers),
 * then posts `{uploadId, notebookName, …}` to `POST .../notebook/upload`.
 */
export function createNotebookUpload(services: Services, actor: Actor) {
  return presignedUpload(
    services,
    (uploadId) => notebookUploadKey(actor, uploadId),
    CONTENT_TYPE,
    services.maxNotebookUploadBytes,
  );
}

/**
 * The staged file's text, bounded by `maxNotebookUploadBytes` twice: by the object's size
 * before reading (a presigned PUT cannot bound it) and while reading. Unknown, expired and
 * never-PUT uploads are 404 (another tenant's id is simply not under this tenant's prefix).
 */
async function readStaged(services: Services, scope: Scope, uploadId: string): Promise<string> {
  const key = notebookUploadKey(scope, uploadId);
  const issued = idTime(uploadId);
  const age = services.now().getTime() - issued;
  if (!Number.isFinite(issued) || age > UPLOAD_USABLE_SECONDS * 1000) {
    await services.files.delete(key);
    throw new UploadNotFoundError(uploadId, 'it expired (an upload is usable for 24 hours)');
  }
  const staged = await services.files.getStream(key);
  if (!staged)
    throw new UploadNotFoundError(uploadId, 'nothing was PUT to its upload URL (PUT the .ipynb there first)');
  const max = services.maxNotebookUploadBytes;
  const tooLarge = async (bytes: number) => {
    await services.files.delete(key);
    return new PayloadTooLargeError(`The uploaded notebook is ${bytes} bytes; the limit is ${max} bytes`, {
      Limit: max,
    });
  };
  if (staged.bytes > max) {
    await staged.chunks[Symbol.asyncIterator]().return?.(); // closes the unread body
    throw await tooLarge(staged.bytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of staged.chunks) {
    total += chunk.byteLength;
    if (total > max) throw await tooLarge(total);
    chunks.push(chunk);
  }
  // A notebook is JSON, and JSON is UTF-8: invalid bytes are a 400, as for a multipart file.
  return decodeUtf8(Buffer.concat(chunks, total), 'file');
}

/** What `POST .../notebook/upload` takes with a JSON body: the upload and the multipart form's fields. */
export type StagedUploadInput = Omit<UploadNotebookInput, 'fileName' | 'fileText'> & { uploadId: string };

/**
 * Turns a presigned upload into a notebook: the staged .ipynb goes through exactly the
 * checks and the creation of a multipart upload (`uploadNotebook`); the staged object is
 * deleted once the notebook exists (and when it is over the limit).
 */
export async function uploadStagedNotebook(services: Services, actor: Actor, input: StagedUploadInput) {
  const { uploadId, ...fields } = input;
  const fileText = await readStaged(services, actor, uploadId);
  const result = await uploadNotebook(services, actor, {
    ...fields,
    fileName: '',
    fileText,
    datasetBindingPath: 'body.datasetBinding',
  });
  await services.files.delete(notebookUploadKey(actor, uploadId));
  return result;
}
