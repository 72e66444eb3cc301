import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import { call } from '../support/api.ts';
import { type DocumentValidator, documentValidator } from '../support/openapi-document.ts';
import { bodyOverrides, createFixtures, type Fixtures, tidy } from '../support/openapi-fixtures.ts';
import { type GeneratedRequest, invalidRequests, send, validRequests } from '../support/openapi-requests.ts';
import type { GenerationContext } from '../support/openapi-valid.ts';

/**
 * Drives every operation of the served /api/openapi.json with requests generated from the
 * document itself (fast-check): requests it allows must be answered 2xx, or refused only as the
 * operation documents for a schema-valid request (its 409s, its 400 `x-refusals`); requests
 * breaking one documented constraint must get 400; nothing gets a 5xx or an undocumented status,
 * and every JSON body validates against the documented schema for its status.
 *
 * Ids that must exist come from fixtures (a run notebook with a Completed run, a dataset, an
 * upload, a webhook, the templates); deletes get a resource made for them. Executes run the
 * fixture's two trivial cells; resume and cancel meet its Completed run (their 409s). Fixed
 * seed: OPENAPI_PROPERTY_SEED and OPENAPI_PROPERTY_RUNS override it and the runs per operation.
 */
const SEED = Number(process.env.OPENAPI_PROPERTY_SEED ?? 20261207);
const RUNS = Number(process.env.OPENAPI_PROPERTY_RUNS ?? 20);

type Json = Record<string, any>;
let doc: Json;
let v: DocumentValidator;
let f: Fixtures;
let ctx: GenerationContext;

beforeAll(async () => {
  doc = (await call('GET', '/api/openapi.json')).body;
  v = documentValidator(doc);
  f = await createFixtures();
  // The run ran the two code cells (a results filter naming another cell is a documented 404);
  // a diff compares it with itself, in either case of its id (another run may not have ended).
  ctx = {
    deref: v.deref,
    overrides: {
      ...bodyOverrides(f),
      cellId: fc.constantFrom('c1', 'c2'),
      against: fc.constantFrom(f.executionId, f.executionId.toUpperCase()),
    },
  };
});

/** What is wrong with an answer to `r` (empty: nothing). */
function problems(
  op: Json,
  r: GeneratedRequest,
  res: { status: number; headers: Headers; text: string },
): string[] {
  const found: string[] = [];
  const documented = op.responses[String(res.status)];
  if (res.status >= 500) found.push(`a ${res.status}`);
  if (!documented) return [...found, `status ${res.status} is not documented`];
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const content: Json = documented.content ?? {};
  if (Object.keys(content).length > 0 && !(type in content))
    found.push(`content-type ${type} is not one of ${Object.keys(content).join(', ')}`);
  let body: any;
  if (type === 'application/json' && content[type]?.schema) {
    body = JSON.parse(res.text);
    found.push(...v.problems(content[type].schema, body).map((p) => `response body ${p}`));
  }
  if (r.what === 'valid' && res.status >= 400) {
    const refusals: string[] = documented['x-refusals'] ?? [];
    const explained = res.status === 409 || (res.status === 400 && refusals.includes(body?.Error));
    if (!explained) found.push(`a request the document allows got ${res.status} ${body?.Error ?? ''}`);
  }
  if (r.what !== 'valid' && res.status !== 400)
    found.push(`a request breaking it (${r.what}) got ${res.status}, not 400`);
  return found;
}

/** Runs the property on one operation; returns the statuses it was answered with. */
async function check(route: (typeof ROUTES)[number], requests: fc.Arbitrary<GeneratedRequest>) {
  const op = doc.paths[route.path][route.method.toLowerCase()];
  const statuses: number[] = [];
  await fc.assert(
    fc.asyncProperty(requests, async (r) => {
      const res = await send(route, op, f, r);
      statuses.push(res.status);
      const body = res.text.startsWith('{') ? JSON.parse(res.text) : null;
      await tidy(f, route.id, { status: res.status, body });
      const found = problems(op, r, res);
      if (found.length > 0)
        throw new Error(
          `${route.method} ${res.url} (${r.what}) ${JSON.stringify(r.body)}\n  ${found.join('\n  ')}\n  answer: ${res.text.slice(0, 600)}`,
        );
    }),
    // One seed per operation (from SEED), so operations do not all draw the same values.
    {
      seed: SEED + [...route.id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 0),
      numRuns: RUNS,
      endOnFailure: true,
    },
  );
  return statuses;
}

/** Operations whose fixture answers every valid request with a documented 409 (the run has ended). */
const ONLY_CONFLICTS = ['cancelExecution', 'resumeExecution'];

describe('every operation of /api/openapi.json against generated requests', () => {
  for (const route of ROUTES) {
    it(`answers ${route.method} ${route.id} as documented for requests the document allows`, async () => {
      const statuses = await check(
        route,
        validRequests(doc.paths[route.path][route.method.toLowerCase()], v, ctx),
      );
      // Not vacuous: the generated requests reach the operation's success path.
      if (!ONLY_CONFLICTS.includes(route.id))
        expect(
          statuses.some((s) => s < 400),
          `${statuses}`,
        ).toBe(true);
    });

    it(`answers 400 to ${route.method} ${route.id} for requests breaking a documented constraint`, async () => {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      const invalid = invalidRequests(op, v, ctx);
      if (!invalid) {
        // Nothing to break: no path or query parameter, no body.
        expect(op.parameters.length + Object.keys(op.requestBody?.content ?? {}).length).toBe(0);
        return;
      }
      await check(route, invalid);
    });
  }
});
