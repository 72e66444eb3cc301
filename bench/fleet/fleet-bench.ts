import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { createAwsClients } from '../../functions/adapters/aws-clients.ts';
import { loadConfig } from '../../functions/adapters/config.ts';
import { DynamoRunStore } from '../../functions/adapters/dynamo-run-store.ts';
import { freePort } from '../../local-stack/free-port.ts';
import { type RunningStack, spawnStack } from '../../local-stack/spawn-stack.ts';
import { LOCAL_STATE_MACHINE_ARN } from '../../local-stack/workflow-service.ts';
import { CellwiseClient } from '../cellwise-client.ts';
import type { Cleanup } from '../cleanup.ts';
import { percentile, uploadNotebook } from '../engine/measure.ts';
import { sleeperNotebook, trivialNotebook } from '../engine/notebooks.ts';

/**
 * Issue 16's capacity figures, by shape (2 cores: more hosts here add kernels, not speed):
 * runs admitted next to the fleet's capacity with 1 and with 3 local kernel hosts (2 kernels
 * each), the queue wait of 50 runs behind 2 slots next to the ideal wait for the measured run
 * times, and the workflow history of a run that waited in the queue next to one that did not.
 */

/** Kernels per local host in this bench (CELLWISE_KERNEL_HOST_MAX_KERNELS). */
const KERNELS_PER_HOST = 2;

interface RunView {
  executionId: string;
  status: string;
  dateCreated: string;
  startTime: string | null;
  endTime: string | null;
  kernelHost: string | null;
}

export interface CapacityFigure {
  hosts: number;
  capacity: number;
  submitted: number;
  admittedAtOnce: number;
  maxRunningAtOnce: number;
  hostsUsed: number;
  requeued: number;
  completed: number;
  makespanSeconds: number;
}

export interface FleetReport {
  capacity: CapacityFigure[];
  queue: {
    runs: number;
    slots: number;
    waitP50: number;
    waitP99: number;
    idealP50: number;
    idealP99: number;
  };
  history: { waitedSeconds: number; eventsWaited: number; eventsDirect: number; sameTypes: boolean };
}

async function fleetStack(
  cleanup: Cleanup,
  dataDir: string,
  hosts: number,
  env: Record<string, string> = {},
) {
  const stack = await spawnStack(
    {
      CELLWISE_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      CELLWISE_DEMO: 'off',
      CELLWISE_LOCAL_SCHEDULER: 'off',
      CELLWISE_KERNEL_HOSTS: String(hosts),
      CELLWISE_KERNEL_HOST_MAX_KERNELS: String(KERNELS_PER_HOST),
      CELLWISE_MAX_CONCURRENT_RUNS: '50',
      ...env,
    },
    120_000,
  );
  cleanup.add(`stop the ${hosts}-host stack`, () => stack.stop());
  return stack;
}

