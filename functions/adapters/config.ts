import { availableParallelism } from 'node:os';
import { KERNEL_TYPES, type KernelType } from '../core/notebook.ts';
import { DEFAULT_KERNEL_LIMITS, type KernelLimits } from '../core/run/kernel.ts';
import type { OutputLimits } from '../core/run/output-limits.ts';

/**
 * Everything that differs between AWS and the local stack is here, read from the
 * environment once. Endpoints are optional: unset means "the AWS default for the region".
 */
export interface Config {
  region: string;
  tableName: string;
  bucketName: string;
  dynamodbEndpoint?: string;
  s3Endpoint?: string;
  s3ForcePathStyle: boolean;
  sfnEndpoint?: string;
  publicBaseUrl: string;
  kernels: KernelType[];
  maxUploadBytes: number;
  /** Largest event-log file accepted by the dataset routes. */
  maxDatasetBytes: number;
  /** Largest .ipynb a presigned notebook upload accepts (`CELLWISE_MAX_NOTEBOOK_UPLOAD_BYTES`). */
  maxNotebookUploadBytes: number;
  /** Largest notebook content answered inline; above it reads answer with a content URL. */
  maxInlineContentBytes: number;
  /** Base URL of the kernel host (a DNS name may stand for several hosts). */
  kernelHostUrl: string;
  /** The local stack's list of live kernel hosts (rewritten as hosts come and go); unset in AWS, where the URL's DNS name lists them. */
  kernelHostsFile?: string;
  /** The kernel host's token: given directly (local stack) or as a Secrets Manager secret (AWS). */
  kernelHostToken?: string;
  kernelHostTokenSecret?: string;
  secretsEndpoint?: string;
  /** The key signed notebook links are signed with: given directly (local stack) or as a Secrets Manager secret (AWS). */
  linkSigningKey?: string;
  linkSigningKeySecret?: string;
  /** The master key project secrets are sealed under: given directly (local stack) or as a Secrets Manager secret (AWS). */
  secretsKey?: string;
  secretsKeySecret?: string;
  /** The run workflow (Step Functions state machine). */
  stateMachineArn: string;
  /**
   * EventBridge Scheduler: schedules are mirrored there only when all three are set (AWS);
   * unset (local stack), the in-process loop fires the same schedule records.
   */
  scheduler?: { groupName: string; targetArn: string; roleArn: string; deadLetterArn?: string };
  runSliceSeconds: number;
  /** What a run keeps of its outputs, per cell and per run (count and bytes). */
  outputLimits: OutputLimits;
  /** The Lambda API (the local stack serves Invoke for the webhook delivery function). */
  lambdaEndpoint?: string;
  /** The webhook delivery function kicked after a run ends (unset: only the periodic sweep delivers). */
  webhookFunctionName?: string;
  /** Delays between a webhook delivery's attempts, in seconds. */
  webhookRetrySeconds: number[];
  /** How long one delivery attempt may take (resolution, connection, answer). */
  webhookTimeoutSeconds: number;
  /** CIDR blocks webhooks may reach although the SSRF rule refuses them (e.g. `127.0.0.0/8` for tests). */
  webhookAllowCidrs: string;
  /** Runs a tenant may have Running at once (tenants may have their own, see `npm run admin`). */
  maxConcurrentRuns: number;
  /** A waiting run gains one priority level per this many seconds (no starvation). */
  queueAgingSeconds: number;
  /**
   * The kernel fleet's bounds (CELLWISE_KERNEL_FLEET_MIN_HOSTS / _MAX_HOSTS, CDK sets them; the
   * local stack's fleet is CELLWISE_KERNEL_HOSTS) and what one host holds
   * (CELLWISE_KERNELS_PER_HOST; unset: what the live hosts say).
   */
  fleet: { minHosts: number; maxHosts: number; kernelsPerHost: number | null };
  /** A kernel's limits when a run names none, and the most a run may ask for (the tenant's maximum). */
  kernelLimits: { defaults: KernelLimits; max: KernelLimits };
}

