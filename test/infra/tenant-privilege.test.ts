import { beforeAll, describe, expect, it } from 'vitest';
import { type DataAccess, dataAccessOf, ROUTE_DATA_ACCESS } from '../../infra/data-access.ts';
import { ROUTES } from '../../infra/routes.ts';
import type { Synthesized } from './support/synth.ts';
import { TENANT_ID, tenantSynth } from './support/synth.ts';
import {
  asList,
  dataActionsOf,
  functionLogicalId,
  logicalId,
  ofType,
  roleOfFunction,
  type Statement,
  statementsAllowing,
  statementsOf,
  statementsOfRole,
  text,
} from './support/template.ts';

/*
 * Least privilege on the data, deny-list style: what each function may do with the table and
 * the bucket is the least its routes need, and a test fails as soon as a read-only route can
 * write, a route that deletes nothing can delete, or anyone can purge an object version.
 */

let plain: Synthesized;

const TABLE_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
];
const OBJECT_WRITES = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'];
/** What no function may ever be allowed (IAM policies of the stack). */
const NEVER = [
  's3:*',
  's3:DeleteObjectVersion',
  's3:DeleteObject*',
  's3:PutObject*',
  's3:PutBucketPolicy',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  'dynamodb:*',
  'dynamodb:DeleteTable',
  'dynamodb:UpdateTable',
  'dynamodb:Scan',
];

const bucketArn = () => `<${logicalId(plain, plain.stack.bucket)}.Arn>`;
const objects = (pattern: string) => `${bucketArn()}/tenants/${TENANT_ID}/${pattern}`;
/** The object patterns a route's function may delete. */
const deletable = (routeId: string) =>
  statementsAllowing(statementsOf(plain, routeId), 's3:DeleteObject')
    .flatMap((s) => asList(s.Resource))
    .map(text)
    .sort();

beforeAll(async () => {
  ({ plain } = await tenantSynth());
}, 600_000);

