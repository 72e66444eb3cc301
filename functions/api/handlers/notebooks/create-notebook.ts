import { createNotebook } from '../../../core/use-cases/create-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';
import { integrationFrom } from '../../integration-input.ts';

export const handler = route(contracts.createNotebook, async ({ services, actor, body }) => {
  const notebook = await createNotebook(services, actor, {
    name: (body.notebookName ?? body.name)!,
    description: body.notebookDescription ?? body.description ?? null,
    kernelType: body.kernelType,
    template: body.templateId ?? body.template ?? null,
    investigationId: body.investigationId ?? null,
    notebookType: body.notebookType,
    integration: integrationFrom(body.integration),
    environment: body.environment,
    cells: body.initialCells,
  });
  return json(201, notebook);
});
