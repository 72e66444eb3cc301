import { updateNotebook } from '../../../core/use-cases/update-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';
import { integrationFrom } from '../../integration-input.ts';

export const handler = route(contracts.updateNotebook, async ({ services, actor, params, body }) => {
  const notebook = await updateNotebook(services, actor, params.notebookId, {
    name: (body.name ?? body.notebookName)!,
    // Both seed clients send `description: null` when the caller gave none: null keeps the
    // stored text (no silent data loss); an empty string clears it.
    description: body.description ?? body.notebookDescription ?? undefined,
    notebookOrder: body.notebookOrder,
    kernelType: body.kernelType,
    integration: integrationFrom(body.integration),
    environment: body.environment,
    cells: body.cells,
    dateModified: body.dateModified,
  });
  return json(200, notebook);
});
