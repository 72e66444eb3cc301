import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';
import { buildOpenApi } from '../../openapi/build-openapi.ts';

let document: object | undefined;

export const handler = route(contracts.getOpenApi, async () => {
  document ??= buildOpenApi();
  return json(200, document, { 'cache-control': 'public, max-age=300' });
});
