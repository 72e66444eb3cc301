import { getNotebookContent } from '../../../core/use-cases/read-notebooks.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(contracts.getNotebookContent, async ({ services, actor, params }) =>
  json(200, await getNotebookContent(services, actor, params.notebookId), {
    'content-disposition': `inline; filename="${params.notebookId}.ipynb"`,
  }),
);
