import { DuplicateNameError } from '../errors.ts';
import type { Actor, Services } from '../ports.ts';
import { requireNotebook } from './common.ts';
import { createNotebook } from './create-notebook.ts';

export interface CopyNotebookInput {
  name?: string | null;
  destinationInvestigationId?: string | null;
}

const MAX_DEFAULT_NAMES = 20;

/**
 * Copies content and settings (not execution history) into the same or another
 * investigation. With no name, the copy is "Copy of <name>", numbered when that is taken.
 */
export async function copyNotebook(
  services: Services,
  actor: Actor,
  notebookId: string,
  input: CopyNotebookInput,
) {
  const source = await requireNotebook(services, actor, notebookId);
  const document = await services.contents.get(source.contentKey);
  const base = {
    description: source.description,
    kernelType: source.kernelType,
    investigationId: input.destinationInvestigationId ?? source.investigationId,
    notebookType: source.notebookType,
    integration: source.integration,
    environment: source.environment,
    document,
  };
  if (input.name) {
    try {
      return await createNotebook(services, actor, { ...base, name: input.name });
    } catch (error) {
      if (error instanceof DuplicateNameError) throw new DuplicateNameError(input.name, 'copy');
      throw error;
    }
  }
  for (let n = 1; ; n++) {
    const name = n === 1 ? `Copy of ${source.name}` : `Copy of ${source.name} (${n})`;
    try {
      return await createNotebook(services, actor, { ...base, name });
    } catch (error) {
      if (!(error instanceof DuplicateNameError) || n >= MAX_DEFAULT_NAMES) throw error;
    }
  }
}
