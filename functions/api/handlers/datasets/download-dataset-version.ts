import { datasetDownload } from '../../../core/use-cases/datasets.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/dataset-contracts.ts';

export const handler = route(contracts.downloadDatasetVersion, async ({ services, actor, params, query }) => {
  const download = await datasetDownload(services, actor, params.datasetId, params.version);
  if (query.redirect === 'false') return json(200, download);
  return { statusCode: 302, headers: { location: download.downloadUrl, 'cache-control': 'no-store' } };
});
