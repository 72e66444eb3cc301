import { deleteNotebook } from '../../../core/use-cases/delete-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(contracts.deleteNotebook, async ({ services, actor, params }) =>
  json(200, await deleteNotebook(services, actor, params.notebookId)),
);
