import { getDataset } from '../../../core/use-cases/datasets.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/dataset-contracts.ts';

export const handler = route(contracts.getDataset, async ({ services, actor, params }) =>
  json(200, await getDataset(services, actor, params.datasetId)),
);
