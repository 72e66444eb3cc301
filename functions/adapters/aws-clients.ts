import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from '../observability/tracer.ts';
import type { Config } from './config.ts';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sfn: SFNClient;
  secrets: SecretsManagerClient;
  lambda: LambdaClient;
  scheduler: SchedulerClient;
}

/**
 * The SDK's logger middleware redacts every response against its schema even when nothing
 * is logged; measured at a third of the gateway's CPU under list load. The service logs
 * through its own logger, so the middleware goes.
 */
function withoutLogger<T extends { middlewareStack: { remove(name: string): boolean } }>(client: T): T {
  client.middlewareStack.remove('loggerMiddleware');
  // In Lambda each call becomes an X-Ray subsegment (Powertools' tracer; a no-op elsewhere).
  return traced(client);
}

/**
 * The one factory for SDK clients. Endpoints come from config, so the local stack and AWS
 * use the same clients and the same code; only the addresses differ.
 */
export function createAwsClients(config: Config): AwsClients {
  const common = { region: config.region, maxAttempts: 3 };
  const keepAlive = { httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) };
  return {
    dynamodb: withoutLogger(
      new DynamoDBClient({
        ...common,
        ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
        requestHandler: keepAlive,
      }),
    ),
    s3: withoutLogger(
      new S3Client({
        ...common,
        ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}),
        forcePathStyle: config.s3ForcePathStyle,
        // Checksums only where S3 requires them: plain PUTs, no aws-chunked bodies.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        requestHandler: keepAlive,
      }),
    ),
    sfn: withoutLogger(
      new SFNClient({
        ...common,
        ...(config.sfnEndpoint ? { endpoint: config.sfnEndpoint } : {}),
        requestHandler: keepAlive,
      }),
    ),
    secrets: withoutLogger(
      new SecretsManagerClient({
        ...common,
        ...(config.secretsEndpoint ? { endpoint: config.secretsEndpoint } : {}),
      }),
    ),
    lambda: withoutLogger(
      new LambdaClient({
        ...common,
        ...(config.lambdaEndpoint ? { endpoint: config.lambdaEndpoint } : {}),
      }),
    ),
    scheduler: withoutLogger(new SchedulerClient(common)),
  };
}
