import { inject } from 'vitest';
import { createAwsClients } from '../../functions/adapters/aws-clients.ts';
import { loadConfig } from '../../functions/adapters/config.ts';
import { DynamoRunQueue } from '../../functions/adapters/dynamo-run-queue.ts';
import { DynamoRunStore } from '../../functions/adapters/dynamo-run-store.ts';
import { DynamoRunTokens } from '../../functions/adapters/dynamo-run-tokens.ts';
import { DynamoTenancyStore } from '../../functions/adapters/dynamo-tenancy-store.ts';
import { createServices } from '../../functions/adapters/services.ts';
import { hashToken, newToken } from '../../functions/auth/token.ts';
import type { Services } from '../../functions/core/ports.ts';
import {
  createProject,
  createTenant,
  createToken,
  setRunLimits,
} from '../../functions/core/use-cases/tenancy.ts';
import type { StackInfo } from '../../local-stack/spawn-stack.ts';
import { LOCAL_STATE_MACHINE_ARN } from '../../local-stack/workflow-service.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface Tenant {
  tenantId: string;
  projectId: string;
  token: string;
  /** `/api/{tenantId}/{projectId}` */
  base: string;
  /** The stack the tenant lives on (default: the shared test stack). */
  baseUrl?: string;
}

export const stack = () => inject('stack');
/** The second test stack: kernels boxed as AWS Fargate allows (a user each, no namespaces, no cgroups). */
export const uidOnlyStack = () => inject('uidOnlyStack');

/** Calls the running local stack. JSON bodies are serialised; `raw` sends a string, bytes or FormData as is. */
export async function call<T = any>(
  method: string,
  path: string,
  options: {
    token?: string | null;
    json?: unknown;
    raw?: string | Uint8Array | FormData;
    headers?: Record<string, string>;
    baseUrl?: string;
  } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | Uint8Array | FormData | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${options.baseUrl ?? stack().baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON (HTML pages)
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

const tenancies = new Map<string, DynamoTenancyStore>();

/**
 * The environment the service's own code needs to reach the running test stack (its
 * DynamoDB, S3 and run workflow), as Lambda gets it: for handlers and services built in the
 * test process. The local stack's emulators accept the key pair, set before the first client.
 */
export function stackEnv(info: StackInfo = stack()): Record<string, string> {
  process.env.AWS_ACCESS_KEY_ID ??= 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'S3RVER';
  return {
    AWS_REGION: 'us-east-1',
    CELLWISE_TABLE_NAME: info.tableName,
    CELLWISE_BUCKET_NAME: info.bucketName,
    CELLWISE_DYNAMODB_ENDPOINT: info.dynamodbEndpoint,
    CELLWISE_S3_ENDPOINT: info.s3Endpoint,
    CELLWISE_S3_FORCE_PATH_STYLE: 'true',
    CELLWISE_SFN_ENDPOINT: info.sfnEndpoint,
    CELLWISE_STATE_MACHINE_ARN: LOCAL_STATE_MACHINE_ARN,
    CELLWISE_KERNEL_HOST_TOKEN: 'not used here',
  };
}

/** Services of the test process on the running stack (for use-cases tests call directly). */
export function stackServices(info: StackInfo = stack()): Services {
  return createServices(loadConfig(stackEnv(info)));
}

/** The DynamoDB client of the running stack (for the admin use-cases tests call directly). */
function stackDynamo(info: StackInfo = stack()) {
  return createAwsClients(loadConfig(stackEnv(info))).dynamodb;
}

/** The running stack's admission records (for tests that arrange them directly). */
export function stackRunQueue() {
  return new DynamoRunQueue(stackDynamo(), stack().tableName);
}

/** The running stack's run records (for tests that read or arrange what the API does not show). */
export function stackRunStore() {
  return new DynamoRunStore(stackDynamo(), stack().tableName);
}

/** The DynamoDB client and table of the running stack (for adapter tests). */
export function stackTable() {
  return { dynamodb: stackDynamo(), tableName: stack().tableName };
}

/** The running stack's idempotency-token records. */
export function stackRunTokens() {
  return new DynamoRunTokens(stackDynamo(), stack().tableName);
}

/** Sets a tenant's own run limits, as `npm run admin -- set-run-limits` does. */
export async function setTenantRunLimits(
  tenantId: string,
  limits: { maxConcurrentRuns?: number; queueAgingSeconds?: number },
) {
  return setRunLimits(new DynamoRunQueue(stackDynamo(), stack().tableName), { tenantId, ...limits });
}

/**
 * A fresh tenant with one project and a token, made through the admin use-cases against
 * the stack's own DynamoDB: every test file gets an isolated project.
 */
export async function newTenant(
  options: { projects?: number; limitToFirst?: boolean; on?: StackInfo } = {},
): Promise<Tenant & { projectIds: string[] }> {
  const info = options.on ?? stack();
  let tenancy = tenancies.get(info.baseUrl);
  if (!tenancy) {
    tenancy = new DynamoTenancyStore(stackDynamo(info), info.tableName);
    tenancies.set(info.baseUrl, tenancy);
  }
  const { tenantId } = await createTenant(tenancy, { name: 'test tenant' });
  const projectIds: string[] = [];
  for (let i = 0; i < (options.projects ?? 1); i++) {
    projectIds.push((await createProject(tenancy, { tenantId, name: `project ${i}` })).projectId);
  }
  const { token } = await createToken(
    tenancy,
    { newToken, hashToken },
    { tenantId, label: 'test', projectIds: options.limitToFirst ? [projectIds[0]!] : null },
  );
  const projectId = projectIds[0]!;
  return {
    tenantId,
    projectId,
    token,
    base: `/api/${tenantId}/${projectId}`,
    projectIds,
    ...(options.on ? { baseUrl: info.baseUrl } : {}),
  };
}

/** A client bound to one tenant's token and project path. */
export function client(t: Tenant) {
  const on = { token: t.token, ...(t.baseUrl ? { baseUrl: t.baseUrl } : {}) };
  return {
    get: <T = any>(path: string) => call<T>('GET', `${t.base}${path}`, on),
    post: <T = any>(path: string, json?: unknown) => call<T>('POST', `${t.base}${path}`, { ...on, json }),
    put: <T = any>(path: string, json?: unknown) => call<T>('PUT', `${t.base}${path}`, { ...on, json }),
    del: <T = any>(path: string) => call<T>('DELETE', `${t.base}${path}`, on),
    raw: <T = any>(
      method: string,
      path: string,
      raw: string | Uint8Array | FormData,
      headers: Record<string, string> = {},
    ) => call<T>(method, `${t.base}${path}`, { ...on, raw, headers }),
  };
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
