import { UnsupportedMediaTypeError, ValidationError } from '../core/errors.ts';
import type { Services } from '../core/ports.ts';
import type { DatasetInput } from '../core/use-cases/create-dataset.ts';
import { bodyBytes, header, jsonBody } from '../http/body.ts';
import { parseMultipart } from '../http/multipart.ts';
import type { HttpEvent } from '../http/route.ts';
import { datasetFormFields, datasetJsonBody } from './schemas/datasets.ts';

const MULTIPART_OVERHEAD = 256 * 1024;
const SLICE = 1 << 20;

function invalid(where: string, issues: { path: PropertyKey[]; message: string }[]): never {
  const details = issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ValidationError(
    `Invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

/** The file's bytes in 1 MiB slices (views, not copies): parsed incrementally, never one string. */
async function* slices(data: Buffer): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += SLICE) yield data.subarray(i, i + SLICE);
}

/**
 * Reads a dataset upload, multipart (`file` + form fields) or JSON (`rows` or `uploadId`),
 * with the dataset size limit (413 above). Returns the log's source, column roles, name and
 * the `datasetId` a new version is for.
 */
export async function datasetInput(
  event: HttpEvent,
  services: Services,
): Promise<DatasetInput & { name?: string; datasetId?: string }> {
  const type = header(event, 'content-type') ?? '';
  const max = services.maxDatasetBytes;
  if (/^multipart\/form-data\b/i.test(type)) {
    const form = await parseMultipart(type, bodyBytes(event, max + MULTIPART_OVERHEAD), max);
    const file = form.files.find((f) => f.fieldName === 'file');
    if (!file)
      throw new ValidationError('The form has no `file` part', [{ path: 'form.file', message: 'Required' }]);
    const fields = datasetFormFields.safeParse(form.fields);
    if (!fields.success) invalid('form', fields.error.issues);
    const { name, datasetId, ...roles } = fields.data;
    return { source: { kind: 'file', chunks: slices(file.data) }, roles, name, datasetId };
  }
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim()))
    throw new UnsupportedMediaTypeError(
      `Expected Content-Type multipart/form-data (a CSV file) or application/json (rows), got '${type}'`,
    );
  const body = datasetJsonBody.safeParse(jsonBody(event, max));
  if (!body.success) invalid('body', body.error.issues);
  const { name, datasetId, rows, uploadId, ...roles } = body.data;
  const source = rows ? { kind: 'rows' as const, rows } : { kind: 'upload' as const, uploadId: uploadId! };
  return { source, roles, name, datasetId };
}
