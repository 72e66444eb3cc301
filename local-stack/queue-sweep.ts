import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { log } from '../functions/observability/logger.ts';
import { lambdaContext } from './api-gateway-event.ts';
import { invokeLocally } from './lambda-runtime.ts';

type SweepHandler = (event: unknown, context: Context) => Promise<unknown>;

/** The sweep Lambda's timeout in AWS (infra/workflow-functions.ts). */
const SWEEP_TIMEOUT_SECONDS = 90;

/**
 * The queue sweep's two EventBridge rules, locally: a timer (every `intervalMs`; AWS: every
 * minute) and the local fleet's "host joined" (AWS: ECS's task state change for the cluster),
 * each invoking the sweep Lambda's handler module with the event EventBridge would deliver.
 * Sweeps do not overlap: a trigger during a sweep runs one more after it.
 */
export class QueueSweep {
  private handler: SweepHandler | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending: unknown[] = [];
  private stopped = false;

  constructor(
    private readonly entry: string,
    private readonly intervalMs: number,
  ) {}

  async start(): Promise<void> {
    const root = pathToFileURL(`${new URL('..', import.meta.url).pathname}`);
    const module = await import(new URL(this.entry, root).href);
    this.handler = module.handler as SweepHandler;
    this.timer = setInterval(() => this.trigger(scheduledEvent()), this.intervalMs);
    this.timer.unref();
    this.trigger(scheduledEvent());
  }

  /** A host joined or left the fleet: the event ECS sends when its task reaches RUNNING or STOPPED. */
  hostChanged(hostId: string, lastStatus: 'RUNNING' | 'STOPPED'): void {
    this.trigger({
      source: 'aws.ecs',
      'detail-type': 'ECS Task State Change',
      detail: { taskArn: `arn:aws:ecs:local:000000000000:task/cellwise-local/${hostId}`, lastStatus },
    });
  }

  private trigger(event: unknown): void {
    if (this.stopped || !this.handler) return;
    this.pending.push(event);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    for (
      let event = this.pending.shift();
      event !== undefined && !this.stopped;
      event = this.pending.shift()
    ) {
      try {
        await invokeLocally(
          this.handler!,
          event,
          lambdaContext('SweepQueue', SWEEP_TIMEOUT_SECONDS, randomUUID()),
        );
      } catch (error) {
        log('error', 'queue sweep failed', { error });
      }
    }
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

function scheduledEvent() {
  return {
    source: 'aws.events',
    'detail-type': 'Scheduled Event',
    time: new Date().toISOString(),
    detail: {},
  };
}
