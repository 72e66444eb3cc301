import { getExecutionResults } from '../../../core/use-cases/execution-results.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.getExecutionResults, async ({ services, actor, params, query }) =>
  json(200, await getExecutionResults(services, actor, params.notebookId, params.executionId, query)),
);
