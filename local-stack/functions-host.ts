/**
 * Child process: the functions that in AWS run apart from the API's route Lambdas. The run
 * workflow (Step Functions' stand-in and its task Lambdas: Prepare, RunCells with the kernel
 * websockets, Finalize, the reconciler), the webhook delivery Lambda behind the Lambda Invoke
 * API, and EventBridge Scheduler's stand-in. Kept out of the API's process so that the API
 * answers with the isolation Lambda gives it in AWS: no cell's outputs, no workflow step, no
 * schedule tick and none of CDK's memory (the workflow definition is synthesized here) share
 * its event loop or its heap. Reports its endpoints to the parent over IPC.
 */
import { positive } from '../functions/adapters/config.ts';
import { services } from '../functions/adapters/services.ts';
import {
  LOCAL_WEBHOOK_FUNCTION_NAME,
  WEBHOOK_DELIVERY_ENTRY,
  WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
} from '../infra/webhook-delivery.ts';
import { SWEEPER_ENTRY } from '../infra/workflow-tasks.ts';
import { DiagnosticsMonitor, profileFor } from './diagnostics.ts';
import type { FunctionsHostReady, FunctionsHostRequest } from './functions-host-protocol.ts';
import { installLocalRuntime } from './lambda-runtime.ts';
import { LocalLambdaService } from './lambda-service.ts';
import { QueueSweep } from './queue-sweep.ts';
import { ScheduleLoop } from './schedule-loop.ts';
import { LOCAL_STATE_MACHINE_ARN, LocalWorkflowService } from './workflow-service.ts';

const dataDir = process.argv[2]!;
/** How long running runs get to stop (interrupt, record, finalize) on shutdown. */
const RUN_DRAIN_MS = 20_000;

const diagnostics = new DiagnosticsMonitor();
let stopping = false;

// Handlers run side by side in this process as in Lambda's multi-concurrency runtime.
await installLocalRuntime();

// The webhook delivery worker behind the Lambda Invoke API, kicked after run ends and swept
// every second (the AWS schedule runs every minute).
const functions = await LocalLambdaService.start([
  {
    name: LOCAL_WEBHOOK_FUNCTION_NAME,
    entry: WEBHOOK_DELIVERY_ENTRY,
    timeoutSeconds: WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
  },
]);
Object.assign(process.env, {
  CELLWISE_LAMBDA_ENDPOINT: functions.endpoint,
  CELLWISE_WEBHOOK_FUNCTION_NAME: LOCAL_WEBHOOK_FUNCTION_NAME,
  CELLWISE_STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
});
const workflow = await LocalWorkflowService.start(dataDir);
process.env.CELLWISE_SFN_ENDPOINT = workflow.endpoint;

// EventBridge Scheduler's stand-in: fires notebook schedules (the latest one missed while
// stopped, once), through the same fire use-case as the AWS fire Lambda.
// `CELLWISE_LOCAL_SCHEDULER=off` (the test stack): schedules are kept but only fired by loops
// a caller builds with its own clock, so a test's cron never fires on the wall clock.
let schedules: ScheduleLoop | undefined;
if (process.env.CELLWISE_LOCAL_SCHEDULER !== 'off') {
  schedules = new ScheduleLoop(services(), {
    onFire: (s, at, outcome) => console.log(`Cellwise: schedule of ${s.notebookId} at ${at}: ${outcome}`),
    onError: (error) => console.error(`Cellwise: schedule loop: ${error}`),
  });
  schedules.start();
}
// The webhook schedule rule's stand-in: due deliveries (retries) are swept every second.
functions.service.every(LOCAL_WEBHOOK_FUNCTION_NAME, 1000);
// The queue sweep's rules' stand-ins: a timer (EventBridge's is every minute) and the local
// fleet's "host joined" (ECS's task state change), each invoking the sweep Lambda's handler.
const sweep = new QueueSweep(SWEEPER_ENTRY, positive(process.env, 'CELLWISE_QUEUE_SWEEP_SECONDS', 60) * 1000);
await sweep.start();

/**
 * Asks every running run to stop (its task interrupts the kernel; Finalize records the
 * outputs so far and ends it Error/ServiceStopped), and waits for their workflows. Queued
 * runs are left queued: the next start runs them.
 */
async function stopRuns() {
  const s = services();
  const active = await s.runs.listActive().catch(() => []);
  await Promise.all(
    active.map((p) =>
      s.runs.update(p, { cancelRequested: true, stopReason: 'shutdown' }, ['Running']).catch(() => false),
    ),
  );
  await workflow.service.drain(RUN_DRAIN_MS);
}

async function stop() {
  if (stopping) return;
  stopping = true;
  await schedules?.stop();
  await sweep.stop();
  await stopRuns().catch((error) => console.error(`Cellwise: stopping runs failed: ${error}`));
  // Deliveries in flight finish (each attempt is bounded); pending ones wait for the next start.
  await functions.service.drain(12_000);
  process.exit(0);
}

process.on('message', (message: FunctionsHostRequest) => {
  if (message.type === 'stop') void stop();
  if (message.type === 'host-changed') sweep.hostChanged(message.hostId, message.status);
  if (message.type === 'diagnostics') {
    process.send?.({ type: 'diagnostics', id: message.id, diagnostics: diagnostics.snapshot(message.reset) });
  }
  if (message.type === 'profile') {
    void profileFor(message.ms).then((profile) =>
      process.send?.({ type: 'profile', id: message.id, profile }),
    );
  }
});
// The parent is gone (killed): so are its runs; the next start reconciles them.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => undefined);

const ready: FunctionsHostReady = {
  type: 'ready',
  sfnEndpoint: workflow.endpoint,
  stateMachineArn: LOCAL_STATE_MACHINE_ARN,
  lambdaEndpoint: functions.endpoint,
  webhookFunctionName: LOCAL_WEBHOOK_FUNCTION_NAME,
};
process.send?.(ready);
