import { App } from 'aws-cdk-lib';
import { TenantStack } from './tenant-stack.ts';

/**
 * One stack per tenant: `npx cdk synth -c tenantId=<guid>` / `npx cdk deploy -c tenantId=<guid>`.
 * The stack does no lookups, so synth works offline and without AWS credentials.
 */
const app = new App();
const tenantId: unknown = app.node.tryGetContext('tenantId');
if (typeof tenantId !== 'string' || tenantId.length === 0) {
  throw new Error('No tenant given: pass -c tenantId=<guid> (e.g. npx cdk synth -c tenantId=<guid>)');
}

const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new TenantStack(app, `Cellwise-${tenantId}`, {
  tenantId,
  ...(account || region ? { env: { account, region } } : {}),
});

app.synth();
