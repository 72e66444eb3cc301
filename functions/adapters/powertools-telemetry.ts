import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Telemetry } from '../core/ports/telemetry-ports.ts';
import { log } from '../observability/logger.ts';
import { ERROR_TYPE_DIMENSION, METRIC } from '../observability/names.ts';

type Unit = (typeof MetricUnit)[keyof typeof MetricUnit];

/** Most cell durations one run end reports (a 1,000-cell run keeps its first 1,000). */
const MAX_CELL_VALUES = 1000;

/**
 * Telemetry through Powertools: problems are log lines (the service's logger, locally too);
 * measurements are CloudWatch metrics (embedded metric format) when the deployment has a
 * metrics namespace, and dropped without one. Values are buffered for the invocation and
 * flushed by the wrapper's `logMetrics` middleware; failed runs are also counted per error
 * type. A metric that cannot be recorded is logged and dropped: measuring never fails a
 * use-case.
 */
export class PowertoolsTelemetry implements Telemetry {
  constructor(private readonly metrics?: Metrics) {}

  problem(message: string, fields: Record<string, string | number | null | undefined>): void {
    log('error', message, fields);
  }

  runStarted(_run: { trigger: string }): void {
    this.add(METRIC.runsStarted, MetricUnit.Count, 1);
  }

  runAdmitted(run: { queueWaitSeconds: number }): void {
    this.add(METRIC.queueWait, MetricUnit.Seconds, Math.max(0, run.queueWaitSeconds));
  }

  admissionRefused(): void {
    this.add(METRIC.admissionRefusals, MetricUnit.Count, 1);
  }

  runEnded(run: { status: string; errorType: string | null; cellSeconds: readonly number[] }): void {
    if (run.status === 'Completed') this.add(METRIC.runsCompleted, MetricUnit.Count, 1);
    if (run.status === 'Cancelled') this.add(METRIC.runsCancelled, MetricUnit.Count, 1);
    if (run.status === 'Error') {
      this.add(METRIC.runsFailed, MetricUnit.Count, 1);
      this.guard(() => {
        if (!this.metrics) return;
        const single = this.metrics.singleMetric();
        single.addDimension(ERROR_TYPE_DIMENSION, run.errorType || 'Unknown');
        single.addMetric(METRIC.runsFailed, MetricUnit.Count, 1);
      });
    }
    if (run.cellSeconds.length > 0) {
      this.add(METRIC.cellsRun, MetricUnit.Count, run.cellSeconds.length);
      for (const seconds of run.cellSeconds.slice(0, MAX_CELL_VALUES))
        this.add(METRIC.cellDuration, MetricUnit.Seconds, seconds);
    }
  }

  webhookDeliveries(report: { succeeded: number; retrying: number; failed: number }): void {
    if (report.succeeded > 0) this.add(METRIC.webhookDeliveriesSucceeded, MetricUnit.Count, report.succeeded);
    if (report.retrying > 0) this.add(METRIC.webhookDeliveriesRetrying, MetricUnit.Count, report.retrying);
    if (report.failed > 0) this.add(METRIC.webhookDeliveriesFailed, MetricUnit.Count, report.failed);
  }

  fleetDemand(report: { demand: number; hostsWanted: number }): void {
    this.add(METRIC.kernelDemand, MetricUnit.Count, report.demand);
    this.add(METRIC.kernelHostsWanted, MetricUnit.Count, report.hostsWanted);
  }

  private add(name: string, unit: Unit, value: number): void {
    this.guard(() => this.metrics?.addMetric(name, unit, value));
  }

  private guard(record: () => void): void {
    try {
      record();
    } catch (error) {
      log('warn', 'metric not recorded', { error });
    }
  }
}
