import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import type { AwsClients } from './aws-clients.ts';
import type { Config } from './config.ts';

async function probe(check: () => Promise<unknown>): Promise<string> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    const e = error as { name?: string; message?: string };
    return `unavailable: ${e.name ?? 'Error'}${e.message ? ` (${e.message.slice(0, 120)})` : ''}`;
  }
}

/** Whether the table and the bucket answer (used by GET /health). */
export async function probeDependencies(
  clients: AwsClients,
  config: Config,
): Promise<Record<string, string>> {
  const [dynamodb, s3] = await Promise.all([
    probe(() => clients.dynamodb.send(new DescribeTableCommand({ TableName: config.tableName }))),
    probe(() => clients.s3.send(new HeadBucketCommand({ Bucket: config.bucketName }))),
  ]);
  return { dynamodb, s3 };
}
