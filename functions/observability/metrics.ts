import { Metrics } from '@aws-lambda-powertools/metrics';
import { logger } from './logger.ts';
import { SERVICE_NAME } from './names.ts';

/**
 * CloudWatch metrics through Powertools (embedded metric format: JSON lines CloudWatch Logs
 * turns into metrics, no API call). Their namespace is the deployment's
 * (`POWERTOOLS_METRICS_NAMESPACE`, `Cellwise/<tenantId>` from CDK); without one (the local
 * stack, tests) nothing is measured and nothing is printed.
 */
export const metricsNamespace = (env: NodeJS.ProcessEnv = process.env): string | undefined =>
  env.POWERTOOLS_METRICS_NAMESPACE || undefined;

/** Drops Powertools' warning for an invocation that measured nothing (most API calls do). */
const quietLogger = {
  trace: () => undefined,
  debug: (...args: unknown[]) => logger.debug(String(args[0] ?? '')),
  info: (...args: unknown[]) => logger.info(String(args[0] ?? '')),
  warn: (...args: unknown[]) => {
    const text = String(args[0] ?? '');
    if (!text.startsWith('No application metrics to publish')) logger.warn(text);
  },
  error: (...args: unknown[]) => logger.error(String(args[0] ?? '')),
};

/** The service's metrics, or undefined where the deployment has no namespace. */
export const metrics: Metrics | undefined = metricsNamespace()
  ? new Metrics({ namespace: metricsNamespace(), serviceName: SERVICE_NAME, logger: quietLogger })
  : undefined;
