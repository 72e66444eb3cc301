import { readLiveOutputs } from '../../../core/use-cases/live-outputs.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/execution-contracts.ts';

export const handler = route(contracts.getExecutionOutputs, async ({ services, actor, params, query }) =>
  json(
    200,
    await readLiveOutputs(services, actor, params, {
      after: query.after ?? null,
      waitSeconds: query.waitSeconds,
    }),
  ),
);
