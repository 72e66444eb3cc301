import { createInvestigation } from '../../../core/use-cases/investigations.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';

export const handler = route(contracts.createInvestigation, async ({ services, actor, body }) =>
  json(201, await createInvestigation(services, actor, body)),
);
