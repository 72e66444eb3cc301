import { z } from 'zod';
import { guid, resourceName } from './common.ts';
import { datasetUpload } from './datasets.ts';

/** `POST .../notebook/uploads`: where to PUT the .ipynb. */
export const notebookUpload = datasetUpload.meta({ id: 'NotebookUpload' });

/**
 * `POST .../notebook/upload` with a JSON body: a presigned upload and the multipart form's
 * fields (as JSON values). The notebook needs a name (`notebookName` or `name`).
 */
export const stagedUploadBody = z
  .strictObject({
    uploadId: guid.meta({ description: 'From POST .../notebook/uploads, after the .ipynb was PUT there' }),
    notebookName: resourceName.optional(),
    name: resourceName.optional(),
    notebookDescription: z.string().max(4000).nullable().optional(),
    description: z.string().max(4000).nullable().optional(),
    enrichmentMode: z.boolean().optional(),
    datasetBinding: guid.nullable().optional(),
    investigationId: guid.nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.notebookName === undefined && body.name === undefined)
      ctx.addIssue({ code: 'custom', path: ['notebookName'], message: 'Required (or name)' });
  })
  .meta({
    id: 'StagedNotebookUpload',
    description:
      'Finishes a presigned upload: the staged .ipynb is checked and stored like a multipart file. Needs notebookName or name.',
    anyOf: [{ required: ['notebookName'] }, { required: ['name'] }],
  });

/** The content routes' answer for a notebook too large to inline: where to fetch the .ipynb. */
export const contentLink = z
  .object({
    contentUrl: z
      .string()
      .meta({ description: 'A presigned GET URL of the stored .ipynb (no token needed)' }),
    expiresAt: z.string(),
    bytes: z.number().int().meta({ description: 'Size of the .ipynb the URL answers' }),
  })
  .meta({ id: 'NotebookContentLink' });

/** What route 3 and the version route add for a notebook whose content is not inlined. */
export const contentLinkFields = {
  contentUrl: z
    .string()
    .optional()
    .meta({ description: 'Only for a notebook larger than the inline limit: its full .ipynb' }),
  contentUrlExpiresAt: z.string().optional(),
  contentBytes: z.number().int().optional(),
};
