import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { acknowledgeUnavoidableWildcards } from '../../infra/nag-acknowledgments.ts';
import { nagCounts, nagReport } from '../../infra/nag-report.ts';
import { REPO_ROOT, type Synthesized, type TenantSynth, tenantSynth } from './support/synth.ts';

/*
 * cdk-nag's AwsSolutionsChecks and ServerlessChecks on every synthesized variant of the
 * tenant stack: nothing is left but what is acknowledged, and every acknowledgment sits on
 * the resource it is about with a reason of its own. The counts and every suppression are
 * written to test-results/nag-report.json.
 */

let synth: TenantSynth;
const variants = () =>
  (['plain', 'configured', 'existingVpc', 'sharedVpc'] as const).map((name) => [name, synth[name]] as const);

beforeAll(async () => {
  synth = await tenantSynth();
}, 600_000);

describe('cdk-nag', () => {
  it('leaves no unacknowledged error or warning on any variant of the tenant stack', () => {
    for (const [name, s] of variants()) {
      expect(
        s.violations.map((v) => `${v.severity} ${v.id} at ${v.paths.join(', ')}`),
        name,
      ).toEqual([]);
    }
  });

  it('acknowledges each finding on the resource it is about, never on the stack or the app', () => {
    for (const [name, s] of variants()) {
      expect(s.acknowledgments.length, name).toBeGreaterThan(0);
      for (const ack of s.acknowledgments) {
        const depth = ack.path.split('/').length;
        expect(depth, `${name}: ${ack.id} at ${ack.path}`).toBeGreaterThan(1);
        expect(ack.path.startsWith(`${s.stack.node.path}/`), ack.path).toBe(true);
      }
    }
  });

  it('gives each acknowledgment a reason naming what it is about', () => {
    const { plain } = synth;
    for (const ack of plain.acknowledgments) {
      expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
      const resource = ack.path.split('/')[1]!;
      if (ack.id === 'Serverless-LambdaDLQ' && !ack.path.includes('AWS679f53fac002430cb0da5b7982bd2287')) {
        // Names the function and its caller.
        expect(ack.reason, ack.path).toContain(`${resource} is invoked synchronously by`);
      }
      if (ack.id.startsWith('AwsSolutions-IAM5[Resource::')) {
        const finding = ack.id.slice('AwsSolutions-IAM5[Resource::'.length, -1);
        if (finding === '*') expect(ack.reason).toMatch(/^Resource \* only for [a-z0-9]+:[A-Za-z]+/);
        else expect(ack.reason.startsWith(`${finding}: `), ack.id).toBe(true);
      }
    }
    // Every public route has a reason of its own.
    const routes = plain.acknowledgments.filter((a) => a.id === 'AwsSolutions-APIG4');
    expect(routes).toHaveLength(5);
    expect(new Set(routes.map((a) => a.reason)).size).toBe(5);
  });

  it('never acknowledges an action wildcard, and fixes what is real (no IAM4, S1, VPC7, SF1, SF2, ECS4, LambdaTracing, EventBusDLQ)', () => {
    for (const [name, s] of variants()) {
      for (const ack of s.acknowledgments) {
        expect(ack.id, name).not.toMatch(/\[Action::/);
        expect(
          [
            'AwsSolutions-IAM4',
            'AwsSolutions-VPC7',
            'AwsSolutions-SF1',
            'AwsSolutions-SF2',
            'AwsSolutions-ECS4',
          ],
          `${name}: ${ack.path}`,
        ).not.toContain(ack.id);
        expect([
          'Serverless-LambdaTracing',
          'Serverless-EventBusDLQ',
          'Serverless-StepFunctionStateMachineXray',
        ]).not.toContain(ack.id);
        // S1 only on the log bucket itself.
        if (ack.id === 'AwsSolutions-S1') expect(ack.path).toBe(`${s.stack.node.path}/Logs`);
      }
    }
  });

  it('finds what it should: a wildcard grant and an unlogged, TLS-optional bucket fail the same checks', () => {
    const app = new App();
    const stack = new Stack(app, 'Scratch');
    acknowledgeUnavoidableWildcards(stack);
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    new Bucket(stack, 'Bucket');
    app.synth();
    const ids = nagReport(stack).violations.map((v) => v.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Action::s3:*]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-S1',
        'AwsSolutions-S10',
      ]),
    );
  });

  it('writes the counts and every suppression to test-results/nag-report.json', () => {
    const report = (s: Synthesized) => ({
      resources: Object.keys(s.resources).length,
      counts: nagCounts(s.violations),
      suppressions: s.acknowledgments.map((a) => ({
        rule: a.id,
        resource: a.path.slice(s.stack.node.path.length + 1),
        reason: a.reason,
      })),
    });
    const dir = join(REPO_ROOT, 'test-results');
    mkdirSync(dir, { recursive: true });
    const out = Object.fromEntries(variants().map(([name, s]) => [name, report(s)]));
    writeFileSync(join(dir, 'nag-report.json'), `${JSON.stringify(out, null, 2)}\n`);
    expect(out.plain?.suppressions.length).toBe(synth.plain.acknowledgments.length);
  });
});
