import { ValidationError } from '../errors.ts';
import { kernelTypeOf, newDocument } from '../nbformat/document.ts';
import { parseNotebook } from '../nbformat/validate-notebook.ts';
import type { Actor, Services } from '../ports.ts';
import { createNotebook } from './create-notebook.ts';

export interface UploadNotebookInput {
  fileName: string;
  fileText: string;
  notebookName?: string;
  notebookDescription?: string;
  enrichmentMode?: boolean;
  datasetBinding?: string | null;
  investigationId?: string | null;
  /** Where a refused dataset binding is named in the request (default `form.datasetBinding`). */
  datasetBindingPath?: string;
}

/**
 * Parses an uploaded .ipynb against the official nbformat v4 schema and stores it as a new
 * notebook. The kernel comes from the file's kernelspec and must be one this deployment runs.
 */
export async function uploadNotebook(services: Services, actor: Actor, input: UploadNotebookInput) {
  const { document, parseResult } = parseNotebook(input.fileText);
  const declared = kernelTypeOf(document);
  const spec = document.metadata.kernelspec as { name?: string } | undefined;
  if (spec?.name && !declared) {
    throw new ValidationError(
      `The notebook's kernel '${spec.name}' is not one this service can run`,
      [{ path: 'file.metadata.kernelspec.name', message: `available: ${services.kernels.join(', ')}` }],
      'KernelNotAvailable',
    );
  }
  const kernelType = declared ?? 'python3';
  if (!spec?.name) {
    // No kernelspec: record the kernel the notebook will run on, as Jupyter would on save.
    document.metadata = { ...newDocument(kernelType, []).metadata, ...document.metadata };
  }
  const name = input.notebookName?.trim() || input.fileName.replace(/\.ipynb$/i, '').trim();
  if (!name)
    throw new ValidationError('notebookName is required', [{ path: 'notebookName', message: 'Required' }]);
  const notebook = await createNotebook(services, actor, {
    name,
    description: input.notebookDescription ?? null,
    kernelType,
    kernelTypePath: spec?.name ? 'file.metadata.kernelspec.name' : 'kernelType',
    datasetBindingPath: input.datasetBindingPath ?? 'form.datasetBinding',
    investigationId: input.investigationId ?? null,
    integration: {
      enrichmentMode: input.enrichmentMode ?? false,
      datasetBinding: input.datasetBinding || null,
    },
    document,
  });
  return { ...notebook, parseResult };
}
