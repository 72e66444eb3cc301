import type { ResponseSpec } from '../../http/contract.ts';
import { errorBody } from '../schemas/common.ts';

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad request: malformed id, query or body (Details lists each problem)',
  401: 'Missing or invalid bearer token',
  404: 'Not found (also for other tenants and projects)',
  409: 'Conflict with the current state',
  413: 'Body larger than the limit',
  415: 'Unsupported media type',
  503: 'A dependency is unavailable; retry later',
};

/** The error responses of a route, in the contract's error shape. */
export function errors(...codes: number[]): Record<number, ResponseSpec> {
  return Object.fromEntries(
    codes.map((code) => [code, { description: ERROR_TEXT[code] ?? 'Error', schema: errorBody }]),
  );
}

/** 400, 401 and 404: what every authenticated route under /api/{tenantId}/{projectId} can answer. */
export const scopedErrors = () => errors(400, 401, 404);
