import { listNotebooks } from '../../../core/use-cases/read-notebooks.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(contracts.listNotebooks, async ({ services, actor, query }) => {
  const { status, kernelType, enrichmentMode, page, pageSize } = query;
  return json(
    200,
    await listNotebooks(services, actor, { status, kernelType, enrichmentMode }, page, pageSize),
  );
});
