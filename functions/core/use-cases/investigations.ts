import { StateConflictError } from '../errors.ts';
import { newId } from '../ids.ts';
import { toInvestigationResource } from '../investigation.ts';
import type { Actor, Services } from '../ports.ts';
import { requireInvestigation } from './common.ts';

export async function createInvestigation(
  services: Services,
  actor: Actor,
  input: { name: string; description?: string | null },
) {
  const record = {
    tenantId: actor.tenantId,
    projectId: actor.projectId,
    investigationId: newId(),
    name: input.name,
    description: input.description ?? null,
    isDefault: false,
    dateCreated: services.now().toISOString(),
    createdBy: actor.principalId,
  };
  await services.investigations.create(record);
  return toInvestigationResource(record);
}

export async function listInvestigations(services: Services, actor: Actor) {
  return (await services.investigations.list(actor)).map(toInvestigationResource);
}

export async function getInvestigation(services: Services, actor: Actor, investigationId: string) {
  const record = await requireInvestigation(services, actor, investigationId);
  const notebooks = await services.notebooks.listByInvestigation(actor, investigationId);
  return { ...toInvestigationResource(record), notebookCount: notebooks.length };
}

/** Deletes an empty investigation; one that still holds notebooks is a 409. */
export async function deleteInvestigation(services: Services, actor: Actor, investigationId: string) {
  await requireInvestigation(services, actor, investigationId);
  const notebooks = await services.notebooks.listByInvestigation(actor, investigationId);
  if (notebooks.length > 0) {
    throw new StateConflictError('InvestigationNotEmpty', 'Delete or move its notebooks first', {
      InvestigationId: investigationId,
      NotebookCount: notebooks.length,
    });
  }
  await services.investigations.delete(actor, investigationId);
  return { Message: 'Investigation successfully deleted', InvestigationId: investigationId };
}
