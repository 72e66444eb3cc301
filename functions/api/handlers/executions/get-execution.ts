import { getExecution } from '../../../core/use-cases/run-history.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.getExecution, async ({ services, actor, params }) =>
  json(200, await getExecution(services, actor, params.notebookId, params.executionId)),
);
