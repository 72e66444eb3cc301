import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { log } from '../functions/observability/logger.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION, synthesizeRunWorkflow } from '../infra/run-workflow.ts';
import { RECONCILER_ENTRY, WORKFLOW_TASKS } from '../infra/workflow-tasks.ts';
import { lambdaContext } from './api-gateway-event.ts';
import { invokeLocally } from './lambda-runtime.ts';

type TaskHandler = (event: unknown, context: Context) => Promise<unknown>;

interface Execution {
  arn: string;
  name: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  error?: string;
  cause?: string;
  abort: () => void;
  done: Promise<void>;
  /** The execution's history as the interpreter logs it (GetExecutionHistory). */
  events: { id: number; type: string; timestamp: number }[];
}

export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:cellwise-runs`;

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

async function load(root: URL, entry: string): Promise<TaskHandler> {
  const module = await import(new URL(entry, root).href);
  if (typeof module.handler !== 'function') throw new Error(`${entry} exports no handler`);
  return module.handler as TaskHandler;
}

/**
 * The local Step Functions: the run workflow's definition as CDK synthesizes it, executed by
 * `aws-local-stepfunctions`, behind the Step Functions API (AWS JSON 1.0: StartExecution,
 * DescribeExecution, StopExecution, GetExecutionHistory), so the service starts runs through
 * the real SFN client. The history holds the interpreter's events (execution started and
 * ended, each state entered and exited, as `TaskStateEntered`...), not the Lambda scheduling
 * events AWS adds between them.
 * Task states call the manifest's handler modules in-process with a Lambda-like context;
 * an execution that fails, times out or is stopped goes to the reconciler handler, as
 * EventBridge delivers the status-change event in AWS.
 */
export class LocalWorkflowService {
  private readonly executions = new Map<string, Execution>();
  private server: Server | undefined;
  private stopping = false;

  private constructor(
    private readonly machine: StateMachine,
    private readonly handlers: Map<string, TaskHandler>,
    private readonly reconciler: TaskHandler,
  ) {}

  /** Synthesizes the definition (written to `<dataDir>/workflow/`), loads the handlers, listens on loopback. */
  static async start(dataDir: string): Promise<{ service: LocalWorkflowService; endpoint: string }> {
    const definition = synthesizeRunWorkflow();
    await mkdir(join(dataDir, 'workflow'), { recursive: true });
    await writeFile(join(dataDir, 'workflow', 'run-workflow.asl.json'), JSON.stringify(definition, null, 2));
    const root = pathToFileURL(`${new URL('..', import.meta.url).pathname}`);
    const handlers = new Map<string, TaskHandler>();
    for (const task of WORKFLOW_TASKS) handlers.set(task.state, await load(root, task.entry));
    const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    const service = new LocalWorkflowService(machine, handlers, await load(root, RECONCILER_ENTRY));
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '').replace('AWSStepFunctions.', '');
        let status = 200;
        let body: unknown;
        try {
          body = service.call(target, JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
        } catch (error) {
          status = 400;
          const e =
            error instanceof ApiError ? error : new ApiError('InvalidParameterValueException', String(error));
          body = { __type: e.type, message: e.message };
        }
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      });
    });
    service.server = server;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { service, endpoint: `http://127.0.0.1:${port}` };
  }

  private call(action: string, request: Record<string, unknown>): unknown {
    switch (action) {
      case 'StartExecution':
        return this.startExecution(request);
      case 'DescribeExecution':
        return this.describe(this.find(request.executionArn));
      case 'GetExecutionHistory': {
        const events = this.find(request.executionArn).events;
        return { events: request.reverseOrder === true ? [...events].reverse() : events };
      }
      case 'StopExecution': {
        const execution = this.find(request.executionArn);
        if (execution.status === 'RUNNING') {
          execution.error = String(request.error ?? '');
          execution.cause = String(request.cause ?? '');
          execution.abort();
        }
        return { stopDate: Date.now() / 1000 };
      }
      default:
        throw new ApiError(
          'UnknownOperationException',
          `The local workflow service does not implement ${action}`,
        );
    }
  }

  private find(arn: unknown): Execution {
    const execution = this.executions.get(String(arn));
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution does not exist: '${String(arn)}'`);
    return execution;
  }

  private describe(e: Execution) {
    return {
      executionArn: e.arn,
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      name: e.name,
      status: e.status,
      startDate: e.startDate.getTime() / 1000,
      ...(e.stopDate ? { stopDate: e.stopDate.getTime() / 1000 } : {}),
      input: e.input,
      ...(e.error ? { error: e.error } : {}),
      ...(e.cause ? { cause: e.cause } : {}),
    };
  }

  private startExecution(request: Record<string, unknown>) {
    if (request.stateMachineArn !== LOCAL_STATE_MACHINE_ARN) {
      throw new ApiError(
        'StateMachineDoesNotExist',
        `State machine does not exist: '${String(request.stateMachineArn)}'`,
      );
    }
    const name = String(request.name ?? randomUUID());
    const arn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:cellwise-runs:${name}`;
    if (this.executions.has(arn))
      throw new ApiError('ExecutionAlreadyExists', `Execution already exists: '${arn}'`);
    const input = String(request.input ?? '{}');
    const overrides = Object.fromEntries(
      [...this.handlers].map(([state, handler]) => {
        const task = WORKFLOW_TASKS.find((t) => t.state === state)!;
        return [
          state,
          (event: unknown) =>
            invokeLocally(handler, event, lambdaContext(task.id, task.timeoutSeconds, randomUUID())) as never,
        ];
      }),
    );
    const startDate = new Date();
    const run = this.machine.run(JSON.parse(input), {
      overrides: { taskResourceLocalHandlers: overrides },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: arn, Name: name, Input: JSON.parse(input), StartTime: startDate.toISOString() },
      },
    });
    const execution: Execution = {
      arn,
      name,
      input,
      status: 'RUNNING',
      startDate,
      abort: run.abort,
      done: Promise.resolve(),
      events: [],
    };
    void (async () => {
      for await (const event of run.eventLogs) {
        // A state's events are named by its type, as in AWS: `TaskStateEntered`, `ChoiceStateExited`.
        const type = 'state' in event ? `${event.state.type}${event.type}` : event.type;
        execution.events.push({ id: execution.events.length + 1, type, timestamp: event.timestamp / 1000 });
      }
    })().catch(() => undefined);
    execution.done = run.result
      .then(
        (result) => {
          execution.status = result === null ? 'ABORTED' : 'SUCCEEDED';
        },
        (error: Error) => {
          execution.status = error.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
          execution.error = error.name;
          execution.cause = error.message;
        },
      )
      .then(() => this.ended(execution));
    this.executions.set(arn, execution);
    return { executionArn: arn, startDate: startDate.getTime() / 1000 };
  }

  /** Status-change events go to the reconciler, as EventBridge delivers them in AWS. */
  private async ended(execution: Execution): Promise<void> {
    execution.stopDate = new Date();
    // Aborted by a shutdown: the next start reconciles (or re-queues) the run.
    if (execution.status === 'SUCCEEDED' || this.stopping) return;
    const event = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: LOCAL_ACCOUNT,
      time: execution.stopDate.toISOString(),
      region: LOCAL_REGION,
      resources: [execution.arn],
      detail: this.describe(execution),
    };
    await invokeLocally(this.reconciler, event, lambdaContext('Reconciler', 60, randomUUID())).catch(
      (error: Error) => log('error', 'reconciler failed', { error }),
    );
  }

  /** Executions still running. */
  running(): Execution[] {
    return [...this.executions.values()].filter((e) => e.status === 'RUNNING');
  }

  /** Waits (up to `timeoutMs`) for running executions to end; aborts the rest (they are reconciled on the next start). */
  async drain(timeoutMs: number): Promise<void> {
    const pending = this.running().map((e) => e.done);
    await Promise.race([
      Promise.all(pending),
      new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    this.stopping = true;
    for (const execution of this.running()) execution.abort();
    this.server?.close();
  }
}
