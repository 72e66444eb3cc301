/**
 * `npm start`: the whole service on one machine. dynalite, s3rver and the kernel host
 * (Debian's jupyter_server + ipykernel) run as child processes on loopback, persisting under
 * CELLWISE_DATA_DIR; the functions host (a child process) runs the workflow CDK synthesizes
 * on a local interpreter behind the Step Functions API, the webhook delivery Lambda and the
 * schedules; this process is the API: the HTTP gateway calls the same handlers Lambda runs,
 * through the same SDK clients, configured only by endpoints.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createAwsClients } from '../functions/adapters/aws-clients.ts';
import { loadConfig } from '../functions/adapters/config.ts';
import { DynamoTenancyStore } from '../functions/adapters/dynamo-tenancy-store.ts';
import { services } from '../functions/adapters/services.ts';
import { reconcileActiveRuns } from '../functions/core/use-cases/reconcile-runs.ts';
import { type ChildService, startChild } from './child-services.ts';
import { privateDataDir } from './data-dir.ts';
import { seedDemo } from './demo.ts';
import { DiagnosticsMonitor, profileFor } from './diagnostics.ts';
import { type FunctionsHost, startFunctionsHost } from './functions-host-process.ts';
import { startGateway } from './http-gateway.ts';
import { LocalKernelFleet } from './kernel-fleet.ts';
import { localKernelTypes } from './kernel-host.ts';
import { installLocalRuntime } from './lambda-runtime.ts';
import { localLinkSigningKey, localSecretsKey } from './link-key.ts';
import { ensureBucket, ensureTable } from './provision-storage.ts';
import { seedTenancy } from './seed.ts';

const projectRoot = resolve(new URL('..', import.meta.url).pathname);
const dataDir = resolve(process.env.CELLWISE_DATA_DIR ?? join(projectRoot, '.cellwise'));
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const children: ChildService[] = [];
let kernelFleet: LocalKernelFleet | undefined;
let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
let functions: FunctionsHost | undefined;
let stopping = false;
const diagnostics = new DiagnosticsMonitor();

/**
 * Stops accepting requests, lets in-flight ones finish (10 s at most), has the functions host
 * stop running runs and deliveries, then stops the other children.
 */
async function shutdown(signal: string, code = 0) {
  if (stopping) return;
  stopping = true;
  console.log(`Cellwise: ${signal} received, stopping`);
  const server = gateway?.server;
  if (server) {
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeIdleConnections();
      setTimeout(() => {
        server.closeAllConnections();
        done();
      }, 10_000).unref();
    });
  }
  await functions?.stop();
  await Promise.all([...children.map((c) => c.stop()), kernelFleet?.stop()]);
  console.log('Cellwise: stopped');
  process.exit(code);
}

// Installed before anything starts, so a signal during start-up also stops cleanly.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

