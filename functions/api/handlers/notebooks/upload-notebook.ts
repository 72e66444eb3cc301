import { UnsupportedMediaTypeError, ValidationError } from '../../../core/errors.ts';
import { decodeUtf8 } from '../../../core/json-limits.ts';
import type { Actor, Services } from '../../../core/ports.ts';
import { uploadStagedNotebook } from '../../../core/use-cases/notebook-uploads.ts';
import { uploadNotebook } from '../../../core/use-cases/upload-notebook.ts';
import { bodyBytes, header, jsonBody } from '../../../http/body.ts';
import { parseMultipart } from '../../../http/multipart.ts';
import { json } from '../../../http/responses.ts';
import { type HttpEvent, route } from '../../../http/route.ts';
import * as contracts from '../../contracts/notebook-contracts.ts';
import { stagedUploadBody } from '../../schemas/notebook-uploads.ts';
import { uploadFields } from '../../schemas/notebooks.ts';

const MULTIPART_OVERHEAD = 256 * 1024;
const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

function invalid(what: string, where: string, issues: { path: PropertyKey[]; message: string }[]): never {
  const details = issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ValidationError(
    `Invalid ${what}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

/** Route 7's multipart form: the `file` part and the form fields. */
async function fromForm(services: Services, actor: Actor, event: HttpEvent) {
  const max = services.maxUploadBytes;
  const form = await parseMultipart(
    header(event, 'content-type'),
    bodyBytes(event, max + MULTIPART_OVERHEAD),
    max,
  );
  const file = form.files.find((f) => f.fieldName === 'file');
  if (!file)
    throw new ValidationError('The form has no `file` part', [{ path: 'file', message: 'Required' }]);
  const parsed = uploadFields.safeParse(form.fields);
  if (!parsed.success) invalid('form fields', 'form', parsed.error.issues);
  const fields = parsed.data;
  return uploadNotebook(services, actor, {
    fileName: file.fileName,
    // A notebook is JSON, and JSON is UTF-8: invalid bytes are a 400, not U+FFFD in the cells.
    fileText: decodeUtf8(file.data, 'file'),
    notebookName: fields.notebookName ?? fields.name,
    notebookDescription: fields.notebookDescription ?? fields.description ?? undefined,
    enrichmentMode: fields.enrichmentMode,
    datasetBinding: fields.datasetBinding || null,
    investigationId: fields.investigationId || null,
  });
}

/** A JSON body finishes a presigned upload; one without `uploadId` (the .ipynb itself, say) stays a 415. */
async function fromStaged(services: Services, actor: Actor, event: HttpEvent) {
  const raw = jsonBody(event, services.maxUploadBytes);
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && !('uploadId' in raw))
    throw new UnsupportedMediaTypeError(
      'Expected multipart/form-data (the .ipynb file), or JSON {uploadId, notebookName, …} after a presigned upload (POST .../notebook/uploads)',
    );
  const parsed = stagedUploadBody.safeParse(raw);
  if (!parsed.success) invalid('body', 'body', parsed.error.issues);
  const { notebookName, name, notebookDescription, description, ...rest } = parsed.data;
  return uploadStagedNotebook(services, actor, {
    ...rest,
    notebookName: notebookName ?? name,
    notebookDescription: notebookDescription ?? description ?? undefined,
  });
}

export const handler = route(contracts.uploadNotebook, async ({ services, actor, event }) => {
  const type = header(event, 'content-type')?.trim() ?? '';
  const result = JSON_TYPE.test(type)
    ? await fromStaged(services, actor, event)
    : await fromForm(services, actor, event);
  return json(201, result);
});
