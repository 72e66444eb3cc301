import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { GatewayVpcEndpointAwsService } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

/** The construct id CDK gives the singleton function behind every AwsCustomResource of a stack. */
const AWS_CUSTOM_RESOURCE_PROVIDER = 'AWS679f53fac002430cb0da5b7982bd2287';

/**
 * S3's prefix list id differs per region and CloudFormation has no attribute for it: a
 * custom resource (a Lambda outside the VPC, allowed `ec2:DescribeManagedPrefixLists` only)
 * looks it up at deploy time, so synth stays offline and credential-free.
 */
export function lookUpS3PrefixList(scope: Construct): { resource: AwsCustomResource; id: string } {
  const role = new Role(scope, 'S3PrefixListLookupRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: 'Cellwise: looks up the S3 prefix list id at deploy time',
  });
  const logs = new LogGroup(scope, 'S3PrefixListLookupLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  logs.grantWrite(role);
  // A List/Describe action: no resource-level permissions.
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }),
  );
  const resource = new AwsCustomResource(scope, 'S3PrefixList', {
    onUpdate: {
      service: 'EC2',
      action: 'DescribeManagedPrefixLists',
      parameters: {
        Filters: [{ Name: 'prefix-list-name', Values: [GatewayVpcEndpointAwsService.S3.name] }],
      },
      physicalResourceId: PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    },
    role,
    logGroup: logs,
    memorySize: 256,
    installLatestAwsSdk: false,
  });
  // CDK's provider function (one per stack): traced like every other Lambda.
  const provider = Stack.of(scope).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER) as
    | LambdaFunction
    | undefined;
  if (!provider) throw new Error('TenantNetwork: the AwsCustomResource provider function was not found');
  (provider.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      resources: ['*'],
    }),
  );
  Validations.of(provider).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      "CDK's AwsCustomResource provider: CloudFormation invokes it during a deployment and waits for its answer; a failure fails (and rolls back) the deployment, so there is no event to dead-letter",
  });
  return { resource, id: resource.getResponseField('PrefixLists.0.PrefixListId') };
}
