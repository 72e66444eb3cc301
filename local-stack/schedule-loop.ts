import type { Scope } from '../functions/core/notebook.ts';
import type { Services } from '../functions/core/ports.ts';
import { parseCron } from '../functions/core/schedule/cron.ts';
import { latestFireAtOrBefore, nextFireAfter } from '../functions/core/schedule/next-fire.ts';
import type { ScheduleRecord } from '../functions/core/schedule/schedule.ts';
import { fireSchedule } from '../functions/core/use-cases/fire-schedule.ts';

export interface ScheduleLoopOptions {
  /** The clock (tests inject one); default: `services.now`. */
  now?: () => Date;
  /** Tick interval (default 1 s: fire times are whole minutes, so a fire is at most a second late). */
  intervalMs?: number;
  /** Only this project's schedules (tests, tools); default: every schedule. */
  scope?: Scope;
  /** Told about every fire this loop attempted (logging). */
  onFire?: (schedule: ScheduleRecord, scheduledFor: string, outcome: string) => void;
  onError?: (error: unknown) => void;
}

interface Seen {
  /** The schedule version this state belongs to. */
  effectiveFrom: string;
  cron: string;
  timezone: string;
  /** The fire time handled last (ms). */
  last: number | undefined;
  /** No fire time is due before this (ms). */
  next: number | undefined;
}

const key = (s: ScheduleRecord) => `${s.tenantId}#${s.projectId}#${s.notebookId}`;

/**
 * The local stack's scheduler: EventBridge Scheduler's stand-in, over the same schedule
 * records. Each tick reads the records and, for each, the latest fire time that is due
 * (at or before now, not before the schedule took effect); one it has not handled yet is
 * fired through the shared `fireSchedule` use-case. So a loop that starts after downtime
 * fires each schedule's latest missed time once (not every missed one), and the fire-time
 * claim keeps any number of loops, ticks and restarts to one run per fire time.
 */
export class ScheduleLoop {
  private readonly seen = new Map<string, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => Date;

  constructor(
    private readonly services: Services,
    private readonly options: ScheduleLoopOptions = {},
  ) {
    this.now = options.now ?? (() => services.now());
  }

  /** Ticks now, then every `intervalMs`; a tick still running is not overlapped. */
  start(): void {
    const interval = this.options.intervalMs ?? 1000;
    const run = () => {
      this.running ??= this.tick()
        .catch((error) => this.options.onError?.(error))
        .finally(() => {
          this.running = undefined;
        });
    };
    run();
    this.timer = setInterval(run, interval);
    this.timer.unref();
  }

  /** Stops ticking and waits for the current tick (fires already submitted go on). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over the schedules; resolves when its fires are submitted. */
  async tick(): Promise<void> {
    const now = this.now();
    const scope = this.options.scope;
    const schedules = (await this.services.schedules.list()).filter(
      (s) => !scope || (s.tenantId === scope.tenantId && s.projectId === scope.projectId),
    );
    const live = new Set(schedules.map(key));
    for (const k of this.seen.keys()) if (!live.has(k)) this.seen.delete(k);
    await Promise.all(schedules.map((s) => this.check(s, now)));
  }

  private async check(schedule: ScheduleRecord, now: Date): Promise<void> {
    const k = key(schedule);
    let state = this.seen.get(k);
    const sameVersion =
      state?.effectiveFrom === schedule.effectiveFrom &&
      state.cron === schedule.cron &&
      state.timezone === schedule.timezone;
    if (!state || !sameVersion) {
      state = { ...schedule, last: undefined, next: undefined };
      this.seen.set(k, state);
    }
    if (state.next !== undefined && now.getTime() < state.next) return;
    const cron = parseCron(schedule.cron);
    const due = latestFireAtOrBefore(cron, schedule.timezone, now, new Date(schedule.effectiveFrom));
    state.next = nextFireAfter(cron, schedule.timezone, now)?.getTime() ?? Number.POSITIVE_INFINITY;
    if (!due || due.getTime() === state.last) return;
    const scheduledFor = due.toISOString();
    try {
      const result = await fireSchedule(this.services, {
        scope: schedule,
        notebookId: schedule.notebookId,
        scheduledFor,
      });
      state.last = due.getTime();
      this.options.onFire?.(schedule, scheduledFor, result.outcome);
    } catch (error) {
      state.next = undefined; // try again next tick (the claim keeps it to one run)
      throw error;
    }
  }
}
