import { NotFoundError } from '../errors.ts';
import type { NbDocument } from '../nbformat/types.ts';
import { type NotebookResource, toNotebookResource, toNotebookSummary } from '../notebook.ts';
import { signLink } from '../notebook-link.ts';
import type { Actor, NotebookFilters, Services } from '../ports.ts';
import { requireInvestigation, requireNotebook } from './common.ts';
import { type ContentLink, inlineOrLink, withContentLink } from './content-links.ts';

/**
 * The full notebook with the cells of its current content (routes 3). A notebook larger than
 * the inline limit also carries a presigned `contentUrl` of its .ipynb (see `withContentLink`).
 */
export async function getNotebook(
  services: Services,
  actor: Actor,
  notebookId: string,
): Promise<NotebookResource> {
  const record = await requireNotebook(services, actor, notebookId);
  const read = await inlineOrLink(services, record.contentKey, `${record.name}.ipynb`);
  if (read.document) return toNotebookResource(record, read.document, services.now());
  // Too large to inline: the cells (without outputs) still answer, next to the link.
  const resource = toNotebookResource(record, await services.contents.get(record.contentKey), services.now());
  return withContentLink(resource, read.link, services.maxInlineContentBytes);
}

/**
 * The stored nbformat v4 document, as a user would open it in Jupyter; above the inline
 * limit, where to fetch it instead (`{contentUrl, expiresAt, bytes}`).
 */
export async function getNotebookContent(
  services: Services,
  actor: Actor,
  notebookId: string,
): Promise<NbDocument | ContentLink> {
  const record = await requireNotebook(services, actor, notebookId);
  const read = await inlineOrLink(services, record.contentKey, `${record.name}.ipynb`);
  return read.document ?? read.link;
}

/** One page of the project's notebooks (route 1), newest first. */
export async function listNotebooks(
  services: Services,
  actor: Actor,
  filters: NotebookFilters,
  page: number,
  pageSize: number,
) {
  const { items, totalCount } = await services.notebooks.listListings(actor, filters, page, pageSize);
  return {
    notebooks: items.map(toNotebookSummary),
    totalCount,
    page,
    pageSize,
    hasNextPage: page * pageSize < totalCount,
  };
}

/** Every notebook of an investigation ordered by `notebookOrder` (route 2). */
export async function listInvestigationNotebooks(services: Services, actor: Actor, investigationId: string) {
  await requireInvestigation(services, actor, investigationId);
  const records = await services.notebooks.listByInvestigation(actor, investigationId);
  return records.map(toNotebookSummary);
}

/**
 * The notebook behind a viewer page URL (route 11's link, served without a token): it must exist
 * in that project and in that investigation, else the page is a 404, as for another tenant's notebook.
 */
export async function requireViewerNotebook(
  services: Services,
  ids: { tenantId: string; projectId: string; investigationId: string; notebookId: string },
): Promise<void> {
  const { tenantId, projectId, investigationId, notebookId } = ids;
  const record = await services.notebooks.get({ tenantId, projectId }, notebookId);
  if (!record || record.investigationId !== investigationId) {
    throw new NotFoundError('Notebook', { NotebookId: notebookId, InvestigationId: investigationId });
  }
}

/** A link that opens the notebook's read-only page (route 11). */
export async function getNotebookUrl(
  services: Services,
  actor: Actor,
  notebookId: string,
  expiresInSeconds?: number,
) {
  const record = await requireNotebook(services, actor, notebookId);
  const relativePath = `/investigation/${actor.tenantId}/${actor.projectId}/${record.investigationId}/notebook/${notebookId}`;
  const url = `${services.publicBaseUrl.replace(/\/$/, '')}${relativePath}`;
  if (expiresInSeconds === undefined) return { notebookId, url, relativePath, expiresAt: null };
  // A signed link: read-only access to this notebook until then; in the fragment, so it never reaches a server log.
  const expiresAt = Math.floor(services.now().getTime() / 1000) + expiresInSeconds;
  const { tenantId, projectId } = actor;
  const token = signLink(await services.linkSigningKey(), { tenantId, projectId, notebookId, expiresAt });
  return {
    notebookId,
    url: `${url}#access=${token}`,
    relativePath,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
  };
}

/** The content history, newest first. */
export async function listVersions(services: Services, actor: Actor, notebookId: string) {
  const record = await requireNotebook(services, actor, notebookId);
  const versions = await services.notebooks.listVersions(actor, notebookId);
  return {
    notebookId,
    currentVersion: record.notebookVersion,
    versions: versions.map(({ contentKey: _key, ...entry }) => entry),
  };
}

/** One past version with its full nbformat document. */
export async function getVersion(services: Services, actor: Actor, notebookId: string, version: string) {
  await requireNotebook(services, actor, notebookId);
  const entry = await services.notebooks.getVersion(actor, notebookId, version);
  if (!entry) throw new NotFoundError('Version', { NotebookId: notebookId, Version: version });
  const { contentKey, ...rest } = entry;
  const read = await inlineOrLink(services, contentKey, `${notebookId}-${version}.ipynb`);
  if (read.document) return { ...rest, content: read.document };
  return {
    ...rest,
    contentUrl: read.link.contentUrl,
    contentUrlExpiresAt: read.link.expiresAt,
    contentBytes: read.link.bytes,
  };
}
