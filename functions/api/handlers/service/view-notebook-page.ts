import { requireViewerNotebook } from '../../../core/use-cases/read-notebooks.ts';
import { raw } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';
import { renderNotebookPage } from '../../pages/notebook-page.ts';
import { pageHeaders } from '../../pages/page-headers.ts';

/** The page of a notebook that exists in the URL's project and investigation; else a 404. */
export const handler = route(contracts.viewNotebookPage, async ({ params, services }) => {
  await requireViewerNotebook(services, params);
  return raw(
    200,
    renderNotebookPage(params),
    'text/html; charset=utf-8',
    pageHeaders(await services.files.downloadOrigin()),
  );
});
