import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import type { KernelEgressRule } from '../../../infra/kernel-egress.ts';
import { type NagAcknowledgment, type NagViolation, nagReport } from '../../../infra/nag-report.ts';
import { TenantStack } from '../../../infra/tenant-stack.ts';

export const TENANT_ID = '11111111-2222-3333-4444-555555555555';
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');

/** The allow-list of the `configured` stack. */
export const ALLOW_LIST: KernelEgressRule[] = [
  { cidr: '203.0.113.0/24', port: 443, description: 'Partner API' },
  { cidr: '198.51.100.7/32', port: 5432 },
];

export type Resource = {
  Type: string;
  Properties?: Record<string, any>;
  Metadata?: Record<string, unknown>;
} & Record<string, any>;

/** One synthesized stack: the construct, its template, its resources by logical id, nag on it. */
export interface Synthesized {
  stack: TenantStack;
  template: Template;
  resources: Record<string, Resource>;
  violations: NagViolation[];
  acknowledgments: NagAcknowledgment[];
}

/**
 * The stacks every infra test reads, from ONE synthesis of one app with cdk.json's context
 * (the feature flags a deployment uses):
 * - `plain`: the default tenant stack, with its Lambdas really bundled (as `cdk synth` does);
 * - `configured`: a kernel egress allow-list (hence a NAT gateway), an alarm e-mail, reserved
 *   concurrency, a queue-wait threshold and a fleet of 0 to 6 kernel hosts;
 * - `existingVpc`: in an existing VPC, making its own endpoints there, with a fixed fleet of 2;
 * - `sharedVpc`: in an existing VPC whose endpoints it shares.
 */
export interface TenantSynth {
  outdir: string;
  plain: Synthesized;
  configured: Synthesized;
  existingVpc: Synthesized;
  sharedVpc: Synthesized;
  /** How long the synthesis (bundling included) and nag took. */
  ms: number;
}

export const EXISTING_VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidrBlock: '10.20.0.0/16',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  privateSubnetRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
};
export const SHARED_ENDPOINTS_SG = 'sg-0123456789abcdef0';

let synthesis: Promise<TenantSynth> | undefined;

/** The shared synthesis (made on first use; every infra test file of the run reuses it). */
export function tenantSynth(): Promise<TenantSynth> {
  synthesis ??= synthesize();
  return synthesis;
}

async function synthesize(): Promise<TenantSynth> {
  const started = Date.now();
  // Synthesis needs neither AWS credentials nor Docker.
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  // The infra project's global setup makes (and later removes) the directory.
  const outdir = inject('infraOutdir');
  const flags = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context as Record<
    string,
    unknown
  >;
  const plainId = `Cellwise-${TENANT_ID}`;
  const app = new App({ outdir, context: { ...flags, 'aws:cdk:bundling-stacks': [plainId] } });
  const plain = new TenantStack(app, plainId, { tenantId: TENANT_ID });
  const configured = new TenantStack(app, `${plainId}-configured`, {
    tenantId: TENANT_ID,
    kernelEgress: ALLOW_LIST,
    alarmEmail: 'ops@example.com',
    reservedConcurrency: { api: 20, runs: 10, schedules: 2, webhooks: 2 },
    queueWaitAlarmSeconds: 600,
    // A fleet that scales to zero when idle.
    minHosts: 0,
    maxHosts: 6,
  });
  const existingVpc = new TenantStack(app, `${plainId}-existing-vpc`, {
    tenantId: TENANT_ID,
    existingVpc: EXISTING_VPC,
    // A fixed fleet: no scaling policy.
    minHosts: 2,
    maxHosts: 2,
  });
  const { privateSubnetRouteTableIds: _, ...withoutRoutes } = EXISTING_VPC;
  const sharedVpc = new TenantStack(app, `${plainId}-shared-vpc`, {
    tenantId: TENANT_ID,
    existingVpc: { ...withoutRoutes, sharedEndpointsSecurityGroupId: SHARED_ENDPOINTS_SG },
  });
  app.synth();
  const of = (stack: TenantStack): Synthesized => {
    const template = Template.fromStack(stack);
    return { stack, template, resources: template.toJSON().Resources, ...nagReport(stack) };
  };
  const result = {
    outdir,
    plain: of(plain),
    configured: of(configured),
    existingVpc: of(existingVpc),
    sharedVpc: of(sharedVpc),
  };
  return { ...result, ms: Date.now() - started };
}
