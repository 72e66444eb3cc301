import { getNotebookParameters } from '../../../core/use-cases/notebook-parameters.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/parameter-contracts.ts';

export const handler = route(contracts.getNotebookParameters, async ({ services, actor, params }) =>
  json(200, await getNotebookParameters(services, actor, params.notebookId)),
);
