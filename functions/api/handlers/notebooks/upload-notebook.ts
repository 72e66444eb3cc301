import { ValidationError } from '../../../core/errors.ts';
import { decodeUtf8 } from '../../../core/json-limits.ts';
import { uploadNotebook } from '../../../core/use-cases/upload-notebook.ts';
import { json } from '../../../http/responses.ts';
import { route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';
import { uploadFields } from '../../schemas/notebooks.ts';

export const handler = route(contracts.uploadNotebook, async ({ services, actor, body }) => {
  const file = body.files.find((f) => f.fieldName === 'file');
  if (!file)
    throw new ValidationError('The form has no `file` part', [{ path: 'file', message: 'Required' }]);
  const parsed = uploadFields.safeParse(body.fields);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: `form.${i.path.join('.')}`,
      message: i.message,
    }));
    throw new ValidationError(
      `Invalid form fields: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  const fields = parsed.data;
  const result = await uploadNotebook(services, actor, {
    fileName: file.fileName,
    // A notebook is JSON, and JSON is UTF-8: invalid bytes are a 400, not U+FFFD in the cells.
    fileText: decodeUtf8(file.data, 'file'),
    notebookName: fields.notebookName ?? fields.name,
    notebookDescription: fields.notebookDescription ?? fields.description ?? undefined,
    enrichmentMode: fields.enrichmentMode,
    datasetBinding: fields.datasetBinding || null,
    investigationId: fields.investigationId || null,
  });
  return json(201, result);
});
