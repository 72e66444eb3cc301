import { Logger } from '@aws-lambda-powertools/logger';

import { SERVICE_NAME } from './names.ts';

type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/**
 * The log level from `CELLWISE_LOG_LEVEL` (`debug`, `info`, `warn`, `error`, `silent`;
 * default `info`), the same variable locally and in AWS. Anything else is `info`.
 */
export function logLevelFrom(env: NodeJS.ProcessEnv = process.env): Level {
  const level = (env.CELLWISE_LOG_LEVEL ?? 'info').toUpperCase();
  return (['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT'] as const).find((l) => l === level) ?? 'INFO';
}

/**
 * The one logger of the service: Powertools for AWS Lambda, one JSON object per line with
 * `level`, `message`, `timestamp`, `service`, the Lambda context once the wrapper has
 * injected it (`function_name`, `function_request_id`, `cold_start`, `xray_trace_id`) and
 * the correlation keys the wrappers append (`tenantId`, `projectId`, `notebookId`,
 * `executionId`, the route or task). The local stack prints the very same lines.
 *
 * Never hand it request headers or bodies, tokens, secrets or notebook source.
 */
export const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: logLevelFrom() });

/** Fields of one log line (an `error` field that is an Error is written with name, message and stack). */
export type LogFields = Record<string, unknown>;

/** Writes one structured line at `level`; `fields` are merged into it. */
export function log(
  level: 'debug' | 'info' | 'warn' | 'error',
  message: string,
  fields: LogFields = {},
): void {
  logger[level](message, fields);
}

/** Adds correlation keys to every line of the current invocation (cleared when it ends). */
export function correlate(keys: Record<string, string | undefined>): void {
  const defined = Object.fromEntries(Object.entries(keys).filter(([, v]) => v !== undefined && v !== ''));
  if (Object.keys(defined).length > 0) logger.appendKeys(defined);
}
