// First: decides the X-Ray SDK's mode before it loads.
import './xray-mode.ts';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SERVICE_NAME } from './names.ts';

/**
 * X-Ray through Powertools. It traces only inside Lambda (elsewhere it is a no-op, so the
 * local stack and the tests need no daemon). HTTP calls are not captured globally: a webhook
 * URL can carry a receiver's secret in its path, and a trace must not keep it; the AWS SDK
 * clients are captured one by one (`traced`).
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME, captureHTTPsRequests: false });

/** An AWS SDK v3 client whose calls become X-Ray subsegments (unchanged outside Lambda). */
export function traced<T>(client: T): T {
  return tracer.isTracingEnabled() ? tracer.captureAWSv3Client(client) : client;
}
