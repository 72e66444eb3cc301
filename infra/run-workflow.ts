import { App, Duration, Stack } from 'aws-cdk-lib';
import { type IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  type IChainable,
  type LogOptions,
  StateMachine,
  StateMachineType,
  Succeed,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { WORKFLOW_TASKS, type WorkflowTask } from './workflow-tasks.ts';

type TaskFunctions = Record<WorkflowTask['state'], IFunction>;

/** The longest run (`timeout` ≤ 24 h) plus starting and finalizing (a run waits in the queue without a workflow). */
const WORKFLOW_TIMEOUT = Duration.hours(26);

/**
 * THE run workflow (JSONPath, no JSONata or Assign, so the local interpreter runs it too):
 *
 *     Prepare ──► Started? ──► RunCells ◄──┐ ──► MoreCells? ──► Finalize ──► Done
 *        │            │           │       └──────────┤             ▲
 *        │            └───────────┴── requeued ──────┴──► Requeued │
 *        └─ Catch ──── RunCells Catch ─────────────────────────────┘
 *
 * A workflow is started for an admitted run only: a run that waits for a slot waits in
 * DynamoDB, with no execution at all (see `functions/core/use-cases/admission.ts`). A run put
 * back in the queue before its first cell (no host had room, its host was lost) ends its
 * execution at `Requeued`; its next admission starts a new one (a name per attempt).
 *
 * The state carries only the run's ids (`$.step` is the last task's `{next}`; `$.error` a
 * caught failure); outputs live in S3 and progress in DynamoDB. Lambda results are read
 * unwrapped (payloadResponseOnly), as the local interpreter returns them.
 */
/** A Task state's timeout beyond its Lambda's (the invoke itself, a cold start). */
const TASK_TIMEOUT_MARGIN_SECONDS = 30;

export function runWorkflowDefinition(scope: Construct, tasks: TaskFunctions): IChainable {
  const invoke = (state: WorkflowTask['state']) =>
    new LambdaInvoke(scope, state, {
      lambdaFunction: tasks[state],
      payloadResponseOnly: true,
      resultPath: '$.step',
      retryOnServiceExceptions: true,
      // The state waits as long as its Lambda may run (and no longer): without it an ASL Task
      // state times out after 60 s (the local interpreter applies that default), which a
      // RunCells task working its 60 s slice exceeds.
      taskTimeout: Timeout.duration(
        Duration.seconds(
          WORKFLOW_TASKS.find((t) => t.state === state)!.timeoutSeconds + TASK_TIMEOUT_MARGIN_SECONDS,
        ),
      ),
    }).addRetry({
      errors: ['Lambda.TooManyRequestsException'],
      interval: Duration.seconds(1),
      maxAttempts: 8,
      backoffRate: 2,
    });
  const finalize = invoke('Finalize').addRetry({
    errors: ['States.ALL'],
    interval: Duration.seconds(2),
    maxAttempts: 4,
    backoffRate: 2,
  });
  finalize.next(new Succeed(scope, 'Done'));
  const runCells = invoke('RunCells').addCatch(finalize, { errors: ['States.ALL'], resultPath: '$.error' });
  const requeued = new Succeed(scope, 'Requeued');
  const more = new Choice(scope, 'MoreCells?')
    .when(Condition.stringEquals('$.step.next', 'run'), runCells)
    .when(Condition.stringEquals('$.step.next', 'requeued'), requeued)
    .otherwise(finalize);
  runCells.next(more);
  const prepare = invoke('Prepare')
    .addRetry({
      errors: ['States.TaskFailed'],
      interval: Duration.seconds(1),
      maxAttempts: 2,
      backoffRate: 2,
    })
    .addCatch(finalize, { errors: ['States.ALL'], resultPath: '$.error' });
  return prepare.next(
    new Choice(scope, 'Started?')
      .when(Condition.stringEquals('$.step.next', 'run'), runCells)
      .when(Condition.stringEquals('$.step.next', 'requeued'), requeued)
      .otherwise(finalize),
  );
}

export interface RunWorkflowProps {
  tasks: TaskFunctions;
  /** The state machine's name (its ARN is then known before it exists: the tasks start runs too). */
  stateMachineName?: string;
  logs?: LogOptions;
  /** X-Ray traces of the executions (the tenant stack turns it on). */
  tracing?: boolean;
}

/** The run workflow's Standard state machine. */
export class RunWorkflow extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: RunWorkflowProps) {
    super(scope, id);
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(runWorkflowDefinition(this, props.tasks)),
      ...(props.stateMachineName ? { stateMachineName: props.stateMachineName } : {}),
      timeout: WORKFLOW_TIMEOUT,
      ...(props.logs ? { logs: props.logs } : {}),
      ...(props.tracing ? { tracingEnabled: true } : {}),
    });
  }
}

/** The fake account and region of the local stack's ARNs. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

export const localTaskArn = (task: WorkflowTask) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:cellwise-${task.id}`;

/**
 * Synthesizes the run workflow with CDK, exactly as the tenant stack does, with the task
 * Lambdas imported by fixed local ARNs, and returns the Amazon States Language definition
 * CloudFormation would receive. The local stack runs this very document.
 */
export function synthesizeRunWorkflow(): Record<string, unknown> {
  const app = new App({ outdir: undefined });
  const stack = new Stack(app, 'CellwiseLocalWorkflow', {
    env: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
  });
  const tasks = Object.fromEntries(
    WORKFLOW_TASKS.map((t) => [t.state, LambdaFunction.fromFunctionArn(stack, t.id, localTaskArn(t))]),
  ) as TaskFunctions;
  new RunWorkflow(stack, 'RunWorkflow', { tasks });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { DefinitionString: unknown } }>;
  };
  const machine = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (!machine) throw new Error('the synthesized template has no state machine');
  return JSON.parse(resolveDefinitionString(machine.Properties.DefinitionString));
}

/** A DefinitionString that is a string, or an Fn::Join of strings (no unresolved references). */
export function resolveDefinitionString(value: unknown, placeholder?: (token: unknown) => string): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`unexpected DefinitionString: ${JSON.stringify(value).slice(0, 200)}`);
  return join[1]
    .map((part) => {
      if (typeof part === 'string') return part;
      if (placeholder) return placeholder(part);
      throw new Error(`unresolved reference in the definition: ${JSON.stringify(part)}`);
    })
    .join(join[0]);
}
