import { getNotebookContent } from '../../../core/use-cases/read-notebooks.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(contracts.getNotebookContent, async ({ services, actor, params }) => {
  const content = await getNotebookContent(services, actor, params.notebookId);
  // Above the inline limit the answer is where to fetch the .ipynb, not the file itself.
  if ('contentUrl' in content) return json(200, content);
  return json(200, content, { 'content-disposition': `inline; filename="${params.notebookId}.ipynb"` });
});
