import { tempDir } from './temp-dirs.ts';

/**
 * The environment of a stack of its own for tests that read what it logs and writes: debug
 * logs, runs handed over every 3 s, webhooks to loopback retried after 1 and 2 s, no
 * scheduler on the wall clock, no demo; its data dir is a fresh temp dir named `prefix…`.
 */
export function debugStackEnv(prefix: string): Record<string, string> {
  return {
    CELLWISE_DATA_DIR: tempDir(prefix),
    CELLWISE_LOG_LEVEL: 'debug',
    CELLWISE_RUN_SLICE_SECONDS: '3',
    CELLWISE_WEBHOOK_ALLOW_CIDRS: '127.0.0.0/8',
    CELLWISE_WEBHOOK_RETRY_SECONDS: '1,2',
    CELLWISE_LOCAL_SCHEDULER: 'off',
    CELLWISE_DEMO: 'off',
  };
}
