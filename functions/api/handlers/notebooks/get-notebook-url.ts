import { getNotebookUrl } from '../../../core/use-cases/read-notebooks.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(contracts.getNotebookUrl, async ({ services, actor, params, query }) =>
  json(200, await getNotebookUrl(services, actor, params.notebookId, query.expiresIn)),
);
