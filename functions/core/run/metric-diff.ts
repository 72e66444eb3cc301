import { metricsOf } from './output-fingerprint.ts';
import type { RunSide } from './run-diff.ts';

/** A metric's two values: from `log_metrics` (by cell) or a logged model's metrics. */
export interface MetricChange {
  name: string;
  /** `log_metrics` (the cell that logged it last) or `log_model` (`name` is `model.metric`). */
  source: 'log_metrics' | 'log_model';
  cellId: string | null;
  before: number | null;
  after: number | null;
  /** `after - before` when both exist. */
  delta: number | null;
}

type MetricValue = Omit<MetricChange, 'before' | 'after' | 'delta'> & { value: number };

/** Metric values of one run, by `source` and name. */
function metricValues(side: RunSide, order: string[]): Map<string, MetricValue> {
  const values = new Map<string, MetricValue>();
  for (const cellId of order) {
    for (const [name, value] of metricsOf(side.outputs.get(cellId) ?? []))
      values.set(`log_metrics:${name}`, { name, source: 'log_metrics', cellId, value });
  }
  for (const model of side.run.published?.models ?? []) {
    for (const [metric, value] of Object.entries(model.metrics)) {
      const name = `${model.name}.${metric}`;
      if (typeof value === 'number' && Number.isFinite(value))
        values.set(`log_model:${name}`, { name, source: 'log_model', cellId: null, value });
    }
  }
  return values;
}

/**
 * The metrics either run logged (`log_metrics` in the cells, in `order`; logged models'
 * metrics), with both values and the delta.
 */
export function metricChanges(before: RunSide, after: RunSide, order: string[]): MetricChange[] {
  const a = metricValues(before, order);
  const b = metricValues(after, order);
  return [...new Set([...b.keys(), ...a.keys()])].map((key) => {
    const x = a.get(key);
    const y = b.get(key);
    const { value: _, ...what } = (y ?? x)!;
    return {
      ...what,
      before: x?.value ?? null,
      after: y?.value ?? null,
      delta: x && y ? y.value - x.value : null,
    };
  });
}
