import type { NbDocument } from '../nbformat/types.ts';
import type { NotebookResource } from '../notebook.ts';
import type { Services } from '../ports.ts';

const LINK_SECONDS = 3600;

/** Where to fetch a stored .ipynb too large for an inline answer (`contentUrl`, valid 1 h). */
export interface ContentLink {
  contentUrl: string;
  expiresAt: string;
  bytes: number;
}

/** A stored document small enough to answer inline, or the link to fetch it by. */
export type InlineOrLink =
  | { document: NbDocument; link?: undefined }
  | { document?: undefined; link: ContentLink };

/**
 * The stored document at `contentKey` when it fits `maxInlineContentBytes` (one read), else a
 * presigned link to it (valid 1 h): small notebooks answer inline as always.
 */
export async function inlineOrLink(
  services: Services,
  contentKey: string,
  fileName: string,
): Promise<InlineOrLink> {
  const read = await services.contents.readInline(contentKey, services.maxInlineContentBytes);
  if (read.document) return { document: read.document };
  const contentUrl = await services.files.downloadUrl(contentKey, {
    fileName,
    contentType: 'application/x-ipynb+json',
    expiresSeconds: LINK_SECONDS,
  });
  const expiresAt = new Date(services.now().getTime() + LINK_SECONDS * 1000).toISOString();
  return { link: { contentUrl, expiresAt, bytes: read.bytes } };
}

/** A cell of route 3 whose source was left out of an answer that would not fit inline. */
export type ElidedCell = NotebookResource['cells'][number] & { sourceElided?: true };

/**
 * Route 3 for a large notebook: the resource with the content link; when even the cells'
 * sources (route 3 never carries outputs) would not fit inline, every source is elided
 * (`source: ''`, `sourceElided: true`) and the link is the way to the full document.
 */
export function withContentLink(resource: NotebookResource, link: ContentLink, max: number) {
  const linked = {
    ...resource,
    contentUrl: link.contentUrl,
    contentUrlExpiresAt: link.expiresAt,
    contentBytes: link.bytes,
  };
  if (Buffer.byteLength(JSON.stringify(linked), 'utf8') <= max) return linked;
  const cells: ElidedCell[] = resource.cells.map((c) => ({ ...c, source: '', sourceElided: true }));
  return { ...linked, cells };
}
