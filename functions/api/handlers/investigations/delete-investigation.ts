import { deleteInvestigation } from '../../../core/use-cases/investigations.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';

export const handler = route(contracts.deleteInvestigation, async ({ services, actor, params }) =>
  json(200, await deleteInvestigation(services, actor, params.investigationId)),
);
