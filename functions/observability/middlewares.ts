import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { MiddlewareObj } from '@middy/core';
import { logger } from './logger.ts';
import { metrics } from './metrics.ts';
import { tracer } from './tracer.ts';

/**
 * Powertools' middy middlewares, in the order every Cellwise Lambda uses them (the wrappers
 * that compose middy stacks put these first): the Lambda context and a fresh set of
 * correlation keys on the logger, an X-Ray segment for the handler (its response is never
 * recorded: it may hold notebook content), and the invocation's metrics flushed at its end
 * (with a cold-start metric) where the deployment measures.
 */
export function observability(): MiddlewareObj[] {
  return [
    injectLambdaContext(logger, { resetKeys: true }),
    captureLambdaHandler(tracer, { captureResponse: false }),
    ...(metrics ? [logMetrics(metrics, { captureColdStartMetric: true })] : []),
  ] as MiddlewareObj[];
}
