import { cancelExecution } from '../../../core/use-cases/cancel-run.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.cancelExecution, async ({ services, actor, params }) =>
  json(202, await cancelExecution(services, actor, params.notebookId, params.executionId)),
);
