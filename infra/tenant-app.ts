import type { App, Environment } from 'aws-cdk-lib';
import { TenantStack } from './tenant-stack.ts';

/**
 * The CDK app's tenant stack, from its context. One stack per tenant: `npm run deploy -- -c tenantId=<guid>` (see the README's deployment
 * section for every `-c` setting: maxConcurrentRuns, kernelEgress, kernelLimits,
 * existingVpc, reservedConcurrency, alarmEmail, queueWaitAlarmSeconds, the kernel host's
 * sizing). The stack reads and checks each one.
 *
 * Account and region: `-c account=… -c region=…`, else `CDK_DEPLOY_ACCOUNT` /
 * `CDK_DEPLOY_REGION`, else none: the template is environment-agnostic and deploys to the
 * account and region of the credentials `cdk deploy` runs with (never the synthesizing
 * machine's defaults baked in). The stack does no lookups, so synth works offline and
 * without AWS credentials (the S3 prefix list is looked up at deploy time, by a custom
 * resource).
 */
export function stackEnvironment(app: App, env: NodeJS.ProcessEnv = process.env): Environment | undefined {
  const pick = (key: string, variable: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key) ?? env[variable];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string')
      throw new Error(`${key} must be a string (-c ${key}=…), got ${JSON.stringify(value)}`);
    return value;
  };
  const account = pick('account', 'CDK_DEPLOY_ACCOUNT');
  const region = pick('region', 'CDK_DEPLOY_REGION');
  if (account !== undefined && !/^\d{12}$/.test(account)) {
    throw new Error(
      `account must be a 12-digit AWS account id (-c account=123456789012), got ${JSON.stringify(account)}`,
    );
  }
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    throw new Error(
      `region must be an AWS region such as eu-west-1 (-c region=eu-west-1), got ${JSON.stringify(region)}`,
    );
  }
  return account || region ? { ...(account ? { account } : {}), ...(region ? { region } : {}) } : undefined;
}

/** The tenant stack the CDK app makes from its context. */
export function tenantApp(app: App): TenantStack {
  const tenantId: unknown = app.node.tryGetContext('tenantId');
  if (typeof tenantId !== 'string' || tenantId.length === 0) {
    throw new Error('No tenant given: pass -c tenantId=<guid> (e.g. npm run deploy -- -c tenantId=<guid>)');
  }
  const limit: unknown = app.node.tryGetContext('maxConcurrentRuns');
  const maxConcurrentRuns = limit === undefined ? undefined : Number(limit);
  if (maxConcurrentRuns !== undefined && !(Number.isInteger(maxConcurrentRuns) && maxConcurrentRuns >= 1)) {
    throw new Error('maxConcurrentRuns must be a positive whole number (-c maxConcurrentRuns=10)');
  }
  const env = stackEnvironment(app);
  return new TenantStack(app, `Cellwise-${tenantId}`, {
    tenantId,
    ...(maxConcurrentRuns ? { maxConcurrentRuns } : {}),
    ...(env ? { env } : {}),
  });
}
