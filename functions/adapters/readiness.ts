import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { KernelHost } from '../core/ports/kernel-ports.ts';
import type { AwsClients } from './aws-clients.ts';
import type { Config } from './config.ts';

async function probe(check: () => Promise<unknown>, fine: string[] = []): Promise<string> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name && fine.includes(e.name)) return 'ok';
    return `unavailable: ${e.name ?? 'Error'}${e.message ? ` (${e.message.slice(0, 120)})` : ''}`;
  }
}

/** The object key the health probe reads (it never exists; IAM allows health to read only it). */
export const HEALTH_KEY = '_health/probe';

/** Whether the table, the bucket and the kernel host answer (used by GET /health). */
export async function probeDependencies(
  clients: AwsClients,
  config: Config,
  kernelHost: KernelHost,
): Promise<Record<string, string>> {
  const [dynamodb, s3, kernels] = await Promise.all([
    // A point read of a key that never exists: proves the table answers, costs one read unit
    // (DescribeTable would be slower, and dynalite computes table sizes for it).
    probe(() =>
      clients.dynamodb.send(
        new GetItemCommand({
          TableName: config.tableName,
          Key: { pk: { S: 'HEALTH' }, sk: { S: 'HEALTH' } },
          ProjectionExpression: 'pk',
        }),
      ),
    ),
    // A read of a key that never exists: NoSuchKey proves the bucket answers (NoSuchBucket
    // does not). HeadBucket would be slower: s3rver lists the bucket to answer it.
    probe(
      () => clients.s3.send(new GetObjectCommand({ Bucket: config.bucketName, Key: HEALTH_KEY })),
      ['NoSuchKey'],
    ),
    kernelHost.readiness(),
  ]);
  return { dynamodb, s3, kernelHost: kernels };
}
