import { raw } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/other-contracts.ts';
import { renderNotebookPage } from '../../pages/notebook-page.ts';

export const handler = route(contracts.viewNotebookPage, async ({ params }) =>
  raw(200, renderNotebookPage(params), 'text/html; charset=utf-8', {
    'content-security-policy':
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'",
    'referrer-policy': 'no-referrer',
  }),
);
