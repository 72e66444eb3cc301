import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response with the service's standard headers. */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...BASE_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/** A non-JSON response (HTML pages, .ipynb downloads). */
export function raw(
  statusCode: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': contentType, ...BASE_HEADERS, ...headers }, body };
}
