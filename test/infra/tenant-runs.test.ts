import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KernelLimitsProps, kernelLimitsOf } from '../../infra/kernel-limits.ts';
import { ROUTES } from '../../infra/routes.ts';
import { localTaskArn, resolveDefinitionString, synthesizeRunWorkflow } from '../../infra/run-workflow.ts';
import type { TenantStack } from '../../infra/tenant-stack.ts';
import { AWS_RUN_SLICE_SECONDS, WORKFLOW_TASKS } from '../../infra/workflow-tasks.ts';
import { REPO_ROOT, TENANT_ID, tenantSynth } from './support/synth.ts';

/*
 * The run infrastructure of the tenant stack: workflow, reconciler, kernel host, network,
 * on the shared synthesis (test/infra/support/synth.ts).
 */

const KERNEL_HOST_URL = `http://kernels.cellwise-${TENANT_ID}.internal:8888`;

type Resource = { Type: string; Properties?: Record<string, any>; DependsOn?: string[] };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let outdir: string;
let stack: TenantStack;
let template: Template;
let resources: Record<string, Resource>;

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
const only = <T>(items: T[]): T => {
  expect(items).toHaveLength(1);
  return items[0]!;
};

/** Every IAM statement, with the logical id of the role it is attached to. */
function allStatements(): { role: string; statement: Statement }[] {
  return ofType('AWS::IAM::Policy').flatMap(([, p]) =>
    (p.Properties!.Roles as { Ref: string }[]).flatMap((role) =>
      (p.Properties!.PolicyDocument.Statement as Statement[]).map((statement) => ({
        role: role.Ref,
        statement,
      })),
    ),
  );
}
const roleOfFunction = (fnId: string) => resources[fnId]!.Properties!.Role['Fn::GetAtt'][0] as string;
const actionsOfRole = (role: string) =>
  allStatements()
    .filter((s) => s.role === role)
    .flatMap((s) => asList(s.statement.Action));
const taskFunctionIds = () => WORKFLOW_TASKS.map((t) => logicalId(stack.runs.tasks.get(t.state)!));
const routeFunctionId = (routeId: string) => logicalId(stack.functions.get(routeId)!);
/** The roles of the routes that sign notebook links. */
const routesUsingLinkKey = () =>
  ROUTES.filter((r) => r.uses?.includes('linkSigningKey')).map((r) => roleOfFunction(routeFunctionId(r.id)));
/** The roles of the routes that seal project secrets. */
const routesUsingSecretsKey = () =>
  ROUTES.filter((r) => r.uses?.includes('secretsKey')).map((r) => roleOfFunction(routeFunctionId(r.id)));
/** Routes whose manifest entry says they use the run workflow / the kernel host. */
const routesUsing = (dependency: 'workflow' | 'kernelHost') =>
  ROUTES.filter((r) => r.uses?.includes(dependency)).map((r) => routeFunctionId(r.id));
/** The functions that reach the kernel host: workflow tasks, reconciler, queue sweep, health, resume. */
const kernelHostFunctionIds = () => [
  ...taskFunctionIds(),
  logicalId(stack.runs.reconciler),
  logicalId(stack.runs.sweeper),
  ...routesUsing('kernelHost'),
];
/** The run functions in the VPC: they start workflows by the state machine's ARN made from its name. */
const runFunctionIds = () => [
  ...taskFunctionIds(),
  logicalId(stack.runs.reconciler),
  logicalId(stack.runs.sweeper),
];
/** The state machine's ARN as the run functions name it (the name is fixed: a Ref would be a cycle). */
const namedStateMachineArn = () => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':states:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:stateMachine:cellwise-${TENANT_ID}-runs`,
    ],
  ],
});
/** A function's environment variables (none for the S3 prefix-list lookup of tenant-network.test.ts). */
const envOf = (fnId: string) =>
  (resources[fnId]!.Properties!.Environment?.Variables ?? {}) as Record<string, unknown>;
const stateMachineRef = () => ({ Ref: logicalId(stack.runs.workflow.stateMachine) });
const privateSubnetsOf = () => stack.network.vpc.selectSubnets(stack.network.privateSubnets).subnets;
const secretRef = () => ({ Ref: logicalId(stack.kernelHost.token) });
const sgId = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'GroupId'] });

/** The Task states of a definition, each Task's `Resource` mapped through `name`. */
function namedTasks(definition: Record<string, any>, name: (resource: string) => string) {
  const copy = structuredClone(definition);
  for (const state of Object.values(copy.States as Record<string, any>)) {
    if (state.Type === 'Task') state.Resource = name(state.Resource);
  }
  return copy;
}

