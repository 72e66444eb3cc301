import { createDatasetUpload } from '../../../core/use-cases/dataset-uploads.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/dataset-contracts.ts';

export const handler = route(contracts.createDatasetUpload, async ({ services, actor }) =>
  json(201, await createDatasetUpload(services, actor)),
);
