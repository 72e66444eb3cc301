import { isUtf8 } from 'node:buffer';
import busboy from 'busboy';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.ts';
import { decodeUtf8 } from '../core/json-limits.ts';

export interface UploadedFile {
  fieldName: string;
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: UploadedFile[];
}

/** True when busboy handed over the bytes one char each (Latin-1), not text of a declared charset. */
const byteString = (s: string) => !/[\u0100-\uffff]/.test(s);

/**
 * A field value read as Latin-1 (busboy's `defCharset` here, lossless: one char per byte)
 * decoded as UTF-8, strictly: invalid bytes are a 400 naming the field, not U+FFFD.
 */
function fieldText(name: string, value: string): string {
  return byteString(value) ? decodeUtf8(Buffer.from(value, 'latin1'), `form.${name}`) : value;
}

/**
 * A file name as browsers send it (raw UTF-8 bytes, which busboy reads as Latin-1): UTF-8 when
 * the bytes are UTF-8, else the Latin-1 reading (an old client's Latin-1 name stays readable).
 */
function fileNameText(name: string): string {
  if (!byteString(name)) return name;
  const bytes = Buffer.from(name, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : name;
}

/**
 * Parses a multipart/form-data body with hard limits: one file of at most `maxFileBytes`,
 * at most 32 fields of 64 KiB. A file over the limit is a 413; a broken body is a 400.
 */
export function parseMultipart(
  contentType: string | undefined,
  body: Buffer,
  maxFileBytes: number,
): Promise<MultipartForm> {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      `Expected Content-Type multipart/form-data, got '${contentType ?? 'none'}'`,
    );
  }
  if (!/boundary=/i.test(contentType)) {
    throw new ValidationError('The multipart Content-Type has no boundary', [
      { path: 'content-type', message: 'boundary is required' },
    ]);
  }
  return new Promise((resolve, reject) => {
    const form: MultipartForm = { fields: {}, files: [] };
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { fileSize: maxFileBytes, files: 1, fields: 32, fieldSize: 64 * 1024, parts: 40 },
        // Field values and file names arrive as bytes (Latin-1 is one char per byte); they are
        // decoded as strict UTF-8 below, so invalid bytes are refused instead of replaced.
        defCharset: 'latin1',
        defParamCharset: 'latin1',
      });
    } catch (error) {
      reject(new ValidationError(`Malformed multipart body: ${(error as Error).message}`));
      return;
    }
    parser.on('file', (fieldName, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A body that ends inside the file part errors the file stream too ("Unexpected end of
      // form"); unhandled, that event would crash the process instead of answering 400.
      stream.on('error', (error: Error) =>
        fail(new ValidationError(`Malformed multipart body: ${error.message}`)),
      );
      stream.on('limit', () =>
        fail(
          new PayloadTooLargeError(`The file '${info.filename}' exceeds ${maxFileBytes} bytes`, {
            Limit: maxFileBytes,
          }),
        ),
      );
      stream.on('close', () => {
        form.files.push({
          fieldName,
          fileName: fileNameText(info.filename ?? ''),
          contentType: info.mimeType,
          data: Buffer.concat(chunks),
        });
      });
    });
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new ValidationError(`Form field '${name}' is longer than 64 KiB`));
      try {
        form.fields[name] = fieldText(name, value);
      } catch (error) {
        fail(error as Error);
      }
    });
    parser.on('filesLimit', () => fail(new ValidationError('Only one file may be uploaded per request')));
    parser.on('fieldsLimit', () => fail(new ValidationError('Too many form fields')));
    parser.on('partsLimit', () => fail(new ValidationError('Too many form parts')));
    parser.on('error', (error: Error) =>
      reject(failure ?? new ValidationError(`Malformed multipart body: ${error.message}`)),
    );
    parser.on('close', () => (failure ? reject(failure) : resolve(form)));
    parser.end(body);
  });
}
