import { TEMPLATES, toTemplateSummary } from '../../../core/templates.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(contracts.listTemplates, async () =>
  json(200, TEMPLATES.map(toTemplateSummary)),
);
