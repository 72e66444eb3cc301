import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A response a route may give, for the OpenAPI document. */
export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
  /** The media type of the body (default application/json); several when it depends on the request. */
  contentType?: string | string[];
  /** For a 400: Error codes a request the schemas allow can still get, each with when. */
  refusals?: Record<string, string>;
}

/**
 * What a route accepts and returns. Handlers validate with these exact schemas and the
 * OpenAPI document is generated from them, so the two cannot drift.
 */
export interface RouteContract<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  id: string;
  summary: string;
  tags: string[];
  /** Whether the route needs a bearer token (and is scoped to the token's tenant). */
  auth: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** How the body is encoded: JSON (default when a body schema is set) or multipart/form-data. */
  bodyEncoding?: 'json' | 'multipart';
  /**
   * Members of a JSON body whose numbers keep their exact source text (`JSON.rawJSON`: big
   * integers, `1.0` against `1`), as paths from the body's root: notebook parameters, which
   * reach the kernel as sent. Every other number is a plain number, as `JSON.parse` gives.
   */
  losslessBody?: readonly (readonly string[])[];
  /**
   * Bodies the handler reads itself (by media type) when a route accepts several encodings;
   * set instead of `body`, they are only documented (the route does not parse them).
   */
  documentedBodies?: Record<string, z.ZodType>;
  responses: Record<number, ResponseSpec>;
}

export type Infer<T> = T extends z.ZodType ? z.output<T> : undefined;
