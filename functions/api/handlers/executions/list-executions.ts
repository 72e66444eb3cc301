import { listExecutions } from '../../../core/use-cases/run-history.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.listExecutions, async ({ services, actor, params, query }) =>
  json(200, await listExecutions(services, actor, params.notebookId, query)),
);
