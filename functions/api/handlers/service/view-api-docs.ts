import { raw } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';
import { renderDocsPage } from '../../pages/docs-page.ts';
import { pageHeaders } from '../../pages/page-headers.ts';

export const handler = route(contracts.viewApiDocs, async () =>
  raw(200, renderDocsPage(), 'text/html; charset=utf-8', pageHeaders()),
);