function deployedDefinition(): Record<string, any> {
  const machine = only(ofType('AWS::StepFunctions::StateMachine'))[1];
  const text = resolveDefinitionString(machine.Properties!.DefinitionString, (token) => {
    const getAtt = (token as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    return getAtt?.[1] === 'Arn' ? `arn-of:${getAtt[0]}` : `unexpected:${JSON.stringify(token)}`;
  });
  return JSON.parse(text);
}

describe('TenantStack runs', () => {
  beforeAll(async () => {
    const synth = await tenantSynth();
    ({ stack, template, resources } = synth.plain);
    outdir = synth.outdir;
  }, 600_000);

  it('makes the run workflow a STANDARD state machine whose Tasks invoke exactly the task functions', () => {
    const machine = only(ofType('AWS::StepFunctions::StateMachine'))[1];
    expect(machine.Properties!.StateMachineType).toBe('STANDARD');
    const tasks = Object.entries(deployedDefinition().States as Record<string, any>).filter(
      ([, s]) => s.Type === 'Task',
    );
    expect(Object.fromEntries(tasks.map(([name, s]) => [name, s.Resource]))).toEqual(
      Object.fromEntries(
        WORKFLOW_TASKS.map((t) => [t.state, `arn-of:${logicalId(stack.runs.tasks.get(t.state)!)}`]),
      ),
    );
  });

  it('deploys the very definition the local stack runs when Task resources are named by state', () => {
    const stateOfFunction = new Map(
      taskFunctionIds().map((id, i) => [`arn-of:${id}`, WORKFLOW_TASKS[i]!.state]),
    );
    const stateOfLocalArn = new Map(WORKFLOW_TASKS.map((t) => [localTaskArn(t), t.state]));
    const deployed = namedTasks(deployedDefinition(), (r) => stateOfFunction.get(r) ?? r);
    const local = namedTasks(synthesizeRunWorkflow(), (r) => stateOfLocalArn.get(r) ?? r);
    expect(deployed).toEqual(local);
  });

  it('logs the workflow errors to its own log group', () => {
    const machine = only(ofType('AWS::StepFunctions::StateMachine'))[1];
    const logging = machine.Properties!.LoggingConfiguration;
    expect(['ERROR', 'ALL']).toContain(logging.Level);
    const group = logging.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(resources[group]!.Type).toBe('AWS::Logs::LogGroup');
  });

  it('sizes each task Lambda from WORKFLOW_TASKS and gives it the kernel host, its secret and the AWS slice', () => {
    for (const task of WORKFLOW_TASKS) {
      const fn = resources[logicalId(stack.runs.tasks.get(task.state)!)]!.Properties!;
      expect(fn.MemorySize, task.id).toBe(task.memoryMb);
      expect(fn.Timeout, task.id).toBe(task.timeoutSeconds);
    }
    for (const id of [...taskFunctionIds(), logicalId(stack.runs.reconciler)]) {
      const env = envOf(id);
      expect(env.CELLWISE_KERNEL_HOST_URL, id).toBe(KERNEL_HOST_URL);
      expect(env.CELLWISE_KERNEL_HOST_TOKEN_SECRET, id).toEqual(secretRef());
      expect(env.CELLWISE_RUN_SLICE_SECONDS, id).toBe(String(AWS_RUN_SLICE_SECONDS));
      expect(env.CELLWISE_KERNEL_HOST_TOKEN, id).toBeUndefined();
    }
  });

  it('lets the task functions and the reconciler read and write the table and read, write and delete (revisions, staging) files', () => {
    for (const id of [...taskFunctionIds(), logicalId(stack.runs.reconciler)]) {
      expect(actionsOfRole(roleOfFunction(id)), id).toEqual(
        expect.arrayContaining([
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          's3:GetObject',
          's3:PutObject',
          's3:DeleteObject',
        ]),
      );
    }
  });

  it('lets only the routes that use the workflow, the schedule fire function and the run functions start executions, and only of this state machine', () => {
    const starters = [
      ...ROUTES.filter((r) => r.uses?.includes('workflow')).map((r) => routeFunctionId(r.id)),
      logicalId(stack.schedules.fireFunction),
    ];
    expect(starters).toContain(routeFunctionId('executeNotebook'));
    expect(starters).toContain(routeFunctionId('cancelExecution'));
    const grants = allStatements().filter((s) =>
      asList(s.statement.Action).some((a) => a.startsWith('states:')),
    );
    expect(new Set(grants.map((g) => g.role))).toEqual(
      new Set([...starters, ...runFunctionIds()].map(roleOfFunction)),
    );
    const runRoles = new Set(runFunctionIds().map(roleOfFunction));
    for (const { role, statement } of grants) {
      expect(asList(statement.Action)).toEqual(['states:StartExecution']);
      expect(asList(statement.Resource)).toEqual([
        runRoles.has(role) ? namedStateMachineArn() : stateMachineRef(),
      ]);
    }
    const machine = only(ofType('AWS::StepFunctions::StateMachine'))[1];
    expect(machine.Properties!.StateMachineName).toBe(`cellwise-${TENANT_ID}-runs`);
    const withArn = ofType('AWS::Lambda::Function').filter(([id]) => envOf(id).CELLWISE_STATE_MACHINE_ARN);
    expect(new Set(withArn.map(([id]) => id))).toEqual(new Set([...starters, ...runFunctionIds()]));
    for (const id of starters) expect(envOf(id).CELLWISE_STATE_MACHINE_ARN).toEqual(stateMachineRef());
    for (const id of runFunctionIds())
      expect(envOf(id).CELLWISE_STATE_MACHINE_ARN).toEqual(namedStateMachineArn());
  });

  it('gives every function the tenant run limit (and no queue poll interval: nothing polls)', () => {
    const withTable = ofType('AWS::Lambda::Function').filter(([id]) => envOf(id).CELLWISE_TABLE_NAME);
    expect(withTable.length).toBeGreaterThan(ROUTES.length);
    for (const [id] of withTable) {
      expect(envOf(id).CELLWISE_MAX_CONCURRENT_RUNS, id).toBe('10');
      expect(envOf(id).CELLWISE_QUEUE_POLL_SECONDS, id).toBeUndefined();
    }
  });

  it('lets only the task functions, the reconciler, the kernel host routes and the ECS agent read the token secret', () => {
    const executionRole = logicalId(stack.kernelHost.taskDefinition.executionRole!);
    const onToken = allStatements().filter(
      (s) =>
        asList(s.statement.Action).some((a) => a.startsWith('secretsmanager:')) &&
        JSON.stringify(s.statement.Resource).includes(logicalId(stack.kernelHost.token)),
    );
    expect(new Set(onToken.map((s) => s.role))).toEqual(
      new Set([...kernelHostFunctionIds().map(roleOfFunction), executionRole]),
    );
    for (const { role, statement } of onToken) {
      expect(asList(statement.Resource), role).toEqual([secretRef()]);
      if (role !== executionRole)
        expect(asList(statement.Action), role).toEqual(['secretsmanager:GetSecretValue']);
    }
    // The only other secrets read are the notebook link signing key (the authorizer, route 11)
    // and the project secrets master key (the secrets PUT route and the RunCells task).
    for (const { role, statement } of allStatements()) {
      if (!asList(statement.Action).some((a) => a.startsWith('secretsmanager:'))) continue;
      if (onToken.some((s) => s.statement === statement)) continue;
      const resource = JSON.stringify(statement.Resource);
      if (resource.includes('SecretsKey')) {
        expect(
          [...routesUsingSecretsKey(), roleOfFunction(logicalId(stack.runs.tasks.get('RunCells')!))],
          role,
        ).toContain(role);
        continue;
      }
      expect(resource, role).toContain('LinkSigningKey');
      expect([logicalId(stack.authorizerFunction.role!), ...routesUsingLinkKey()], role).toContain(role);
    }
  });

  it('places only the task functions, the reconciler, the queue sweep and the kernel host routes in the private subnets with the functions SG', () => {
    const inVpc = ofType('AWS::Lambda::Function').filter(([, fn]) => fn.Properties!.VpcConfig);
    expect(new Set(inVpc.map(([id]) => id))).toEqual(new Set(kernelHostFunctionIds()));
    const privateSubnets = privateSubnetsOf().map((s) => ({ Ref: logicalId(s) }));
    for (const [id, fn] of inVpc) {
      expect(fn.Properties!.VpcConfig.SecurityGroupIds, id).toEqual([sgId(stack.network.functionsSg)]);
      expect(fn.Properties!.VpcConfig.SubnetIds, id).toEqual(privateSubnets);
    }
  });

  it('scopes network-interface creation of VPC functions to the private subnets and the functions SG', () => {
    for (const id of kernelHostFunctionIds()) {
      const create = only(
        allStatements().filter(
          (s) =>
            s.role === roleOfFunction(id) &&
            asList(s.statement.Action).includes('ec2:CreateNetworkInterface'),
        ),
      ).statement;
      const text = JSON.stringify(create.Resource);
      expect(text).toContain(JSON.stringify(sgId(stack.network.functionsSg)));
      for (const subnet of privateSubnetsOf()) expect(text).toContain(logicalId(subnet));
    }
  });

  it('gives no route Lambda states, secretsmanager, VPC or run settings beyond what its uses says', () => {
    for (const route of ROUTES) {
      const id = routeFunctionId(route.id);
      const actions = actionsOfRole(roleOfFunction(id));
      const env = envOf(id);
      const workflow = route.uses?.includes('workflow') ?? false;
      const kernelHost = route.uses?.includes('kernelHost') ?? false;
      expect(
        actions.filter((a) => a.startsWith('states:')),
        route.id,
      ).toEqual(workflow ? ['states:StartExecution'] : []);
      const signsLinks = route.uses?.includes('linkSigningKey') ?? false;
      const sealsSecrets = route.uses?.includes('secretsKey') ?? false;
      expect(actions.filter((a) => a.startsWith('secretsmanager:')).sort(), route.id).toEqual(
        [
          ...(kernelHost ? ['secretsmanager:GetSecretValue'] : []),
          ...(signsLinks ? ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] : []),
          ...(sealsSecrets ? ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] : []),
        ].sort(),
      );
      expect(
        actions.some((a) => a.startsWith('ec2:')),
        route.id,
      ).toBe(kernelHost);
      expect(Boolean(resources[id]!.Properties!.VpcConfig), route.id).toBe(kernelHost);
      expect('CELLWISE_STATE_MACHINE_ARN' in env, route.id).toBe(workflow);
      expect('CELLWISE_KERNEL_HOST_TOKEN_SECRET' in env, route.id).toBe(kernelHost);
    }
    expect(ROUTES.find((r) => r.id === 'executeNotebook')?.uses).toEqual(['workflow']);
    expect(ROUTES.find((r) => r.id === 'health')?.uses).toEqual(['kernelHost']);
  });

  it('lets the kernel host SG receive nothing but TCP 8888 from the functions SG', () => {
    const kernelSg = sgId(stack.network.kernelHostSg);
    const functionsSg = sgId(stack.network.functionsSg);
    // Functions, kernel host, interface endpoints (tenant-network.test.ts).
    template.resourceCountIs('AWS::EC2::SecurityGroup', 3);
    for (const [, sg] of ofType('AWS::EC2::SecurityGroup')) {
      expect(sg.Properties!.SecurityGroupIngress ?? []).toEqual([]);
    }
    const ingress = only(
      ofType('AWS::EC2::SecurityGroupIngress').filter(
        ([, rule]) => JSON.stringify(rule.Properties!.GroupId) === JSON.stringify(kernelSg),
      ),
    )[1].Properties!;
    expect(ingress).toMatchObject({ GroupId: kernelSg, IpProtocol: 'tcp', FromPort: 8888, ToPort: 8888 });
    expect(ingress.SourceSecurityGroupId).toEqual(functionsSg);
    expect(ingress.CidrIp).toBeUndefined();
  });

  it('builds a two-AZ VPC with isolated private subnets, no NAT gateway, and S3 and DynamoDB endpoints', () => {
    expect(stack.network.vpc.publicSubnets).toHaveLength(0);
    expect(privateSubnetsOf()).toHaveLength(2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    const endpoints = ofType('AWS::EC2::VPCEndpoint')
      .map(([, e]) => e.Properties!)
      .filter((e) => e.VpcEndpointType === 'Gateway');
    expect(endpoints).toHaveLength(2);
    const services = endpoints.map((e) => JSON.stringify(e.ServiceName));
    expect(services.some((s) => s.includes('.s3'))).toBe(true);
    expect(services.some((s) => s.includes('.dynamodb'))).toBe(true);
  });

  it('generates the kernel host token: 48 characters, no punctuation', () => {
    const secret = resources[logicalId(stack.kernelHost.token)]!.Properties!;
    expect(secret.GenerateSecretString).toMatchObject({ PasswordLength: 48, ExcludePunctuation: true });
    expect(secret.GenerateSecretString.SecretStringTemplate).toBeUndefined();
  });

  it('runs the kernel host on Fargate in the private subnets, found as kernels.cellwise-<tenant>.internal', () => {
    const service = only(ofType('AWS::ECS::Service'))[1].Properties!;
    expect(service.LaunchType).toBe('FARGATE');
    // Application Auto Scaling owns the count (tenant-fleet.test.ts): a deployment never resets it.
    expect(service.DesiredCount).toBeUndefined();
    expect(service.NetworkConfiguration.AwsvpcConfiguration).toEqual({
      AssignPublicIp: 'DISABLED',
      SecurityGroups: [sgId(stack.network.kernelHostSg)],
      Subnets: privateSubnetsOf().map((s) => ({ Ref: logicalId(s) })),
    });
    const registry = service.ServiceRegistries[0].RegistryArn['Fn::GetAtt'][0];
    expect(resources[registry]!.Properties).toMatchObject({
      Name: 'kernels',
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: expect.any(Number) }] },
    });
    template.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', {
      Name: `cellwise-${TENANT_ID}.internal`,
    });
    template.hasOutput('KernelHostUrl', { Value: KERNEL_HOST_URL });
    template.hasOutput('StateMachineArn', { Value: stateMachineRef() });
  });

  it('builds the image from the kernel-host directory and its Dockerfile, with the SDK staged inside it as a relative build context', async () => {
    const manifest = JSON.parse(await readFile(join(outdir, `${stack.artifactId}.assets.json`), 'utf8'));
    const [hash, image] = only(Object.entries(manifest.dockerImages as Record<string, any>));
    expect(image.source.dockerFile ?? 'Dockerfile').toBe('Dockerfile');
    expect(image.source.dockerBuildContexts).toEqual({ 'kernel-sdk': 'kernel-sdk' });
    const staged = join(outdir, image.source.directory);
    expect(await readFile(join(staged, 'Dockerfile'), 'utf8')).toBe(
      readFileSync(join(REPO_ROOT, 'kernel-host/Dockerfile'), 'utf8'),
    );
    expect(await readdir(staged)).toEqual(
      expect.arrayContaining([
        'entrypoint.sh',
        'jupyter_server_config.json',
        'cellwise_kernel_host',
        'kernel-sdk',
      ]),
    );
    // The SDK as it is in the repository, byte for byte (no caches).
    for (const file of await readdir(join(REPO_ROOT, 'kernel-sdk'), { recursive: true })) {
      if (/__pycache__|\.pyc$/.test(String(file)) || !String(file).endsWith('.py')) continue;
      expect(await readFile(join(staged, 'kernel-sdk', String(file)), 'utf8'), String(file)).toBe(
        readFileSync(join(REPO_ROOT, 'kernel-sdk', String(file)), 'utf8'),
      );
    }
    const container = only(
      only(ofType('AWS::ECS::TaskDefinition'))[1].Properties!.ContainerDefinitions as any[],
    );
    expect(JSON.stringify(container.Image)).toContain(hash);
  });

  it("gives the kernel host a task role that may set its cluster's tasks' scale-in protection and nothing else", () => {
    const taskDefinition = only(ofType('AWS::ECS::TaskDefinition'))[1].Properties!;
    const taskRole = taskDefinition.TaskRoleArn['Fn::GetAtt'][0] as string;
    expect(taskRole).not.toBe(taskDefinition.ExecutionRoleArn['Fn::GetAtt'][0]);
    expect(resources[taskRole]!.Properties!.ManagedPolicyArns).toBeUndefined();
    expect(resources[taskRole]!.Properties!.Policies).toBeUndefined();
    const statement = only(allStatements().filter((s) => s.role === taskRole)).statement;
    expect(statement.Effect).toBe('Allow');
    expect(asList(statement.Action).sort()).toEqual(['ecs:GetTaskProtection', 'ecs:UpdateTaskProtection']);
    const resource = JSON.stringify(statement.Resource);
    expect(resource).toContain(':task/');
    expect(resource).toContain(logicalId(stack.kernelHost.cluster));
  });

  it('passes the token to the container as an ECS secret, never as a plain environment variable', () => {
    const container = only(
      only(ofType('AWS::ECS::TaskDefinition'))[1].Properties!.ContainerDefinitions as any[],
    );
    expect(container.Secrets).toEqual([{ Name: 'KERNEL_HOST_TOKEN', ValueFrom: secretRef() }]);
    expect(JSON.stringify(container.Environment ?? [])).not.toContain(logicalId(stack.kernelHost.token));
  });

  it('keeps a warm pool of two kernels with the default kernel limits in each kernel host task, sized as admission counts it, draining before it stops', () => {
    const taskDefinition = only(ofType('AWS::ECS::TaskDefinition'))[1].Properties!;
    const container = only(taskDefinition.ContainerDefinitions as any[]);
    expect(container.Environment).toEqual([
      { Name: 'KERNEL_HOST_POOL_SIZE', Value: '2' },
      // 8192 MiB less the server's 512; three kernels of the default 2048 MiB fit.
      { Name: 'KERNEL_HOST_MEMORY_MIB', Value: '7680' },
      { Name: 'KERNEL_HOST_MAX_KERNELS', Value: '3' },
      { Name: 'KERNEL_HOST_DRAIN_SECONDS', Value: '100' },
      { Name: 'KERNEL_HOST_DEFAULT_LIMITS', Value: '{"memoryMiB":2048,"processes":256,"diskMiB":1024}' },
    ]);
    expect(container.StopTimeout).toBe(120);
  });

  it("gives every function the tenant's kernel limits: the defaults and four times them as the maximum", () => {
    for (const fnId of [routeFunctionId('executeNotebook'), ...taskFunctionIds()]) {
      expect(envOf(fnId)).toMatchObject({
        CELLWISE_KERNEL_DEFAULT_MEMORY_MIB: '2048',
        CELLWISE_KERNEL_DEFAULT_PROCESSES: '256',
        CELLWISE_KERNEL_DEFAULT_DISK_MIB: '1024',
        // Four times the default would not fit on a kernel host (7680 MiB for kernels).
        CELLWISE_KERNEL_MAX_MEMORY_MIB: '7680',
        CELLWISE_KERNEL_MAX_PROCESSES: '1024',
        CELLWISE_KERNEL_MAX_DISK_MIB: '4096',
      });
    }
  });

  it('takes kernel limits from the props or the context, and refuses ones the kernel host would not', () => {
    const of = (context: unknown, props?: KernelLimitsProps) =>
      kernelLimitsOf(new App({ context: context === undefined ? {} : { kernelLimits: context } }), props);
    expect(of('{"defaults": {"memoryMiB": 4096}, "max": {"memoryMiB": 16384}}')).toEqual({
      defaults: { memoryMiB: 4096, processes: 256, diskMiB: 1024 },
      max: { memoryMiB: 16384, processes: 1024, diskMiB: 4096 },
    });
    expect(of(undefined, { max: { processes: 300 } }).max.processes).toBe(300);
    for (const [bad, message] of [
      ['{not json', /must be JSON/],
      [{ defaults: { memoryMiB: 64 } }, /defaults\.memoryMiB must be an integer from 128/],
      [{ max: { cpus: 2 } }, /unknown limit\(s\) cpus/],
      [{ defaults: { diskMiB: 2048 }, max: { diskMiB: 1024 } }, /default diskMiB is above the maximum/],
      [{ defaults: [] }, /must be an object/],
    ] as const) {
      expect(() => of(bad), JSON.stringify(bad)).toThrow(message);
    }
  });

  it('checks the kernel host health and sends its logs to CloudWatch', () => {
    const container = only(
      only(ofType('AWS::ECS::TaskDefinition'))[1].Properties!.ContainerDefinitions as any[],
    );
    expect(container.HealthCheck.Command.join(' ')).toContain('http://127.0.0.1:8888/api');
    expect(container.LogConfiguration.LogDriver).toBe('awslogs');
    expect(container.PortMappings).toEqual([{ ContainerPort: 8888, Protocol: 'tcp' }]);
  });

  it('sends FAILED, TIMED_OUT and ABORTED executions of this state machine to the reconciler', () => {
    // The one rule on the workflow's events (the kernel hosts' rule: tenant-fleet.test.ts).
    const rule = only(
      ofType('AWS::Events::Rule').filter(([, r]) => r.Properties!.EventPattern?.source?.[0] === 'aws.states'),
    )[1].Properties!;
    expect(rule.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: { stateMachineArn: [stateMachineRef()], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
    });
    const target = only(rule.Targets as any[]);
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [logicalId(stack.runs.reconciler), 'Arn'] });
    expect(target.RetryPolicy.MaximumRetryAttempts).toBeGreaterThanOrEqual(2);
    expect(target.RetryPolicy.MaximumEventAgeInSeconds).toBeLessThanOrEqual(24 * 3600);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack.runs.reconciler), 'Arn'] },
    });
  });
});
