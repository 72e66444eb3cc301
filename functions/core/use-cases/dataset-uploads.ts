import type { Scope } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';
import { presignedUpload } from './presigned-upload.ts';

/** Object key a presigned upload is PUT to (read once by `POST .../dataset`, then deleted). */
export function datasetUploadKey(scope: Scope, uploadId: string): string {
  return `tenants/${scope.tenantId}/projects/${scope.projectId}/dataset-uploads/${uploadId}.csv`;
}

/**
 * A presigned URL to PUT a large event log straight to object storage, past the request
 * payload limits of API Gateway and Lambda. The client PUTs the CSV (with the returned
 * headers), then posts `{name, uploadId}` to `POST .../dataset` (or `.../versions`), which
 * reads it from storage as a stream with the same checks and size limit as a direct upload.
 */
export function createDatasetUpload(services: Services, actor: Actor) {
  return presignedUpload(
    services,
    (uploadId) => datasetUploadKey(actor, uploadId),
    'text/csv',
    services.maxDatasetBytes,
  );
}