describe('least privilege on the data', () => {
  it('lists every non-GET route in ROUTE_DATA_ACCESS, and gives every GET route at most read access', () => {
    for (const route of ROUTES) {
      const access = dataAccessOf(route);
      if (route.method !== 'GET') expect(ROUTE_DATA_ACCESS[route.id], route.id).toBeDefined();
      else expect(['none', 'health', 'lookup', 'read'], route.id).toContain(access);
    }
  });

  it('lets no read-only route write or delete a thing', () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET')) {
      const actions = dataActionsOf(plain, route.id);
      for (const write of [...TABLE_WRITES, ...OBJECT_WRITES])
        expect(actions, `${route.id}: ${write}`).not.toContain(write);
    }
    expect(dataActionsOf(plain, 'authorizer')).toEqual(['dynamodb:GetItem']);
  });

  it('lets no IAM policy of the stack purge versions, use a data action wildcard or touch the table and bucket settings', () => {
    const statements = ofType(plain, 'AWS::IAM::Policy').flatMap(
      ([, p]) => p.Properties!.PolicyDocument.Statement as Statement[],
    );
    for (const s of statements) {
      for (const action of asList(s.Action)) expect(NEVER, JSON.stringify(s)).not.toContain(action);
      for (const action of asList(s.Action)) {
        if (action.startsWith('s3:') || action.startsWith('dynamodb:'))
          expect(action, JSON.stringify(s)).not.toContain('*');
      }
    }
  });

  it('lets only the two delete routes, the revision writers, dataset ingest and the run functions delete objects, each only what its job removes', () => {
    const expected: Record<string, string[]> = {
      deleteNotebook: [objects('projects/*/notebooks/*')],
      deleteDataset: [objects('projects/*/datasets/*')],
      createDataset: [objects('projects/*/dataset-uploads/*'), objects('projects/*/datasets/*/*.staging-*')],
      addDatasetVersion: [
        objects('projects/*/dataset-uploads/*'),
        objects('projects/*/datasets/*/*.staging-*'),
      ],
    };
    for (const id of [
      'createNotebook',
      'createInvestigationNotebook',
      'createNotebookFromTemplate',
      'updateNotebook',
      'copyNotebook',
    ]) {
      expected[id] = [objects('projects/*/notebooks/*/revisions/*')];
    }
    // Route 7 also deletes the staged .ipynb of a presigned upload once it is a notebook.
    expected.uploadNotebook = [
      objects('projects/*/notebook-uploads/*'),
      objects('projects/*/notebooks/*/revisions/*'),
    ];
    for (const route of ROUTES)
      expect(deletable(route.id), route.id).toEqual((expected[route.id] ?? []).sort());
    // The queue sweep shares the run functions' role (it starts their workflows).
    const runs = [...plain.stack.runs.tasks.values(), plain.stack.runs.reconciler, plain.stack.runs.sweeper];
    for (const fn of runs) {
      const deletes = statementsAllowing(
        statementsOfRole(plain, roleOfFunction(plain, logicalId(plain, fn))),
        's3:DeleteObject',
      )
        .flatMap((s) => asList(s.Resource))
        .map(text)
        .sort();
      expect(deletes, fn.node.id).toEqual(
        [objects('projects/*/datasets/*/*.staging-*'), objects('projects/*/notebooks/*/revisions/*')].sort(),
      );
    }
    // Before: 23 functions could delete (grantReadWrite's s3:DeleteObject*, DeleteObjectVersion included).
    const deleters = ofType(plain, 'AWS::Lambda::Function').filter(
      ([id, fn]) =>
        fn.Properties!.Role &&
        statementsAllowing(statementsOfRole(plain, roleOfFunction(plain, id)), 's3:DeleteObject').length > 0,
    );
    expect(deleters.length).toBe(Object.keys(expected).length + runs.length);
    // The webhook worker, the fire function and the routes that only write items delete nothing.
    for (const id of [
      'cancelExecution',
      'executeNotebook',
      'resumeExecution',
      'createInvestigation',
      'deleteInvestigation',
      'createWebhook',
      'deleteWebhook',
      'createDatasetUpload',
      'createNotebookUpload',
    ]) {
      expect(deletable(id), id).toEqual([]);
    }
  });

  it('lets only submitting, authoring, ingesting and running functions put objects, and the upload routes only uploads', () => {
    for (const route of ROUTES) {
      const puts = statementsAllowing(statementsOf(plain, route.id), 's3:PutObject')
        .flatMap((s) => asList(s.Resource))
        .map(text);
      const access: DataAccess = dataAccessOf(route);
      if (['submit', 'author', 'author-upload', 'ingest'].includes(access))
        expect(puts, route.id).toEqual([objects('*')]);
      else if (access === 'presign-upload')
        expect(puts, route.id).toEqual([
          objects('projects/*/dataset-uploads/*'),
          objects('projects/*/notebook-uploads/*'),
        ]);
      else expect(puts, route.id).toEqual([]);
    }
  });

  it("keeps every function's objects under the tenant's prefix, and its table access on the table and its named index", () => {
    const table = `<${logicalId(plain, plain.stack.table)}.Arn>`;
    for (const route of [...ROUTES.map((r) => r.id), 'authorizer']) {
      for (const s of statementsOf(plain, route)) {
        const actions = asList(s.Action);
        for (const resource of asList(s.Resource).map(text)) {
          if (actions.some((a) => a.startsWith('dynamodb:')))
            expect([table, `${table}/index/gsi1`], route).toContain(resource);
          if (actions.some((a) => a.startsWith('s3:') && a !== 's3:ListBucket') && route !== 'health')
            expect(resource.startsWith(`${bucketArn()}/tenants/${TENANT_ID}/`), `${route}: ${resource}`).toBe(
              true,
            );
        }
      }
    }
  });

  it('shares a role only between functions with the same data access and uses', () => {
    const byRole = new Map<string, Set<string>>();
    for (const route of ROUTES) {
      const role = roleOfFunction(plain, functionLogicalId(plain, route.id));
      const key = `${dataAccessOf(route)} ${[...(route.uses ?? [])]
        .filter((u) => u !== 'staticAssets')
        .sort()
        .join(',')}`;
      (byRole.get(role) ?? byRole.set(role, new Set()).get(role)!).add(key);
    }
    for (const [role, keys] of byRole) expect([...keys], role).toHaveLength(1);
    // And fewer roles than functions (the template's headroom).
    expect(byRole.size).toBeLessThan(ROUTES.length / 2);
  });
});
