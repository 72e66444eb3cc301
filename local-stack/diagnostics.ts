import { Session } from 'node:inspector/promises';
import {
  type EventLoopUtilization,
  monitorEventLoopDelay,
  PerformanceObserver,
  performance,
} from 'node:perf_hooks';

/** What one process of the local stack went through since the last reset. */
export interface ProcessDiagnostics {
  pid: number;
  /** Seconds since the last reset. */
  seconds: number;
  /** Event-loop delay (ms): how late a 10 ms timer ran (0: on time). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Share of the time the event loop was busy (0..1). */
  eventLoopUtilization: number;
  /** Garbage collection: pauses, their total and the longest (ms). */
  gc: { count: number; totalMs: number; maxMs: number };
  /** CPU time used (user + system, ms). */
  cpuMs: number;
  memory: { rssMiB: number; heapUsedMiB: number };
}

const MIB = 2 ** 20;
/** The delay histogram's timer (ms); it records the time between ticks, this much when on time. */
const RESOLUTION_MS = 10;

/**
 * Watches this process's event loop, garbage collector and CPU, so the benchmark can say
 * what the process went through while it measured it (`snapshot(true)` also starts a new
 * window). Cheap enough to leave on: a 10 ms timer histogram and a GC observer.
 */
export class DiagnosticsMonitor {
  private readonly delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private readonly gcObserver: PerformanceObserver;
  private gc = { count: 0, totalMs: 0, maxMs: 0 };
  private since = performance.now();
  private elu: EventLoopUtilization = performance.eventLoopUtilization();
  private cpu = process.cpuUsage();

  constructor() {
    this.delay.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        this.gc.count++;
        this.gc.totalMs += entry.duration;
        this.gc.maxMs = Math.max(this.gc.maxMs, entry.duration);
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** The window so far; `reset` starts a new one. */
  snapshot(reset = false): ProcessDiagnostics {
    const late = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 100) / 100);
    const cpu = process.cpuUsage(this.cpu);
    const memory = process.memoryUsage();
    const result: ProcessDiagnostics = {
      pid: process.pid,
      seconds: Math.round(performance.now() - this.since) / 1000,
      eventLoopDelayMs: {
        p50: late(this.delay.percentile(50)),
        p99: late(this.delay.percentile(99)),
        max: late(this.delay.max),
      },
      eventLoopUtilization: Math.round(performance.eventLoopUtilization(this.elu).utilization * 1000) / 1000,
      gc: {
        count: this.gc.count,
        totalMs: Math.round(this.gc.totalMs),
        maxMs: Math.round(this.gc.maxMs * 10) / 10,
      },
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      memory: {
        rssMiB: Math.round(memory.rss / MIB),
        heapUsedMiB: Math.round(memory.heapUsed / MIB),
      },
    };
    if (reset) {
      this.delay.reset();
      this.gc = { count: 0, totalMs: 0, maxMs: 0 };
      this.since = performance.now();
      this.elu = performance.eventLoopUtilization();
      this.cpu = process.cpuUsage();
    }
    return result;
  }

  stop(): void {
    this.delay.disable();
    this.gcObserver.disconnect();
  }
}

/** A CPU profile of this process over the next `ms` milliseconds (Chrome's .cpuprofile format). */
export async function profileFor(ms: number): Promise<unknown> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, ms));
    return (await session.post('Profiler.stop')).profile;
  } finally {
    session.disconnect();
  }
}
