import { createNotebook } from '../../../core/use-cases/create-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(
  contracts.createInvestigationNotebook,
  async ({ services, actor, params, body }) => {
    const notebook = await createNotebook(services, actor, {
      name: (body.name ?? body.notebookName)!,
      description: body.description ?? body.notebookDescription ?? null,
      kernelType: body.kernelType,
      investigationId: params.investigationId,
      notebookType: body.notebookType,
    });
    return json(201, notebook);
  },
);