async function waitAll(client: CellwiseClient, runs: { notebookId: string; executionId: string }[]) {
  const views: RunView[] = [];
  for (const run of runs) {
    for (;;) {
      const view = await client.expect<RunView>(
        200,
        'GET',
        `/notebook/${run.notebookId}/execution/${run.executionId}`,
      );
      if (['Completed', 'Error', 'Cancelled'].includes(view.status)) {
        views.push(view);
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return views;
}

function maxOverlap(runs: RunView[]): number {
  const events = runs
    .filter((r) => r.startTime && r.endTime)
    .flatMap((r) => [
      { at: Date.parse(r.startTime!), delta: 1 },
      { at: Date.parse(r.endTime!), delta: -1 },
    ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let max = 0;
  for (const e of events) {
    now += e.delta;
    max = Math.max(max, now);
  }
  return max;
}

/** Submits `count` runs of `seconds` at once; what was admitted, how many ran at once, where. */
async function capacityFigure(stack: RunningStack, hosts: number, count: number, seconds: number) {
  const client = new CellwiseClient(stack.info);
  const ids = await Promise.all(
    Array.from({ length: count }, (_, i) => uploadNotebook(client, `sleeper-${i}`, sleeperNotebook(seconds))),
  );
  const t0 = Date.now();
  const started = await Promise.all(
    ids.map(async (notebookId) => {
      const run = await client.expect<RunView>(202, 'POST', `/notebook/${notebookId}/execute`, {});
      return { notebookId, executionId: run.executionId, status: run.status };
    }),
  );
  const views = await waitAll(client, started);
  const store = new DynamoRunStore(createAwsClients(loadConfig(envOf(stack))).dynamodb, stack.info.tableName);
  const records = await Promise.all(
    started.map((r) => store.get({ tenantId: stack.info.tenantId, projectId: stack.info.projectId, ...r })),
  );
  return {
    hosts,
    capacity: hosts * KERNELS_PER_HOST,
    submitted: count,
    admittedAtOnce: started.filter((r) => r.status === 'Running').length,
    maxRunningAtOnce: maxOverlap(views),
    hostsUsed: new Set(views.map((v) => v.kernelHost)).size,
    requeued: records.filter((r) => r && r.workflowName !== r.executionId).length,
    completed: views.filter((v) => v.status === 'Completed').length,
    makespanSeconds: (Math.max(...views.map((v) => Date.parse(v.endTime!))) - t0) / 1000,
  } satisfies CapacityFigure;
}

/** 50 one-cell runs submitted at once behind 2 slots: each one's wait (submission → start). */
async function queueFigure(stack: RunningStack) {
  const client = new CellwiseClient(stack.info);
  const runs = 50;
  const ids = await Promise.all(
    Array.from({ length: runs }, (_, i) => uploadNotebook(client, `queued-${i}`, trivialNotebook(1))),
  );
  const started = [];
  for (const notebookId of ids) {
    const run = await client.expect<RunView>(202, 'POST', `/notebook/${notebookId}/execute`, {});
    started.push({ notebookId, executionId: run.executionId });
  }
  const views = await waitAll(client, started);
  const waits = views.map((v) => (Date.parse(v.startTime!) - Date.parse(v.dateCreated)) / 1000);
  // The ideal: a slot passed on the instant a run ends, so the k-th run (in start order) waits
  // for the runs before it on its slot, at the measured run times.
  const durations = [...views]
    .sort((a, b) => Date.parse(a.startTime!) - Date.parse(b.startTime!))
    .map((v) => (Date.parse(v.endTime!) - Date.parse(v.startTime!)) / 1000);
  const submitted = Math.min(...views.map((v) => Date.parse(v.dateCreated)));
  const slotFree = [0, 0];
  const ideal = durations.map((d, k) => {
    const slot = slotFree[0]! <= slotFree[1]! ? 0 : 1;
    const arrival = (Date.parse(views[k]!.dateCreated) - submitted) / 1000;
    const start = Math.max(slotFree[slot]!, arrival);
    slotFree[slot] = start + d;
    return start - arrival;
  });
  return {
    runs,
    slots: 2,
    waitP50: percentile(waits, 50),
    waitP99: percentile(waits, 99),
    idealP50: percentile(ideal, 50),
    idealP99: percentile(ideal, 99),
  };
}

function envOf(stack: RunningStack): Record<string, string> {
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  return {
    AWS_REGION: 'us-east-1',
    CELLWISE_TABLE_NAME: stack.info.tableName,
    CELLWISE_BUCKET_NAME: stack.info.bucketName,
    CELLWISE_DYNAMODB_ENDPOINT: stack.info.dynamodbEndpoint,
    CELLWISE_S3_ENDPOINT: stack.info.s3Endpoint,
    CELLWISE_S3_FORCE_PATH_STYLE: 'true',
    CELLWISE_SFN_ENDPOINT: stack.info.sfnEndpoint,
    CELLWISE_STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
    CELLWISE_KERNEL_HOST_TOKEN: 'not used here',
  };
}

/**
 * A run queued behind a one-slot blocker for `waitSeconds`, and the same notebook run at once:
 * the length of each one's workflow history (GetExecutionHistory).
 */
async function historyFigure(stack: RunningStack, waitSeconds: number) {
  const client = new CellwiseClient(stack.info);
  const blocker = await uploadNotebook(client, 'blocker', sleeperNotebook(waitSeconds));
  const waiter = await uploadNotebook(client, 'waiter', trivialNotebook(3));
  const first = await client.expect<RunView>(202, 'POST', `/notebook/${blocker}/execute`, {});
  const queued = await client.expect<RunView>(202, 'POST', `/notebook/${waiter}/execute`, {});
  if (queued.status !== 'Queued') throw new Error(`the waiter was ${queued.status}, not Queued`);
  const [waited] = await waitAll(client, [{ notebookId: waiter, executionId: queued.executionId }]);
  await waitAll(client, [{ notebookId: blocker, executionId: first.executionId }]);
  const direct = await client.expect<RunView>(202, 'POST', `/notebook/${waiter}/execute`, {});
  await waitAll(client, [{ notebookId: waiter, executionId: direct.executionId }]);
  const sfn = new SFNClient({
    endpoint: stack.info.sfnEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const store = new DynamoRunStore(createAwsClients(loadConfig(envOf(stack))).dynamodb, stack.info.tableName);
  const events = async (executionId: string) => {
    const run = await store.get({
      tenantId: stack.info.tenantId,
      projectId: stack.info.projectId,
      notebookId: waiter,
      executionId,
    });
    const executionArn = `${LOCAL_STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${run!.workflowName}`;
    return ((await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? []).map(
      (e) => e.type,
    );
  };
  const [w, d] = await Promise.all([events(queued.executionId), events(direct.executionId)]);
  return {
    waitedSeconds: (Date.parse(waited!.startTime!) - Date.parse(waited!.dateCreated)) / 1000,
    eventsWaited: w.length,
    eventsDirect: d.length,
    sameTypes: JSON.stringify(w) === JSON.stringify(d),
  };
}

/** The fleet part of `npm run bench` (`npm run bench -- fleet` runs only it). */
export async function runFleetBench(
  cleanup: Cleanup,
  dir: string,
  waitSeconds: number,
  log: (message: string) => void,
): Promise<FleetReport> {
  // The history run waits on a stack of its own meanwhile (its blocker sleeps: no CPU).
  log(`fleet: a run queued for ${waitSeconds} s behind a blocker (its own stack, alongside)`);
  const historyStack = await fleetStack(cleanup, `${dir}/history`, 1, { CELLWISE_MAX_CONCURRENT_RUNS: '1' });
  const history = historyFigure(historyStack, waitSeconds);
  const capacity: CapacityFigure[] = [];
  log(`fleet: 12 runs of 5 s at once on 1 host of ${KERNELS_PER_HOST} kernels`);
  const one = await fleetStack(cleanup, `${dir}/hosts-1`, 1);
  capacity.push(await capacityFigure(one, 1, 12, 5));
  log('fleet: 50 one-cell runs submitted at once behind 2 slots');
  const queue = await queueFigure(one);
  await one.stop();
  log(`fleet: 12 runs of 5 s at once on 3 hosts of ${KERNELS_PER_HOST} kernels`);
  const three = await fleetStack(cleanup, `${dir}/hosts-3`, 3);
  capacity.push(await capacityFigure(three, 3, 12, 5));
  await three.stop();
  log('fleet: waiting for the queued run');
  return { capacity, queue, history: await history };
}

export function fleetTable(report: FleetReport): string {
  const rows = [
    '| local hosts | capacity (kernels) | runs submitted at once | admitted at once | most running at once | hosts used | put back in the queue | completed | all done after |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.capacity.map(
      (c) =>
        `| ${c.hosts} | ${c.capacity} | ${c.submitted} | ${c.admittedAtOnce} | ${c.maxRunningAtOnce} | ${c.hostsUsed} | ${c.requeued} | ${c.completed} | ${c.makespanSeconds.toFixed(1)} s |`,
    ),
  ];
  const q = report.queue;
  const h = report.history;
  return [
    ...rows,
    '',
    `Queue wait of ${q.runs} one-cell runs submitted at once behind ${q.slots} slots: p50 ${q.waitP50.toFixed(2)} s, p99 ${q.waitP99.toFixed(2)} s; ` +
      `ideal for the measured run times (a slot passed on at once) p50 ${q.idealP50.toFixed(2)} s, p99 ${q.idealP99.toFixed(2)} s ` +
      `(ratio p50 ${(q.waitP50 / Math.max(0.001, q.idealP50)).toFixed(2)}, p99 ${(q.waitP99 / Math.max(0.001, q.idealP99)).toFixed(2)})`,
    `Workflow history: a run that waited ${h.waitedSeconds.toFixed(0)} s in the queue ${h.eventsWaited} events, the same notebook run at once ${h.eventsDirect} events (${h.sameTypes ? 'the same events' : 'different events'})`,
  ].join('\n');
}