function fleetSettings(env: NodeJS.ProcessEnv): Config['fleet'] {
  const local = positive(env, 'CELLWISE_KERNEL_HOSTS', 1);
  const minHosts = whole(env, 'CELLWISE_KERNEL_FLEET_MIN_HOSTS', local);
  const maxHosts = Math.max(
    minHosts,
    positive(env, 'CELLWISE_KERNEL_FLEET_MAX_HOSTS', Math.max(1, minHosts)),
  );
  return {
    minHosts,
    maxHosts,
    kernelsPerHost: env.CELLWISE_KERNELS_PER_HOST ? positive(env, 'CELLWISE_KERNELS_PER_HOST', 1) : null,
  };
}

/**
 * Kernel limits from CELLWISE_KERNEL_{DEFAULT,MAX}_{MEMORY_MIB,PROCESSES,DISK_MIB}: by default
 * a run gets the contract's defaults and may ask for up to four times as much.
 */
function kernelLimits(env: NodeJS.ProcessEnv): Config['kernelLimits'] {
  const read = (kind: 'DEFAULT' | 'MAX', fallback: KernelLimits): KernelLimits => ({
    memoryMiB: positive(env, `CELLWISE_KERNEL_${kind}_MEMORY_MIB`, fallback.memoryMiB),
    processes: positive(env, `CELLWISE_KERNEL_${kind}_PROCESSES`, fallback.processes),
    diskMiB: positive(env, `CELLWISE_KERNEL_${kind}_DISK_MIB`, fallback.diskMiB),
  });
  const defaults = read('DEFAULT', DEFAULT_KERNEL_LIMITS);
  const max = read('MAX', {
    memoryMiB: Math.max(defaults.memoryMiB, 4 * DEFAULT_KERNEL_LIMITS.memoryMiB),
    processes: Math.max(defaults.processes, 4 * DEFAULT_KERNEL_LIMITS.processes),
    diskMiB: Math.max(defaults.diskMiB, 4 * DEFAULT_KERNEL_LIMITS.diskMiB),
  });
  for (const key of Object.keys(defaults) as (keyof KernelLimits)[]) {
    if (defaults[key] > max[key])
      throw new Error(`configuration: the default kernel ${key} is above the maximum`);
  }
  return { defaults, max };
}

/** Comma-separated non-negative numbers of seconds. */
function seconds(name: string, text: string): number[] {
  const values = text.split(',').map((v) => Number(v.trim()));
  if (values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`configuration: ${name} must be comma-separated seconds, got ${JSON.stringify(text)}`);
  }
  return values;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`configuration: ${name} is not set`);
  return value;
}

/** `name` as a positive integer, `fallback` when unset; anything else is a configuration error. */
export function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`configuration: ${name} must be a positive integer`);
  return value;
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`configuration: ${name} must be a whole number`);
  return value;
}

/**
 * What a run keeps of its outputs. Per run they bound what Finalize reads, assembles and
 * writes in one task (its Lambda has 1 GB and 5 minutes; every output is one download file).
 */
function outputLimits(env: NodeJS.ProcessEnv): OutputLimits {
  return {
    cellBytes: positive(env, 'CELLWISE_MAX_CELL_OUTPUT_BYTES', 32 * 1024 * 1024),
    cellOutputs: positive(env, 'CELLWISE_MAX_CELL_OUTPUTS', 50_000),
    runBytes: positive(env, 'CELLWISE_MAX_RUN_OUTPUT_BYTES', 256 * 1024 * 1024),
    runOutputs: positive(env, 'CELLWISE_MAX_RUN_OUTPUTS', 100_000),
  };
}

