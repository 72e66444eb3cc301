import type { Services } from '../core/ports.ts';
import { createAwsClients } from './aws-clients.ts';
import { type Config, loadConfig } from './config.ts';
import { DynamoInvestigationStore } from './dynamo-investigation-store.ts';
import { DynamoNotebookStore } from './dynamo-notebook-store.ts';
import { DynamoTenancyStore } from './dynamo-tenancy-store.ts';
import { probeDependencies } from './readiness.ts';
import { S3ContentStore } from './s3-content-store.ts';

/** The composition root: config → SDK clients → adapters → the Services use-cases take. */
export function createServices(config: Config = loadConfig()): Services {
  const clients = createAwsClients(config);
  return {
    notebooks: new DynamoNotebookStore(clients.dynamodb, config.tableName),
    investigations: new DynamoInvestigationStore(clients.dynamodb, config.tableName),
    contents: new S3ContentStore(clients.s3, config.bucketName),
    tenancy: new DynamoTenancyStore(clients.dynamodb, config.tableName),
    now: () => new Date(),
    kernels: config.kernels,
    publicBaseUrl: config.publicBaseUrl,
    maxUploadBytes: config.maxUploadBytes,
    readiness: () => probeDependencies(clients, config),
  };
}

let cached: Services | undefined;

/** Services for this process, built on first use (one per Lambda container). */
export function services(): Services {
  cached ??= createServices();
  return cached;
}
