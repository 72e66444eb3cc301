import { copyNotebook } from '../../../core/use-cases/copy-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(contracts.copyNotebook, async ({ services, actor, params, body }) =>
  json(201, await copyNotebook(services, actor, params.notebookId, body)),
);
