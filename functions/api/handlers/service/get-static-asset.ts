import { raw } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';
import { ASSETS, loadAssets } from '../../pages/static-assets.ts';

export const handler = route(contracts.getStaticAsset, async ({ params }) => {
  const assets = await loadAssets();
  return raw(200, assets[params.asset], ASSETS[params.asset], { 'cache-control': 'public, max-age=300' });
});
