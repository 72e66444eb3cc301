import { ValidationError } from '../../../core/errors.ts';
import { addDatasetVersion, createDataset } from '../../../core/use-cases/create-dataset.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/dataset-contracts.ts';
import { datasetInput } from '../../dataset-input.ts';

export const handler = route(contracts.createDataset, async ({ services, actor, event }) => {
  const { datasetId, name, ...input } = await datasetInput(event, services);
  if (datasetId) return json(201, await addDatasetVersion(services, actor, datasetId, input));
  if (!name) throw new ValidationError('A new dataset needs a name', [{ path: 'name', message: 'Required' }]);
  return json(201, await createDataset(services, actor, { ...input, name }));
});
