/**
 * Operator command: creates tenants, projects and API tokens in the table the service uses.
 * Reads the same configuration as the Lambdas (CELLWISE_TABLE_NAME, CELLWISE_BUCKET_NAME,
 * AWS_REGION, optional CELLWISE_DYNAMODB_ENDPOINT); `--local [dataDir]` points it at a
 * running `npm start` stack instead.
 *
 *   npm run admin -- create-tenant --name "Acme" [--tenant-id <guid>]
 *   npm run admin -- create-project --tenant-id <guid> --name "Claims" [--project-id <guid>]
 *   npm run admin -- create-token --tenant-id <guid> [--project-id <guid> ...] [--label ci]
 *   npm run admin -- revoke-token --token-stdin          (the token on stdin, never on the command line)
 *   npm run admin -- set-run-limits --tenant-id <guid> [--max-concurrent-runs N] [--queue-aging-seconds S]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAwsClients } from '../functions/adapters/aws-clients.ts';
import { loadConfig } from '../functions/adapters/config.ts';
import { DynamoRunQueue } from '../functions/adapters/dynamo-run-queue.ts';
import { DynamoTenancyStore } from '../functions/adapters/dynamo-tenancy-store.ts';
import { hashToken, newToken } from '../functions/auth/token.ts';
import { isGuid } from '../functions/core/ids.ts';
import {
  createProject,
  createTenant,
  createToken,
  revokeToken,
  setRunLimits,
} from '../functions/core/use-cases/tenancy.ts';

const USAGE = `usage: npm run admin -- <create-tenant|create-project|create-token|revoke-token|set-run-limits> [options]
  --local [dir]        use the running local stack (data dir, default .cellwise)
  --name <text>        tenant or project name
  --tenant-id <guid>   tenant (required for create-project and create-token)
  --project-id <guid>  project (create-project: its id; create-token: limit the token, repeatable)
  --label <text>       a label for the token (default "admin")
  --token-stdin        revoke-token: read the token to revoke from stdin
  --max-concurrent-runs <n>   set-run-limits: runs of the tenant Running at once ("default": the deployment's)
  --queue-aging-seconds <s>   set-run-limits: a waiting run gains a priority level per s seconds`;

function fail(message: string): never {
  console.error(`admin: ${message}\n${USAGE}`);
  process.exit(2);
}

function localEnv(dir: string): NodeJS.ProcessEnv {
  const file = join(resolve(dir), 'endpoints.json');
  let endpoints: Record<string, string>;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    fail(`no running local stack found (${file}); start one with npm start`);
  }
  return {
    ...process.env,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    CELLWISE_TABLE_NAME: endpoints.tableName,
    CELLWISE_BUCKET_NAME: endpoints.bucketName,
    CELLWISE_DYNAMODB_ENDPOINT: endpoints.dynamodbEndpoint,
  };
}

/** A limit option: a number, `default` (clear the tenant's own), or absent (unchanged). */
function limitArg(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'default') return null;
  const value = Number(text);
  if (!Number.isInteger(value)) fail(`not a whole number: ${text}`);
  return value;
}

async function main() {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      local: { type: 'string' },
      name: { type: 'string' },
      'tenant-id': { type: 'string' },
      'project-id': { type: 'string', multiple: true },
      label: { type: 'string', default: 'admin' },
      'max-concurrent-runs': { type: 'string' },
      'queue-aging-seconds': { type: 'string' },
      'token-stdin': { type: 'boolean' },
    },
  });
  const command = positionals[0];
  const tenantId = values['tenant-id'];
  const projectIds = values['project-id'] ?? [];
  for (const id of [tenantId, ...projectIds]) if (id !== undefined && !isGuid(id)) fail(`not a GUID: ${id}`);
  const env = values.local !== undefined ? localEnv(values.local || '.cellwise') : process.env;
  const config = loadConfig(env);
  if (values.local !== undefined) Object.assign(process.env, env);
  const tenancy = new DynamoTenancyStore(createAwsClients(config).dynamodb, config.tableName);
  let result: object;
  switch (command) {
    case 'create-tenant':
      result = await createTenant(tenancy, { tenantId, name: values.name ?? 'Tenant' });
      break;
    case 'create-project':
      if (!tenantId) fail('--tenant-id is required');
      result = await createProject(tenancy, {
        tenantId,
        projectId: projectIds[0],
        name: values.name ?? 'Project',
      });
      break;
    case 'create-token':
      if (!tenantId) fail('--tenant-id is required');
      result = await createToken(
        tenancy,
        { newToken, hashToken },
        { tenantId, projectIds, label: values.label },
      );
      break;
    case 'revoke-token': {
      if (!values['token-stdin']) fail('revoke-token reads the token from stdin: pass --token-stdin');
      const token = readFileSync(0, 'utf8').trim();
      if (!token) fail('no token on stdin');
      result = await revokeToken(tenancy, { newToken, hashToken }, { token });
      break;
    }
    case 'set-run-limits':
      if (!tenantId) fail('--tenant-id is required');
      result = await setRunLimits(new DynamoRunQueue(createAwsClients(config).dynamodb, config.tableName), {
        tenantId,
        maxConcurrentRuns: limitArg(values['max-concurrent-runs']),
        queueAgingSeconds: limitArg(values['queue-aging-seconds']),
      });
      break;
    default:
      fail(command ? `unknown command ${command}` : 'a command is required');
  }
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error) => {
  console.error(`admin: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
