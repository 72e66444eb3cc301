import { listEnvironments } from '../../../core/use-cases/environments.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/environment-contracts.ts';

export const handler = route(contracts.listEnvironments, async ({ services }) =>
  json(200, { environments: await listEnvironments(services) }),
);
