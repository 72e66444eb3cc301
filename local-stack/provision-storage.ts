import {
  BillingMode,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { BUCKET_CORS_RULES } from '../infra/bucket-cors.ts';
import { TABLE_SCHEMA } from '../infra/table-schema.ts';

/** Creates the table (same keys and indexes as CDK's) if it does not exist yet. */
export async function ensureTable(db: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await db.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const attributes = new Map<string, string>();
  const note = (k: { name: string; type: string }) => attributes.set(k.name, k.type);
  note(TABLE_SCHEMA.partitionKey);
  note(TABLE_SCHEMA.sortKey);
  for (const gsi of TABLE_SCHEMA.globalSecondaryIndexes) {
    note(gsi.partitionKey);
    note(gsi.sortKey);
  }
  await db.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: BillingMode.PAY_PER_REQUEST,
      AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
        AttributeName,
        AttributeType: AttributeType as 'S' | 'N',
      })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((gsi) => ({
        IndexName: gsi.indexName,
        KeySchema: [
          { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
}

/** Creates the bucket if it does not exist yet, with the same CORS rules as CDK's. */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: bucket,
      CORSConfiguration: {
        CORSRules: BUCKET_CORS_RULES.map((rule) => ({
          AllowedMethods: [...rule.allowedMethods],
          AllowedOrigins: [...rule.allowedOrigins],
          MaxAgeSeconds: rule.maxAge,
        })),
      },
    }),
  );
}
