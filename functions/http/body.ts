import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.ts';
import { assertJsonDepth, decodeUtf8 } from '../core/json-limits.ts';
import { locateJsonError } from '../core/nbformat/json-position.ts';
import { isRawJson, parseParametersLossless } from '../core/parameters.ts';

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted) return value;
  return undefined;
}

function assertWithin(size: number, limit: number): void {
  if (size > limit) {
    throw new PayloadTooLargeError(`The request body is ${size} bytes; the limit is ${limit} bytes`, {
      Limit: limit,
    });
  }
}

/** The raw body bytes, refusing anything over `limit`. */
export function bodyBytes(event: APIGatewayProxyEventV2, limit: number): Buffer {
  if (!event.body) return Buffer.alloc(0);
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  assertWithin(bytes.length, limit);
  return bytes;
}

/**
 * The body as text, refusing anything over `limit`. API Gateway passes a body that is not
 * valid UTF-8 base64-encoded (`isBase64Encoded`), so that is where invalid bytes show up: a
 * 400 InvalidUtf8, never text with U+FFFD in their place.
 */
export function bodyText(event: APIGatewayProxyEventV2, limit: number): string {
  if (!event.body) return '';
  if (!event.isBase64Encoded) {
    assertWithin(Buffer.byteLength(event.body, 'utf8'), limit);
    return event.body;
  }
  return decodeUtf8(bodyBytes(event, limit), 'body');
}

/**
 * Parses a JSON body, once. An empty body is `{}`; a non-JSON media type is a 415; invalid
 * UTF-8 and nesting deeper than MAX_JSON_DEPTH are 400s found before the parser runs.
 */
export function jsonBody(
  event: APIGatewayProxyEventV2,
  limit: number,
  losslessAt: readonly (readonly string[])[] = [],
): unknown {
  if (!event.body) return {};
  const type = header(event, 'content-type');
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new UnsupportedMediaTypeError(`Expected Content-Type application/json, got '${type}'`);
  }
  const text = bodyText(event, limit);
  if (text.length === 0) return {};
  assertJsonDepth(text, 'body');
  try {
    return losslessAt.length === 0
      ? JSON.parse(text)
      : plainNumbersOutside(parseParametersLossless(text), losslessAt);
  } catch {
    const where = locateJsonError(text);
    throw new ValidationError(
      `The request body is not valid JSON: ${where.reason}`,
      [{ path: `body (line ${where.line ?? '?'}, column ${where.column ?? '?'})`, message: where.reason }],
      'InvalidJson',
    );
  }
}

/**
 * A losslessly parsed value with plain numbers again everywhere but under the `keep` paths
 * (walked once, no second parse of the text).
 */
function plainNumbersOutside(
  value: unknown,
  keep: readonly (readonly string[])[],
  path: string[] = [],
): unknown {
  if (isRawJson(value)) return JSON.parse(JSON.stringify(value));
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => plainNumbersOutside(v, keep, path));
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const at = [...path, key];
    const member = record[key];
    // A kept member is the container of lossless numbers; a bare number there is plain (and refused).
    const kept =
      !isRawJson(member) && keep.some((k) => k.length === at.length && k.every((p, i) => p === at[i]));
    // defineProperty, not assignment: a member named `__proto__` stays a member.
    if (!kept) Object.defineProperty(record, key, { value: plainNumbersOutside(member, keep, at) });
  }
  return record;
}
