import { newId } from '../ids.ts';
import type { Services } from '../ports.ts';

/** How long a presigned upload URL is valid. */
export const UPLOAD_URL_SECONDS = 3600;

/**
 * A staged upload slot: a new upload id, and a presigned PUT to the key `keyOf(uploadId)` for
 * a body of `contentType`, valid UPLOAD_URL_SECONDS. What the create-upload routes answer
 * (datasets and notebooks); the route that takes the `uploadId` reads it back and checks it.
 */
export async function presignedUpload(
  services: Services,
  keyOf: (uploadId: string) => string,
  contentType: string,
  maxBytes: number,
) {
  const now = services.now().getTime();
  const uploadId = newId(now);
  const uploadUrl = await services.files.uploadUrl(keyOf(uploadId), {
    contentType,
    expiresSeconds: UPLOAD_URL_SECONDS,
  });
  return {
    uploadId,
    uploadUrl,
    method: 'PUT' as const,
    headers: { 'content-type': contentType },
    expiresAt: new Date(now + UPLOAD_URL_SECONDS * 1000).toISOString(),
    maxBytes,
  };
}
