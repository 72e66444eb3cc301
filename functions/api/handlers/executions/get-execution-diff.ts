import { diffExecutions } from '../../../core/use-cases/run-diff.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.getExecutionDiff, async ({ services, actor, params, query }) =>
  json(200, await diffExecutions(services, actor, params, query.against)),
);
