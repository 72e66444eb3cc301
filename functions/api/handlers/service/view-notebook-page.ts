import { raw } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';
import { renderNotebookPage } from '../../pages/notebook-page.ts';
import { PAGE_HEADERS } from '../../pages/page-headers.ts';

export const handler = route(contracts.viewNotebookPage, async ({ params }) =>
  raw(200, renderNotebookPage(params), 'text/html; charset=utf-8', PAGE_HEADERS),
);
