import { deleteDataset } from '../../../core/use-cases/datasets.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/dataset-contracts.ts';

export const handler = route(contracts.deleteDataset, async ({ services, actor, params }) => {
  await deleteDataset(services, actor, params.datasetId);
  return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
