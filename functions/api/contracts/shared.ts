import { z } from 'zod';
import type { ResponseSpec } from '../../http/contract.ts';
import { errorBody } from '../schemas/common.ts';

/**
 * API Gateway's own refusal, before any route Lambda runs: an HTTP API cannot shape it, so it
 * is `{"message": "Unauthorized"}` (no Authorization header) or `{"message": "Forbidden"}` (a
 * token the authorizer does not accept), not the contract's `{Error, Message}`.
 */
export const gatewayRefusal = z.object({ message: z.string() }).meta({ id: 'GatewayRefusal' });

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request: malformed id, query or body (Details lists each problem); a body that is not UTF-8 (InvalidUtf8), not JSON (InvalidJson) or nests deeper than 64 levels (RequestTooDeep)',
  401: 'No Authorization header: API Gateway refuses the request before any Lambda runs, with its own body {"message": "Unauthorized"}. (A signed notebook link on a route it may not use: the contract\'s error shape, Error "Unauthorized".)',
  403: 'A token the authorizer does not accept (not a bearer token, unknown, revoked, or an expired or altered link): API Gateway answers {"message": "Forbidden"}; no route Lambda runs',
  404: 'Not found (also for other tenants and projects)',
  409: 'Conflict with the current state',
  413: 'Body larger than the limit',
  415: 'Unsupported media type',
  503: 'A dependency is unavailable; retry later',
};

/** The bodies of each status: the contract's error shape, or API Gateway's own for a refused credential. */
const SCHEMAS: Record<number, z.ZodType> = {
  401: z.union([gatewayRefusal, errorBody]),
  403: gatewayRefusal,
};

/** The error responses of a route, in the contract's error shape (a refused credential: as API Gateway sends it). */
export function errors(...codes: number[]): Record<number, ResponseSpec> {
  return Object.fromEntries(
    codes.map((code) => [
      code,
      { description: ERROR_TEXT[code] ?? 'Error', schema: SCHEMAS[code] ?? errorBody },
    ]),
  );
}

/**
 * Error codes (the body's `Error`) by which a route refuses a request its schemas allow: the
 * state (an unknown dataset, a taken name) or a rule JSON Schema cannot state decides.
 */
export type Refusals = Record<string, string>;

/** The duplicate-name 400 of the management seed (`Error` is this sentence). */
export const duplicateName = (action: 'create' | 'update' | 'copy'): Refusals => ({
  [`Failed to ${action} notebook. The name may already exist in this investigation.`]:
    'another notebook of the investigation has this name (compared case-insensitively)',
});

/** The 400 of a route, with the refusals a schema-valid request can still meet (`x-refusals` lists their codes). */
export function badRequest(refusals: Refusals = {}): Record<number, ResponseSpec> {
  const listed = Object.entries(refusals).map(([code, when]) => `\`${code}\`: ${when}`);
  const description = listed.length
    ? `${ERROR_TEXT[400]}. A request the schema allows is still refused with these Error codes: ${listed.join('; ')}`
    : ERROR_TEXT[400]!;
  return { 400: { description, schema: errorBody, refusals } };
}

/** 400, 401, 403 and 404: what every authenticated route under /api/{tenantId}/{projectId} can answer. */
export const scopedErrors = (refusals: Refusals = {}) => ({
  ...errors(401, 403, 404),
  ...badRequest(refusals),
});
