import { KERNEL_TYPES, type KernelType } from '../core/notebook.ts';

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
  /** Base URL of the kernel host (a DNS name may stand for several hosts). */
  kernelHostUrl: string;
  /** The kernel host's token: given directly (local stack) or as a Secrets Manager secret (AWS). */
  kernelHostToken?: string;
  kernelHostTokenSecret?: string;
  secretsEndpoint?: string;
  /** The run workflow (Step Functions state machine). */
  stateMachineArn: string;
  runSliceSeconds: number;
  maxCellOutputBytes: number;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`configuration: ${name} is not set`);
  return value;
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
    kernelHostUrl: env.CELLWISE_KERNEL_HOST_URL ?? 'http://127.0.0.1:8888',
    kernelHostToken: env.CELLWISE_KERNEL_HOST_TOKEN || undefined,
    kernelHostTokenSecret: env.CELLWISE_KERNEL_HOST_TOKEN_SECRET || undefined,
    secretsEndpoint: env.CELLWISE_SECRETS_ENDPOINT || undefined,
    stateMachineArn: env.CELLWISE_STATE_MACHINE_ARN ?? '',
    // A RunCells task hands over after this long (its Lambda has a longer timeout).
    runSliceSeconds: Number(env.CELLWISE_RUN_SLICE_SECONDS ?? 60),
    maxCellOutputBytes: Number(env.CELLWISE_MAX_CELL_OUTPUT_BYTES ?? 32 * 1024 * 1024),
  };
}
