import { NotFoundError, ValidationError } from '../errors.ts';
import type { InvestigationRecord } from '../investigation.ts';
import type { KernelType, NotebookRecord } from '../notebook.ts';
import type { Actor, Services } from '../ports.ts';

/** The notebook, or NotFoundError (also for notebooks of other tenants/projects: their keys differ). */
export async function requireNotebook(
  services: Services,
  actor: Actor,
  notebookId: string,
): Promise<NotebookRecord> {
  const record = await services.notebooks.get(actor, notebookId);
  if (!record) throw new NotFoundError('Notebook', { NotebookId: notebookId });
  return record;
}

export async function requireInvestigation(
  services: Services,
  actor: Actor,
  investigationId: string,
): Promise<InvestigationRecord> {
  const record = await services.investigations.get(actor, investigationId);
  if (!record) throw new NotFoundError('Investigation', { InvestigationId: investigationId });
  return record;
}

/** Only kernels this deployment can really run are accepted. */
export function requireKernel(services: Services, kernelType: string, path = 'kernelType'): KernelType {
  if (!services.kernels.includes(kernelType as KernelType)) {
    throw new ValidationError(
      `Kernel '${kernelType}' is not available in this deployment. Available: ${services.kernels.join(', ')}`,
      [{ path, message: `must be one of: ${services.kernels.join(', ')}` }],
      'KernelNotAvailable',
    );
  }
  return kernelType as KernelType;
}

/**
 * The next `dateModified`: now, in ms, but always strictly after the previous value, so two
 * writes in the same millisecond still produce different optimistic-lock tokens.
 */
export function nextTimestamp(services: Services, previous?: string): string {
  const now = services.now().getTime();
  const after = previous ? Date.parse(previous) + 1 : 0;
  return new Date(Math.max(now, after)).toISOString();
}
