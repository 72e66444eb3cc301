import { NotFoundError } from '../../../core/errors.ts';
import { findTemplate } from '../../../core/templates.ts';
import { createNotebook } from '../../../core/use-cases/create-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';

export const handler = route(
  contracts.createNotebookFromTemplate,
  async ({ services, actor, params, body }) => {
    const template = findTemplate(body.templateId);
    if (!template) throw new NotFoundError('Template', { TemplateId: body.templateId });
    const notebook = await createNotebook(services, actor, {
      name: body.name ?? body.notebookName ?? template.name,
      description: body.description ?? body.notebookDescription ?? template.description,
      template: template.templateId,
      investigationId: params.investigationId,
    });
    return json(201, notebook);
  },
);