async function main() {
  // Handlers run side by side in this process as in Lambda's multi-concurrency runtime.
  await installLocalRuntime();
  await privateDataDir(dataDir);
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  await mkdir(join(dataDir, 's3'), { recursive: true });
  const [dynamo, s3, fleet] = await Promise.all([
    startChild('dynalite', './dynalite-process.ts', [join(dataDir, 'dynamodb')]),
    startChild('s3rver', './s3rver-process.ts', [join(dataDir, 's3')], ['--openssl-legacy-provider']),
    // Kernel hosts: a lost one is started again, the service goes on (kernel-fleet.ts).
    LocalKernelFleet.start(dataDir, Number(process.env.CELLWISE_KERNEL_HOSTS || '1'), {
      lost: (i, code, hostId) => {
        console.error(
          `Cellwise: kernel host ${i} exited (code ${code}); its runs end KernelHostLost; starting it again`,
        );
        functions?.hostChanged(hostId, 'STOPPED');
      },
      // As ECS's task state change wakes the sweep in AWS: the host's capacity is counted now.
      restarted: (i, host, hostId) => {
        console.log(`Cellwise: kernel host ${i} is back at ${host.baseUrl}`);
        functions?.hostChanged(hostId, 'RUNNING');
      },
      failed: (i, error) => console.error(`Cellwise: kernel host ${i} could not start: ${error}`),
    }),
  ]);
  kernelFleet = fleet;
  children.push(dynamo, s3);
  const kernels = [...fleet.running.values()][0]!;

  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER', // s3rver's built-in key pair; dynalite accepts any
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    CELLWISE_TABLE_NAME: process.env.CELLWISE_TABLE_NAME ?? 'cellwise',
    CELLWISE_BUCKET_NAME: process.env.CELLWISE_BUCKET_NAME ?? 'cellwise-local',
    CELLWISE_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamo.port}`,
    CELLWISE_S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
    CELLWISE_S3_FORCE_PATH_STYLE: 'true',
    CELLWISE_KERNEL_HOST_URL: kernels.baseUrl,
    CELLWISE_KERNEL_HOSTS_FILE: fleet.directoryFile,
    CELLWISE_KERNEL_HOST_TOKEN: fleet.token,
    CELLWISE_LINK_SIGNING_KEY: process.env.CELLWISE_LINK_SIGNING_KEY ?? (await localLinkSigningKey(dataDir)),
    CELLWISE_SECRETS_KEY: process.env.CELLWISE_SECRETS_KEY ?? (await localSecretsKey(dataDir)),
    CELLWISE_RUN_SLICE_SECONDS: process.env.CELLWISE_RUN_SLICE_SECONDS ?? '60',
    CELLWISE_KERNELS: process.env.CELLWISE_KERNELS || (await localKernelTypes()).join(','),
  });
  const config = loadConfig();
  const clients = createAwsClients(config);
  await ensureTable(clients.dynamodb, config.tableName);
  await ensureBucket(clients.s3, config.bucketName);
  const seed = await seedTenancy(new DynamoTenancyStore(clients.dynamodb, config.tableName), dataDir);
  // The workflow, the webhook delivery Lambda and the schedules: a process of their own.
  functions = await startFunctionsHost(dataDir);
  const { sfnEndpoint, stateMachineArn, lambdaEndpoint, webhookFunctionName } = functions.endpoints;
  Object.assign(process.env, {
    CELLWISE_SFN_ENDPOINT: sfnEndpoint,
    CELLWISE_STATE_MACHINE_ARN: stateMachineArn,
    CELLWISE_LAMBDA_ENDPOINT: lambdaEndpoint,
    CELLWISE_WEBHOOK_FUNCTION_NAME: webhookFunctionName,
  });
  children.push({ name: 'functions host', port: 0, process: functions.process, stop: functions.stop });

  const { diagnostics: functionsDiagnostics, profile: functionsProfile } = functions;
  gateway = await startGateway(port, host, {
    diagnostics: async (reset) => ({
      api: diagnostics.snapshot(reset),
      functions: await functionsDiagnostics(reset),
    }),
    profile: (ms, which) => (which === 'functions' ? functionsProfile(ms) : profileFor(ms)),
  });
  const baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${gateway.port}`;
  process.env.CELLWISE_PUBLIC_BASE_URL ??= baseUrl;
  // Every variable the handlers read is set: the first services() call below fixes them.
  // Runs the previous process left behind (killed mid-run): end them, or queue them again.
  const reconciled = await reconcileActiveRuns(services(), {
    errorType: 'ServiceRestarted',
    errorMessage: 'The service stopped during the run and was restarted',
  });
  if (reconciled.finalized + reconciled.requeued > 0) {
    console.log(`Cellwise: reconciled runs left by the last process: ${JSON.stringify(reconciled)}`);
  }
  // The demo (once per data dir): the demo event log as a dataset and a starter notebook bound to it.
  const demo = await seedDemo(services(), seed, dataDir).catch((error) => {
    console.error(`Cellwise: the demo dataset and notebook could not be created: ${error}`);
    return undefined;
  });
  console.log(`
Cellwise is running (embedded stack: dynalite, s3rver, ${fleet.running.size} Jupyter Server ${kernels.version} kernel host(s), local Step Functions; data in ${dataDir})

  Base URL    ${baseUrl}
  Tenant id   ${seed.tenantId}
  Project id  ${seed.projectId}
  API token   ${seed.token}
${
  demo
    ? `
  Demo dataset   ${demo.datasetId} (Demo loan applications)
  Demo notebook  ${demo.notebookId} (process_mining_starter, bound to the demo dataset)
  run it: curl -X POST -H "Authorization: Bearer ${seed.token}" -H 'Content-Type: application/json' -d '{}' ${baseUrl}/api/${seed.tenantId}/${seed.projectId}/notebook/${demo.notebookId}/execute
`
    : ''
}
  try: curl -H "Authorization: Bearer ${seed.token}" ${baseUrl}/api/${seed.tenantId}/${seed.projectId}/notebooks
`);
  // One machine-readable line for scripts and tests.
  const endpoints = {
    dynamodbEndpoint: config.dynamodbEndpoint,
    s3Endpoint: config.s3Endpoint,
    tableName: config.tableName,
    bucketName: config.bucketName,
    sfnEndpoint,
  };
  await writeFile(join(dataDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2));
  console.log(
    `CELLWISE_READY ${JSON.stringify({ baseUrl, ...seed, dataDir, ...endpoints, demo: demo ?? null })}`,
  );

  for (const child of children) {
    child.process.on('exit', (code) => {
      if (stopping) return;
      console.error(`Cellwise: ${child.name} exited unexpectedly (code ${code}); stopping`);
      void shutdown('child exit', 1);
    });
  }
}

main().catch((error) => {
  console.error(`Cellwise failed to start: ${error instanceof Error ? error.stack : error}`);
  void shutdown('start-up failure', 1);
});
