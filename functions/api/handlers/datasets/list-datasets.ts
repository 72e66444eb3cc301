import { listDatasets } from '../../../core/use-cases/datasets.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/dataset-contracts.ts';

export const handler = route(contracts.listDatasets, async ({ services, actor, query }) =>
  json(200, await listDatasets(services, actor, query)),
);
