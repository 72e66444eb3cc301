import fc from 'fast-check';
import { stack } from './api.ts';
import type { DocumentValidator } from './openapi-document.ts';
import {
  FIXTURE_PARAMETERS,
  type Fixtures,
  LOG_CSV,
  pathValue,
  RUN_CELLS,
  RUN_NOTEBOOK,
  settle,
} from './openapi-fixtures.ts';
import { mutations, parameterViolations, SKIP } from './openapi-invalid.ts';
import { type GenerationContext, valid } from './openapi-valid.ts';

type Json = Record<string, any>;

/** A request to one operation: path values (null: the fixtures' for a valid request), query, body. */
export interface GeneratedRequest {
  path: Record<string, string> | null;
  query: Record<string, string>;
  media?: string;
  body?: unknown;
  what: string;
}

/** The rules the document states in prose (JSON Schema cannot), as a client following it does. */
export function followProse(operationId: string, body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b: Json = { ...body };
  for (const [a, c] of [
    ['name', 'notebookName'],
    ['description', 'notebookDescription'],
  ])
    if (a! in b && c! in b) b[c!] = b[a!];
  for (const key of ['cells', 'initialCells']) {
    if (!Array.isArray(b[key])) continue;
    const seen = new Set<string>();
    b[key] = b[key].map((cell: Json) => {
      const { cellId, ...rest } = cell;
      if ('source' in rest && 'content' in rest) rest.content = rest.source;
      if (cellId === undefined || seen.has(cellId)) return rest;
      seen.add(cellId);
      return { cellId, ...rest };
    });
  }
  if (operationId === 'executeNotebook' || operationId === 'resumeExecution') {
    const timeout = b.timeout ?? 3600;
    if (typeof b.cellTimeout === 'number' && b.cellTimeout > timeout) b.cellTimeout = timeout;
    const range = b.cellRange;
    if (range && RUN_CELLS.indexOf(range.startCell) > RUN_CELLS.indexOf(range.endCell))
      b.cellRange = { startCell: range.endCell, endCell: range.startCell };
  }
  return b;
}

/** The form of a multipart body: text fields as sent (nulls left out), the file as the fixture's. */
export function formOf(operationId: string, value: Json): FormData {
  const form = new FormData();
  for (const [key, field] of Object.entries(value)) {
    if (key === 'file') continue;
    if (field !== null && field !== undefined) form.append(key, String(field));
  }
  if ('file' in value) {
    const [name, text] =
      operationId === 'uploadNotebook' ? ['run.ipynb', JSON.stringify(RUN_NOTEBOOK)] : ['log.csv', LOG_CSV];
    form.append('file', new Blob([text]), name);
  }
  return form;
}

/** A multipart body as the service reads it: every field text (not an object: no form at all). */
function asText(value: unknown): Json | typeof SKIP {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return SKIP;
  const fields = Object.entries(value).filter(([, field]) => field !== null && field !== undefined);
  return Object.fromEntries(fields.map(([key, field]) => [key, String(field)]));
}

/** Requests the document allows (fixtures fill the ids that must exist). */
export function validRequests(
  op: Json,
  v: DocumentValidator,
  ctx: GenerationContext,
): fc.Arbitrary<GeneratedRequest> {
  const parameters = (where: string) => (op.parameters as Json[]).filter((p) => p.in === where);
  const query = parameters('query');
  const queryArb = fc.record(
    Object.fromEntries(query.map((p) => [p.name, valid(p.schema, ctx, p.name).map(String)])),
    { requiredKeys: query.filter((p) => p.required).map((p) => p.name) },
  ) as fc.Arbitrary<Record<string, string>>;
  // Path parameters no fixture stands for (a static asset's name) come from their schema.
  const free = parameters('path').filter((p) => !FIXTURE_PARAMETERS.includes(p.name));
  const pathArb = fc.record(Object.fromEntries(free.map((p) => [p.name, valid(p.schema, ctx).map(String)])));
  const content: Json = op.requestBody?.content ?? {};
  const bodies = Object.entries(content).map(([media, { schema }]) => {
    const multipart = media === 'multipart/form-data';
    return valid(schema, ctx)
      .map((body) => (multipart ? body : followProse(op.operationId, body)))
      .filter((body) => v.validates(schema, multipart ? asText(body) : body))
      .map((body) => ({ media, body }));
  });
  const bodyArb = bodies.length > 0 ? fc.oneof(...bodies) : fc.constant({});
  return fc
    .tuple(pathArb as fc.Arbitrary<Record<string, string>>, queryArb, bodyArb)
    .map(([path, q, b]) => ({ path, query: q, ...b, what: 'valid' }));
}

