import { ValidationError } from '../../../core/errors.ts';
import { addDatasetVersion } from '../../../core/use-cases/create-dataset.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/dataset-contracts.ts';
import { datasetInput } from '../../dataset-input.ts';

export const handler = route(contracts.addDatasetVersion, async ({ services, actor, params, event }) => {
  const { datasetId, name: _name, ...input } = await datasetInput(event, services);
  if (datasetId && datasetId !== params.datasetId)
    throw new ValidationError(
      'The body names another dataset than the path',
      [{ path: 'datasetId', message: 'must match the path or be omitted' }],
      'DatasetMismatch',
    );
  return json(201, await addDatasetVersion(services, actor, params.datasetId, input));
});
