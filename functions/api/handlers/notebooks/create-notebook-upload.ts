import { createNotebookUpload } from '../../../core/use-cases/notebook-uploads.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-upload-contracts.ts';

export const handler = route(contracts.createNotebookUpload, async ({ services, actor }) =>
  json(201, await createNotebookUpload(services, actor)),
);
