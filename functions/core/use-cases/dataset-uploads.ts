import { newId } from '../ids.ts';
import type { Scope } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';

/** Object key a presigned upload is PUT to (read once by `POST .../dataset`, then deleted). */
export function datasetUploadKey(scope: Scope, uploadId: string): string {
  return `tenants/${scope.tenantId}/projects/${scope.projectId}/dataset-uploads/${uploadId}.csv`;
}

const UPLOAD_URL_SECONDS = 3600;

/**
 * A presigned URL to PUT a large event log straight to object storage, past the request
 * payload limits of API Gateway and Lambda. The client PUTs the CSV (with the returned
 * headers), then posts `{name, uploadId}` to `POST .../dataset` (or `.../versions`), which
 * reads it from storage as a stream with the same checks and size limit as a direct upload.
 */
export async function createDatasetUpload(services: Services, actor: Actor) {
  const uploadId = newId(services.now().getTime());
  const contentType = 'text/csv';
  const uploadUrl = await services.files.uploadUrl(datasetUploadKey(actor, uploadId), {
    contentType,
    expiresSeconds: UPLOAD_URL_SECONDS,
  });
  return {
    uploadId,
    uploadUrl,
    method: 'PUT' as const,
    headers: { 'content-type': contentType },
    expiresAt: new Date(services.now().getTime() + UPLOAD_URL_SECONDS * 1000).toISOString(),
    maxBytes: services.maxDatasetBytes,
  };
}
