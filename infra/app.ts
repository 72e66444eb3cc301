import { App } from 'aws-cdk-lib';
import { TenantStack } from './tenant-stack.ts';

/**
 * One stack per tenant: `npx cdk synth -c tenantId=<guid>` / `npx cdk deploy -c tenantId=<guid>`
 * (optionally `-c maxConcurrentRuns=N`, the tenant's runs Running at once, and
 * `-c kernelEgress='[{"cidr": "203.0.113.0/24", "port": 443}]'`, what notebook code may reach
 * besides S3 and the kernel host's AWS endpoints; the stack reads and checks it).
 * The stack does no lookups, so synth works offline and without AWS credentials (the S3
 * prefix list is looked up at deploy time, by a custom resource).
 */
const app = new App();
const tenantId: unknown = app.node.tryGetContext('tenantId');
if (typeof tenantId !== 'string' || tenantId.length === 0) {
  throw new Error('No tenant given: pass -c tenantId=<guid> (e.g. npx cdk synth -c tenantId=<guid>)');
}

const limit: unknown = app.node.tryGetContext('maxConcurrentRuns');
const maxConcurrentRuns = limit === undefined ? undefined : Number(limit);
if (maxConcurrentRuns !== undefined && !(Number.isInteger(maxConcurrentRuns) && maxConcurrentRuns >= 1)) {
  throw new Error('maxConcurrentRuns must be a positive whole number (-c maxConcurrentRuns=10)');
}

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new TenantStack(app, `Cellwise-${tenantId}`, {
  tenantId,
  ...(maxConcurrentRuns ? { maxConcurrentRuns } : {}),
  ...(account || region ? { env: { account, region } } : {}),
});

app.synth();
