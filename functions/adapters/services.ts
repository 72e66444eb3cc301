import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Services } from '../core/ports.ts';
import { parseCidrList } from '../core/webhooks/address-policy.ts';
import { metrics } from '../observability/metrics.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import { type Config, loadConfig } from './config.ts';
import { DynamoDatasetStore } from './dynamo-dataset-store.ts';
import { DynamoInvestigationStore } from './dynamo-investigation-store.ts';
import { DynamoLiveOutputLog } from './dynamo-live-output-log.ts';
import { DynamoNotebookStore } from './dynamo-notebook-store.ts';
import { DynamoRunQueue } from './dynamo-run-queue.ts';
import { DynamoRunStore } from './dynamo-run-store.ts';
import { DynamoRunTokens } from './dynamo-run-tokens.ts';
import { DynamoScheduleRegistry } from './dynamo-schedule-registry.ts';
import { DynamoSecretStore } from './dynamo-secret-store.ts';
import { DynamoTenancyStore } from './dynamo-tenancy-store.ts';
import { DynamoWebhookStore } from './dynamo-webhook-store.ts';
import { EventBridgeScheduleMirror } from './eventbridge-schedule-mirror.ts';
import { HttpWebhookTransport } from './http-webhook-transport.ts';
import { JupyterKernelHost } from './jupyter-kernel-host.ts';
import { hostDirectory } from './kernel-host-directory.ts';
import { LambdaWebhookDispatcher } from './lambda-webhook-dispatcher.ts';
import { PowertoolsTelemetry } from './powertools-telemetry.ts';
import { probeDependencies } from './readiness.ts';
import { S3ContentStore } from './s3-content-store.ts';
import { S3FileStore } from './s3-file-store.ts';
import { SecretCipher } from './secret-cipher.ts';
import { SfnWorkflow } from './sfn-workflow.ts';

/**
 * A key or token from config, or read once from Secrets Manager (never logged; a failed read is
 * tried again on the next call); `what` names it in errors.
 */
function configuredKey(
  clients: AwsClients,
  what: string,
  given?: string,
  secretId?: string,
): () => Promise<string> {
  let key: Promise<string> | undefined;
  return () => {
    key ??= (async () => {
      if (given) return given;
      if (!secretId) throw new Error(`configuration: no ${what} is configured`);
      const out = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (!out.SecretString) throw new Error(`configuration: the ${what} secret is empty`);
      return out.SecretString;
    })().catch((error) => {
      key = undefined;
      throw error;
    });
    return key;
  };
}

/** The composition root: config → SDK clients → adapters → the Services use-cases take. */
export function createServices(config: Config = loadConfig()): Services {
  const clients = createAwsClients(config);
  const kernelHost = new JupyterKernelHost(
    hostDirectory(config),
    configuredKey(clients, 'kernel host token', config.kernelHostToken, config.kernelHostTokenSecret),
  );
  return {
    notebooks: new DynamoNotebookStore(clients.dynamodb, config.tableName),
    investigations: new DynamoInvestigationStore(clients.dynamodb, config.tableName),
    contents: new S3ContentStore(clients.s3, config.bucketName),
    tenancy: new DynamoTenancyStore(clients.dynamodb, config.tableName),
    runs: new DynamoRunStore(clients.dynamodb, config.tableName),
    queue: new DynamoRunQueue(clients.dynamodb, config.tableName),
    runTokens: new DynamoRunTokens(clients.dynamodb, config.tableName),
    liveOutputs: new DynamoLiveOutputLog(clients.dynamodb, config.tableName),
    files: new S3FileStore(clients.s3, config.bucketName),
    kernelHost,
    workflow: new SfnWorkflow(clients.sfn, () => config.stateMachineArn),
    schedules: new DynamoScheduleRegistry(
      clients.dynamodb,
      config.tableName,
      config.scheduler ? new EventBridgeScheduleMirror(clients.scheduler, config.scheduler) : undefined,
    ),
    runSettings: {
      sliceMs: config.runSliceSeconds * 1000,
      outputLimits: config.outputLimits,
      inlineOutputBytes: 256 * 1024,
      downloadUrlSeconds: 3600,
      defaultLimits: {
        maxConcurrentRuns: config.maxConcurrentRuns,
        queueAgingSeconds: config.queueAgingSeconds,
      },
      fleet: config.fleet,
      kernelLimits: config.kernelLimits,
    },
    now: () => new Date(),
    kernels: config.kernels,
    publicBaseUrl: config.publicBaseUrl,
    linkSigningKey: configuredKey(
      clients,
      'link signing key',
      config.linkSigningKey,
      config.linkSigningKeySecret,
    ),
    maxUploadBytes: config.maxUploadBytes,
    readiness: () => probeDependencies(clients, config, kernelHost),
    webhooks: new DynamoWebhookStore(clients.dynamodb, config.tableName),
    secrets: new DynamoSecretStore(
      clients.dynamodb,
      config.tableName,
      new SecretCipher(
        configuredKey(clients, 'secrets master key', config.secretsKey, config.secretsKeySecret),
      ),
    ),
    webhookTransport: new HttpWebhookTransport(
      parseCidrList(config.webhookAllowCidrs),
      config.webhookTimeoutSeconds * 1000,
    ),
    webhookDispatcher: new LambdaWebhookDispatcher(clients.lambda, config.webhookFunctionName),
    webhookRetrySeconds: config.webhookRetrySeconds,
    datasets: new DynamoDatasetStore(clients.dynamodb, config.tableName),
    maxDatasetBytes: config.maxDatasetBytes,
    maxNotebookUploadBytes: config.maxNotebookUploadBytes,
    maxInlineContentBytes: config.maxInlineContentBytes,
    // Log lines everywhere; metrics where the deployment has a namespace (AWS), none locally.
    telemetry: new PowertoolsTelemetry(metrics),
  };
}

let cached: Services | undefined;

/** Services for this process, built on first use (one per Lambda container). */
export function services(): Services {
  cached ??= createServices();
  return cached;
}
