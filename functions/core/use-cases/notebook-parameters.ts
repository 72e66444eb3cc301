import type { DeclaredParameter } from '../parameter-inspection/declared-parameter.ts';
import { inspectNotebook, notebookStrictParameters } from '../parameter-inspection/inspectors.ts';
import type { Actor, Services } from '../ports.ts';
import { requireNotebook } from './common.ts';

/** What a notebook's parameters cell declares (`GET .../notebook/{id}/parameters`). */
export interface NotebookParametersView {
  notebookId: string;
  kernelType: string;
  /** The kernel language whose parser read the cell; null when there is none for the kernel. */
  language: string | null;
  parametersCellId: string | null;
  /** The notebook's own setting (metadata `cellwise.strictParameters`). */
  strictParameters: boolean;
  parameters: DeclaredParameter[];
}

/**
 * The parameters the notebook's current content declares, as papermill's `inspect_notebook`
 * lists them: its first cell tagged `parameters` read by its kernel language's parser.
 */
export async function getNotebookParameters(
  services: Services,
  actor: Actor,
  notebookId: string,
): Promise<NotebookParametersView> {
  const record = await requireNotebook(services, actor, notebookId);
  const document = await services.contents.get(record.contentKey);
  return {
    notebookId,
    kernelType: record.kernelType,
    ...inspectNotebook(document, record.kernelType),
    strictParameters: notebookStrictParameters(document),
  };
}
