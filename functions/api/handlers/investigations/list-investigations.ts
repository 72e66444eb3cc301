import { listInvestigations } from '../../../core/use-cases/investigations.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';

export const handler = route(contracts.listInvestigations, async ({ services, actor }) =>
  json(200, await listInvestigations(services, actor)),
);
