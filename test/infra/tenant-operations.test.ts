import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { operationsOf } from '../../infra/operations-props.ts';
import { ROUTES } from '../../infra/routes.ts';
import { stackEnvironment } from '../../infra/tenant-app.ts';
import { FUNCTION_GROUPS } from '../../infra/tenant-function.ts';
import { REPO_ROOT, type Synthesized, TENANT_ID, type TenantSynth, tenantSynth } from './support/synth.ts';
import { logicalId, ofType, only } from './support/template.ts';

/*
 * What operating a tenant stack takes: X-Ray everywhere, Powertools configured by the
 * environment, one log group per function group, reserved concurrency, the deployment
 * settings and their errors, the feature flags, a cloud assembly that deploys from anywhere,
 * bundles that load, and headroom under CloudFormation's 500 resources.
 */

let synth: TenantSynth;
let plain: Synthesized;
const run = promisify(execFile);
const envOf = (fn: Record<string, any>) =>
  (fn.Properties!.Environment?.Variables ?? {}) as Record<string, unknown>;

beforeAll(async () => {
  synth = await tenantSynth();
  plain = synth.plain;
}, 600_000);

describe('operations', () => {
  it('traces every Lambda and the run workflow with X-Ray, and logs every workflow event', () => {
    const functions = ofType(plain, 'AWS::Lambda::Function');
    expect(functions.length).toBe(ROUTES.length + 3 + 5 + 1);
    for (const [id, fn] of functions) expect(fn.Properties!.TracingConfig, id).toEqual({ Mode: 'Active' });
    const machine = only(ofType(plain, 'AWS::StepFunctions::StateMachine'))[1].Properties!;
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
  });

  it('configures Powertools on every service function: one service, the tenant metrics namespace, the log level', () => {
    const service = [...plain.stack.functionGroups.byGroup.values()].flat();
    expect(service.length).toBe(ROUTES.length + 1 + 3 + 1 + 1 + 1 + 1);
    for (const fn of service) {
      expect(envOf(plain.resources[logicalId(plain, fn)]!), fn.node.id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'cellwise',
        POWERTOOLS_METRICS_NAMESPACE: `Cellwise/${TENANT_ID}`,
        CELLWISE_LOG_LEVEL: 'info',
      });
    }
  });

  it('writes each function group to a log group of its own, kept a month', () => {
    for (const group of FUNCTION_GROUPS) {
      const logGroup = logicalId(plain, plain.stack.functionGroups.logGroups.get(group)!);
      expect(plain.resources[logGroup]!.Properties!.RetentionInDays, group).toBe(30);
      for (const fn of plain.stack.functionGroups.byGroup.get(group)!) {
        expect(plain.resources[logicalId(plain, fn)]!.Properties!.LoggingConfig, fn.node.id).toEqual({
          LogGroup: { Ref: logGroup },
        });
      }
    }
  });

  it('reserves no concurrency by default, and the configured amount per function group when given', () => {
    for (const [, fn] of ofType(plain, 'AWS::Lambda::Function'))
      expect(fn.Properties!.ReservedConcurrentExecutions).toBeUndefined();
    const reserved = { api: 20, runs: 10, schedules: 2, webhooks: 2 };
    for (const [group, fns] of synth.configured.stack.functionGroups.byGroup) {
      for (const fn of fns) {
        const props = synth.configured.resources[logicalId(synth.configured, fn)]!.Properties!;
        expect(props.ReservedConcurrentExecutions, fn.node.id).toBe(reserved[group]);
      }
    }
  });

  it('reads the operations settings from props or context and refuses bad ones, naming them', () => {
    const ctx = (context: Record<string, unknown>) => new App({ context });
    expect(operationsOf(ctx({}))).toEqual({
      alarmEmail: undefined,
      queueWaitAlarmSeconds: 300,
      reservedConcurrency: {},
    });
    expect(
      operationsOf(ctx({ alarmEmail: 'a@b.co', queueWaitAlarmSeconds: '90', reservedConcurrency: '5' })),
    ).toEqual({
      alarmEmail: 'a@b.co',
      queueWaitAlarmSeconds: 90,
      reservedConcurrency: { api: 5, runs: 5, schedules: 5, webhooks: 5 },
    });
    expect(operationsOf(ctx({ reservedConcurrency: '{"runs": 3}' })).reservedConcurrency).toEqual({
      runs: 3,
    });
    expect(
      operationsOf(ctx({ queueWaitAlarmSeconds: '90' }), { queueWaitAlarmSeconds: 120 })
        .queueWaitAlarmSeconds,
    ).toBe(120);
    for (const [context, message] of [
      [{ alarmEmail: 'ops' }, /^context alarmEmail must be an e-mail address/],
      [
        { queueWaitAlarmSeconds: '0' },
        /^context queueWaitAlarmSeconds must be a whole number of seconds from 1 to 86400/,
      ],
      [
        { reservedConcurrency: '0' },
        /^context reservedConcurrency must be a whole number from 1 to 1000 \(0 would stop the functions/,
      ],
      [
        { reservedConcurrency: '{"api": 5, "workers": 2}' },
        /unknown function group\(s\) workers; the groups are api, runs, schedules, webhooks/,
      ],
      [{ reservedConcurrency: '{"api": 2.5}' }, /^context reservedConcurrency\.api must be a whole number/],
      [{ reservedConcurrency: '{"api": ' }, /^context reservedConcurrency is not valid JSON/],
    ] as const) {
      expect(() => operationsOf(ctx(context)), JSON.stringify(context)).toThrow(message);
    }
    expect(() => operationsOf(ctx({}), { reservedConcurrency: { api: -1 } })).toThrow(
      /^TenantStack: reservedConcurrency\.api/,
    );
  });

  it("takes account and region from -c account/region or CDK_DEPLOY_*, never the CLI's defaults, and checks them", () => {
    expect(
      stackEnvironment(new App(), { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'us-east-1' }),
    ).toBeUndefined();
    expect(
      stackEnvironment(new App({ context: { account: '123456789012', region: 'eu-west-1' } }), {}),
    ).toEqual({
      account: '123456789012',
      region: 'eu-west-1',
    });
    expect(stackEnvironment(new App(), { CDK_DEPLOY_REGION: 'eu-central-1' })).toEqual({
      region: 'eu-central-1',
    });
    expect(() => stackEnvironment(new App({ context: { account: '1234' } }), {})).toThrow(
      /^account must be a 12-digit AWS account id/,
    );
    expect(() => stackEnvironment(new App({ context: { region: 'Europe' } }), {})).toThrow(
      /^region must be an AWS region/,
    );
    // The plain stack is environment-agnostic: it deploys where the credentials point.
    expect(plain.stack.environment).toBe('aws://unknown-account/unknown-region');
  });

  it('sets every feature flag a new CDK app of this aws-cdk-lib sets (cdk.json)', () => {
    const context = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context as Record<
      string,
      unknown
    >;
    for (const [flag, value] of Object.entries(CURRENTLY_RECOMMENDED_FLAGS))
      expect(context[flag], flag).toEqual(value);
  });

  it('stages every asset in the cloud assembly: the manifest names no path of this machine', async () => {
    const manifest = await readFile(join(synth.outdir, `${plain.stack.artifactId}.assets.json`), 'utf8');
    const paths: string[] = [];
    JSON.parse(manifest, (key, value) => {
      if (typeof value === 'string' && ['directory', 'path', 'packaging'].includes(key)) paths.push(value);
      return value;
    });
    expect(paths.length).toBeGreaterThan(ROUTES.length);
    for (const path of paths) expect(path.startsWith('/'), path).toBe(false);
    expect(manifest).not.toContain(REPO_ROOT);
    expect(manifest).not.toContain(tmpdir());
  });

  it('bundles handlers that load with Powertools and the traced SDK (authorizer, a route, a workflow task, the webhook worker)', async () => {
    const manifest = JSON.parse(
      await readFile(join(synth.outdir, `${plain.stack.artifactId}.assets.json`), 'utf8'),
    );
    const codeOf = (fn: { node: { defaultChild?: unknown } }) => {
      const code = plain.resources[logicalId(plain, fn as never)]!.Properties!.Code;
      const key = String(code.S3Key).replace(/\.zip$/, '');
      return join(synth.outdir, manifest.files[key].source.path, 'index.mjs');
    };
    const bundles = [
      plain.stack.authorizerFunction,
      plain.stack.functions.get('getNotebook')!,
      plain.stack.runs.tasks.get('Finalize')!,
      plain.stack.webhooks.function,
    ].map(codeOf);
    const script = `for (const f of process.argv.slice(1)) { const m = await import(f); if (typeof m.handler !== 'function') throw new Error(f + ': no handler'); } console.log('loaded');`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, ...bundles], {
      env: { PATH: process.env.PATH, CELLWISE_TABLE_NAME: 't', CELLWISE_BUCKET_NAME: 'b' },
    });
    expect(stdout.trim()).toBe('loaded');
  });

  it("keeps headroom under CloudFormation's 500 resources: a new route costs four resources", () => {
    const count = Object.keys(plain.resources).length;
    // 350 before the project secrets (three routes, the master key, RunCells' own role).
    expect(count).toBeLessThan(375);
    const perRoute = (routeId: string) => {
      const fn = logicalId(plain, plain.stack.functions.get(routeId)!);
      const refersTo = (r: unknown, id: string) => JSON.stringify(r).includes(`"${id}"`);
      const integrations = ofType(plain, 'AWS::ApiGatewayV2::Integration').filter(([, r]) => refersTo(r, fn));
      const routes = ofType(plain, 'AWS::ApiGatewayV2::Route').filter(([, r]) =>
        integrations.some(([id]) => refersTo(r, id)),
      );
      const permissions = ofType(plain, 'AWS::Lambda::Permission').filter(([, r]) => refersTo(r, fn));
      return [[fn, plain.resources[fn]!] as const, ...integrations, ...routes, ...permissions];
    };
    expect(
      perRoute('getNotebook')
        .map(([, r]) => r.Type)
        .sort(),
    ).toEqual([
      'AWS::ApiGatewayV2::Integration',
      'AWS::ApiGatewayV2::Route',
      'AWS::Lambda::Function',
      'AWS::Lambda::Permission',
    ]);
    // (500 − count) / 4 more routes fit, less one Lambda alarm pair per ten functions. The
    // project secrets took six routes' worth (three routes, the master key, RunCells' own role):
    // 30 more routes fit; past that the routes need grouping (or a nested stack).
    expect(Math.floor((500 - count) / 4.2)).toBeGreaterThanOrEqual(30);
  });
});
