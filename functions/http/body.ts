import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.ts';
import { locateJsonError } from '../core/nbformat/json-position.ts';

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The raw body bytes, refusing anything over `limit`. */
export function bodyBytes(event: APIGatewayProxyEventV2, limit: number): Buffer {
  if (!event.body) return Buffer.alloc(0);
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > limit) {
    throw new PayloadTooLargeError(`The request body is ${bytes.length} bytes; the limit is ${limit} bytes`, {
      Limit: limit,
    });
  }
  return bytes;
}

/** Parses a JSON body. An empty body is `{}`; a non-JSON media type is a 415. */
export function jsonBody(event: APIGatewayProxyEventV2, limit: number): unknown {
  const bytes = bodyBytes(event, limit);
  if (bytes.length === 0) return {};
  const type = header(event, 'content-type');
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new UnsupportedMediaTypeError(`Expected Content-Type application/json, got '${type}'`);
  }
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    const where = locateJsonError(text);
    throw new ValidationError(
      `The request body is not valid JSON: ${where.reason}`,
      [{ path: `body (line ${where.line ?? '?'}, column ${where.column ?? '?'})`, message: where.reason }],
      'InvalidJson',
    );
  }
}
