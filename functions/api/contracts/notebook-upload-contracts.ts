import type { RouteContract } from '../../http/contract.ts';
import { projectParams } from '../schemas/common.ts';
import { notebookUpload } from '../schemas/notebook-uploads.ts';
import { scopedErrors } from './shared.ts';

/** `POST .../notebook/uploads`: the first step of a large notebook's upload (see `uploadNotebook`). */
export const createNotebookUpload = {
  id: 'createNotebookUpload',
  summary:
    'A presigned URL to PUT a large .ipynb to, then POST `{uploadId, notebookName, …}` as JSON to .../notebook/upload',
  tags: ['Notebooks'],
  auth: true,
  params: projectParams,
  responses: { 201: { description: 'Where to PUT the file', schema: notebookUpload }, ...scopedErrors() },
} satisfies RouteContract;