function kernels(text: string | undefined): KernelType[] {
  const names = (text ?? 'python3')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!KERNEL_TYPES.includes(name as KernelType)) throw new Error(`configuration: unknown kernel ${name}`);
  }
  return names as KernelType[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    tableName: required(env, 'CELLWISE_TABLE_NAME'),
    bucketName: required(env, 'CELLWISE_BUCKET_NAME'),
    dynamodbEndpoint: env.CELLWISE_DYNAMODB_ENDPOINT || undefined,
    s3Endpoint: env.CELLWISE_S3_ENDPOINT || undefined,
    s3ForcePathStyle: env.CELLWISE_S3_FORCE_PATH_STYLE === 'true',
    sfnEndpoint: env.CELLWISE_SFN_ENDPOINT || undefined,
    publicBaseUrl: env.CELLWISE_PUBLIC_BASE_URL ?? 'http://localhost:3000',
    kernels: kernels(env.CELLWISE_KERNELS),
    // 4 MiB: base64-encoded by API Gateway it still fits Lambda's 6 MB request payload.
    maxUploadBytes: Number(env.CELLWISE_MAX_UPLOAD_BYTES ?? 4 * 1024 * 1024),
    // 200 MiB; in AWS a multipart/JSON upload is also bound by API Gateway's 10 MB and Lambda's
    // 6 MB payload limits: larger logs go through the presigned upload (`POST .../dataset/uploads`).
    maxDatasetBytes: positive(env, 'CELLWISE_MAX_DATASET_BYTES', 200 * 1024 * 1024),
    // Notebooks with embedded plots reach 10-100 MB: they go through `POST .../notebook/uploads`.
    maxNotebookUploadBytes: positive(env, 'CELLWISE_MAX_NOTEBOOK_UPLOAD_BYTES', 200 * 1024 * 1024),
    // 5 MiB of JSON stays below Lambda's 6 MB response payload with headers to spare.
    maxInlineContentBytes: positive(env, 'CELLWISE_MAX_INLINE_CONTENT_BYTES', 5 * 1024 * 1024),
    kernelHostUrl: env.CELLWISE_KERNEL_HOST_URL ?? 'http://127.0.0.1:8888',
    kernelHostsFile: env.CELLWISE_KERNEL_HOSTS_FILE || undefined,
    kernelHostToken: env.CELLWISE_KERNEL_HOST_TOKEN || undefined,
    kernelHostTokenSecret: env.CELLWISE_KERNEL_HOST_TOKEN_SECRET || undefined,
    secretsEndpoint: env.CELLWISE_SECRETS_ENDPOINT || undefined,
    linkSigningKey: env.CELLWISE_LINK_SIGNING_KEY || undefined,
    linkSigningKeySecret: env.CELLWISE_LINK_SIGNING_KEY_SECRET || undefined,
    secretsKey: env.CELLWISE_SECRETS_KEY || undefined,
    secretsKeySecret: env.CELLWISE_SECRETS_KEY_SECRET || undefined,
    stateMachineArn: env.CELLWISE_STATE_MACHINE_ARN ?? '',
    scheduler:
      env.CELLWISE_SCHEDULER_TARGET_ARN && env.CELLWISE_SCHEDULER_ROLE_ARN && env.CELLWISE_SCHEDULE_GROUP
        ? {
            groupName: env.CELLWISE_SCHEDULE_GROUP,
            targetArn: env.CELLWISE_SCHEDULER_TARGET_ARN,
            roleArn: env.CELLWISE_SCHEDULER_ROLE_ARN,
            deadLetterArn: env.CELLWISE_SCHEDULER_DEAD_LETTER_ARN || undefined,
          }
        : undefined,
    // A RunCells task hands over after this long (its Lambda has a longer timeout).
    runSliceSeconds: Number(env.CELLWISE_RUN_SLICE_SECONDS ?? 60),
    outputLimits: outputLimits(env),
    lambdaEndpoint: env.CELLWISE_LAMBDA_ENDPOINT || undefined,
    webhookFunctionName: env.CELLWISE_WEBHOOK_FUNCTION_NAME || undefined,
    // 6 attempts: at once, then after 30 s, 2 min, 10 min, 1 h and 6 h.
    webhookRetrySeconds: seconds(
      'CELLWISE_WEBHOOK_RETRY_SECONDS',
      env.CELLWISE_WEBHOOK_RETRY_SECONDS || '30,120,600,3600,21600',
    ),
    webhookTimeoutSeconds: Number(env.CELLWISE_WEBHOOK_TIMEOUT_SECONDS ?? 10),
    webhookAllowCidrs: env.CELLWISE_WEBHOOK_ALLOW_CIDRS ?? '',
    // Locally the machine's cores; CDK sets it for a deployment.
    maxConcurrentRuns: positive(env, 'CELLWISE_MAX_CONCURRENT_RUNS', availableParallelism()),
    queueAgingSeconds: positive(env, 'CELLWISE_QUEUE_AGING_SECONDS', 300),
    fleet: fleetSettings(env),
    kernelLimits: kernelLimits(env),
  };
}
