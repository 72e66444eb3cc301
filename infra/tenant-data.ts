import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  type AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { BUCKET_CORS_RULES } from './bucket-cors.ts';
import { TABLE_SCHEMA } from './table-schema.ts';

/** The tenant's data: its table, its notebook bucket, and the log bucket beside it. */
export interface TenantData {
  table: Table;
  /** The .ipynb files, run outputs and datasets (versioned). */
  bucket: Bucket;
  /** Server access logs of `bucket` and the VPC's flow logs. */
  logBucket: Bucket;
}

/**
 * Adds the tenant's data to `scope` (construct ids `Table`, `Notebooks`, `Logs`): the table
 * from TABLE_SCHEMA (on demand, point-in-time recovery, deletion protection, retained); the
 * notebook bucket (private, encrypted, TLS only, versioned with old versions expiring after 90
 * days, its accesses logged, retained); the log bucket (private, encrypted, TLS only, a year).
 */
export function addTenantData(scope: Construct): TenantData {
  const table = new Table(scope, 'Table', {
    partitionKey: {
      name: TABLE_SCHEMA.partitionKey.name,
      type: TABLE_SCHEMA.partitionKey.type as AttributeType,
    },
    sortKey: { name: TABLE_SCHEMA.sortKey.name, type: TABLE_SCHEMA.sortKey.type as AttributeType },
    billingMode: BillingMode.PAY_PER_REQUEST,
    // Live output items carry `ttl` (epoch seconds): DynamoDB deletes them after it.
    timeToLiveAttribute: 'ttl',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    encryption: TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of TABLE_SCHEMA.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey.name, type: index.partitionKey.type as AttributeType },
      sortKey: { name: index.sortKey.name, type: index.sortKey.type as AttributeType },
      projectionType: ProjectionType.ALL,
    });
  }
  const logBucket = new Bucket(scope, 'Logs', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365) }],
  });
  Validations.of(logBucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      "The log bucket itself (the notebook bucket's access logs and the VPC flow logs): logging its own accesses into itself would log every log delivery",
  });
  const bucket = new Bucket(scope, 'Notebooks', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    serverAccessLogsBucket: logBucket,
    serverAccessLogsPrefix: 'notebooks-access/',
    cors: BUCKET_CORS_RULES.map((rule) => ({
      allowedMethods: rule.allowedMethods.map((m) => HttpMethods[m]),
      allowedOrigins: [...rule.allowedOrigins],
      maxAge: rule.maxAge,
    })),
    lifecycleRules: [
      {
        id: 'expire-noncurrent-versions',
        noncurrentVersionExpiration: Duration.days(90),
        expiredObjectDeleteMarker: true,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ],
  });
  return { table, bucket, logBucket };
}
