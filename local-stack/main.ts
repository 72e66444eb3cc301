/**
 * `npm start`: the whole service on one machine. dynalite and s3rver run as child processes
 * on loopback, persisting under CELLWISE_DATA_DIR; the HTTP gateway calls the same handlers
 * Lambda runs, through the same SDK clients, configured only by endpoints.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createAwsClients } from '../functions/adapters/aws-clients.ts';
import { loadConfig } from '../functions/adapters/config.ts';
import { DynamoTenancyStore } from '../functions/adapters/dynamo-tenancy-store.ts';
import { type ChildService, startChild } from './child-services.ts';
import { startGateway } from './http-gateway.ts';
import { ensureBucket, ensureTable } from './provision-storage.ts';
import { seedTenancy } from './seed.ts';

const projectRoot = resolve(new URL('..', import.meta.url).pathname);
const dataDir = resolve(process.env.CELLWISE_DATA_DIR ?? join(projectRoot, '.cellwise'));
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

const children: ChildService[] = [];
let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
let stopping = false;

/** Stops accepting requests, lets in-flight ones finish (10 s at most), then stops the emulators. */
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
  await Promise.all(children.map((c) => c.stop()));
  console.log('Cellwise: stopped');
  process.exit(code);
}

// Installed before anything starts, so a signal during start-up also stops cleanly.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

async function main() {
  await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
  await mkdir(join(dataDir, 's3'), { recursive: true });
  const [dynamo, s3] = await Promise.all([
    startChild('dynalite', './dynalite-process.ts', [join(dataDir, 'dynamodb')]),
    startChild('s3rver', './s3rver-process.ts', [join(dataDir, 's3')], ['--openssl-legacy-provider']),
  ]);
  children.push(dynamo, s3);

  Object.assign(process.env, {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER', // s3rver's built-in key pair; dynalite accepts any
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    CELLWISE_TABLE_NAME: process.env.CELLWISE_TABLE_NAME ?? 'cellwise',
    CELLWISE_BUCKET_NAME: process.env.CELLWISE_BUCKET_NAME ?? 'cellwise-local',
    CELLWISE_DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamo.port}`,
    CELLWISE_S3_ENDPOINT: `http://127.0.0.1:${s3.port}`,
    CELLWISE_S3_FORCE_PATH_STYLE: 'true',
  });
  const config = loadConfig();
  const clients = createAwsClients(config);
  await ensureTable(clients.dynamodb, config.tableName);
  await ensureBucket(clients.s3, config.bucketName);
  const seed = await seedTenancy(new DynamoTenancyStore(clients.dynamodb, config.tableName), dataDir);

  gateway = await startGateway(port, host);
  const baseUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${gateway.port}`;
  process.env.CELLWISE_PUBLIC_BASE_URL ??= baseUrl;

  console.log(`
Cellwise is running (embedded stack: dynalite, s3rver; data in ${dataDir})

  Base URL    ${baseUrl}
  Tenant id   ${seed.tenantId}
  Project id  ${seed.projectId}
  API token   ${seed.token}

  try: curl -H "Authorization: Bearer ${seed.token}" ${baseUrl}/api/${seed.tenantId}/${seed.projectId}/notebooks
`);
  // One machine-readable line for scripts and tests.
  const endpoints = {
    dynamodbEndpoint: config.dynamodbEndpoint,
    s3Endpoint: config.s3Endpoint,
    tableName: config.tableName,
    bucketName: config.bucketName,
  };
  await writeFile(join(dataDir, 'endpoints.json'), JSON.stringify(endpoints, null, 2));
  console.log(`CELLWISE_READY ${JSON.stringify({ baseUrl, ...seed, dataDir, ...endpoints })}`);

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