/** Requests that break one documented constraint of a path or query parameter or of the body. */
export function invalidRequests(
  op: Json,
  v: DocumentValidator,
  ctx: GenerationContext,
): fc.Arbitrary<GeneratedRequest> | null {
  const makers: fc.WeightedArbitrary<GeneratedRequest>[] = [];
  const parameters = op.parameters as Json[];
  for (const p of parameters) {
    const bad = parameterViolations(p.schema);
    if (bad.length === 0) continue;
    const arbitrary = fc.constantFrom(...bad).map((value) => ({
      path: p.in === 'path' ? { [p.name]: value } : null,
      query: p.in === 'query' ? { [p.name]: value } : {},
      what: `${p.in} ${p.name} = ${JSON.stringify(value)}`,
    }));
    makers.push({ weight: 1, arbitrary });
  }
  for (const [media, { schema }] of Object.entries((op.requestBody?.content ?? {}) as Json)) {
    const multipart = media === 'multipart/form-data';
    const changes = mutations(schema, v).concat(
      multipart ? [] : [{ what: 'an array body', apply: () => [] }],
    );
    // What the service receives: a form carries text only, so a change must survive as text.
    const sent = (body: unknown) => (multipart ? asText(body) : body);
    const broken = (body: unknown) =>
      body !== SKIP && sent(body) !== SKIP && !v.validates(schema, sent(body));
    const bodies = valid(schema, ctx).map((b) => (multipart ? b : followProse(op.operationId, b)));
    const arbitrary = fc
      .tuple(bodies, fc.nat())
      .map(([body, i]) => {
        const change = changes[i % changes.length]!;
        return { path: null, query: {}, media, body: change.apply(body), what: `body ${change.what}` };
      })
      .filter((r) => broken(r.body));
    // Bodies say the most: as many draws as all the parameters together, and at least three.
    makers.push({ weight: Math.max(3, parameters.length), arbitrary });
  }
  return makers.length > 0 ? fc.oneof(...makers) : null;
}

/** Sends a generated request to the running stack (redirects not followed: a 302 is an answer). */
export async function send(
  route: { path: string; method: string; id: string },
  op: Json,
  f: Fixtures,
  r: GeneratedRequest,
) {
  let url = route.path;
  for (const p of (op.parameters as Json[]).filter((x) => x.in === 'path')) {
    const value = r.path?.[p.name] ?? (await pathValue(f, route.id, route.method.toLowerCase(), p.name));
    url = url.replace(`{${p.name}}`, encodeURIComponent(value));
  }
  const search = new URLSearchParams(r.query).toString();
  const headers: Record<string, string> = { authorization: `Bearer ${f.tenant.token}` };
  let body: string | FormData | undefined;
  if (r.media === 'multipart/form-data') body = formOf(route.id, (r.body ?? {}) as Json);
  else if (r.media) {
    body = JSON.stringify(await settle(f, route.id, r.body));
    headers['content-type'] = r.media;
  }
  const response = await fetch(`${stack().baseUrl}${url}${search ? `?${search}` : ''}`, {
    method: route.method,
    headers,
    body,
    redirect: 'manual',
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, url };
}
