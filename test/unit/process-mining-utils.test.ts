import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPython } from '../support/template-script.ts';

/**
 * A hand-made log whose answers are known:
 *   a: A(0h) B(1h) C(3h)        variant A>B>C, 3 h
 *   b: A(0h) C(5h)              variant A>C,   5 h
 *   c: A(0h) B(2h) B(3h) C(4h)  variant A>B>B>C (rework), 4 h; listed out of order
 *   d: A(0h) B(1h) C(3h)        variant A>B>C, 3 h; other column names in the last check
 */
const LOG = `
import json
import pandas as pd
from mindzie_sdk import process_mining_utils as pm
import process_mining_utils
import cellwise.process_mining_utils

rows = [
    ('a', 'A', '2024-01-01T00:00:00Z'), ('a', 'B', '2024-01-01T01:00:00Z'), ('a', 'C', '2024-01-01T03:00:00Z'),
    ('b', 'A', '2024-01-01T00:00:00Z'), ('b', 'C', '2024-01-01T05:00:00Z'),
    ('c', 'C', '2024-01-02T04:00:00Z'), ('c', 'B', '2024-01-02T03:00:00Z'), ('c', 'A', '2024-01-02T00:00:00Z'),
    ('c', 'B', '2024-01-02T02:00:00Z'),
    ('d', 'A', '2024-01-03T00:00:00+01:00'), ('d', 'B', '2024-01-03T01:00:00+01:00'), ('d', 'C', '2024-01-03T03:00:00+01:00'),
]
df = pd.DataFrame(rows, columns=['case_id', 'activity', 'timestamp'])
records = lambda frame: frame.to_dict(orient='records')
renamed = df.rename(columns={'case_id': 'case', 'activity': 'step', 'timestamp': 'at'})
fig = pm.plot_dfg(df)
print(json.dumps({
    'same_module': pm.variants is process_mining_utils.variants is cellwise.process_mining_utils.variants,
    'variants': records(pm.variants(df)),
    'durations': records(pm.case_durations(df)[['case_id', 'events', 'duration_hours']]),
    'cycle': pm.cycle_times(df).to_dict(),
    'dfg': records(pm.directly_follows(df)),
    'transitions': records(pm.bottlenecks(df)),
    'activities': records(pm.bottlenecks(df, by='activity')),
    'summary': pm.summary(df),
    'renamed': records(pm.variants(renamed, case_col='case', activity_col='step', timestamp_col='at')),
    'figure': [type(fig).__name__, len(fig.axes[0].patches), len(fig.axes[0].texts)],
}, default=lambda o: o.item()))
`;

function analyse() {
  // A directory of its own: the script's HOME (matplotlib writes its cache there).
  const dir = mkdtempSync(join(tmpdir(), 'cellwise-pm-'));
  const result = runPython(LOG, dir);
  rmSync(dir, { recursive: true, force: true });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout);
}

describe('unit', () => {
  const out = analyse();

  it('exposes one module under the three import names the notebooks use', () => {
    expect(out.same_module).toBe(true);
  });

  it('counts variants as ordered activity sequences, most frequent first, with their share', () => {
    expect(out.variants).toEqual([
      {
        variant: 'A -> B -> C',
        length: 3,
        cases: 2,
        share: 0.5,
        cumulative_share: 0.5,
        mean_duration_hours: 3,
      },
      {
        variant: 'A -> B -> B -> C',
        length: 4,
        cases: 1,
        share: 0.25,
        cumulative_share: 0.75,
        mean_duration_hours: 4,
      },
      { variant: 'A -> C', length: 2, cases: 1, share: 0.25, cumulative_share: 1, mean_duration_hours: 5 },
    ]);
    expect(out.renamed.map((v: { variant: string }) => v.variant)).toEqual(
      out.variants.map((v: { variant: string }) => v.variant),
    );
  });

  it('measures case durations and cycle-time statistics in hours, with time zones honoured', () => {
    expect(out.durations).toEqual([
      { case_id: 'a', events: 3, duration_hours: 3 },
      { case_id: 'b', events: 2, duration_hours: 5 },
      { case_id: 'c', events: 4, duration_hours: 4 },
      { case_id: 'd', events: 3, duration_hours: 3 },
    ]);
    expect(out.cycle).toMatchObject({ cases: 4, mean: 3.75, median: 3.5, min: 3, max: 5 });
    expect(out.cycle.p90).toBeCloseTo(4.7, 10);
  });

  it('builds the directly-follows graph with counts, cases and mean times per edge', () => {
    expect(out.dfg).toEqual([
      { source: 'A', target: 'B', count: 3, cases: 3, mean_hours: 4 / 3, median_hours: 1 },
      { source: 'B', target: 'C', count: 3, cases: 3, mean_hours: 5 / 3, median_hours: 2 },
      { source: 'A', target: 'C', count: 1, cases: 1, mean_hours: 5, median_hours: 5 },
      { source: 'B', target: 'B', count: 1, cases: 1, mean_hours: 1, median_hours: 1 },
    ]);
  });

  it('ranks bottlenecks by mean waiting time per transition and per activity', () => {
    expect(out.transitions.map((t: { source: string; target: string }) => `${t.source}>${t.target}`)).toEqual(
      ['A>C', 'B>C', 'A>B', 'B>B'],
    );
    expect(out.transitions[1]).toEqual({
      source: 'B',
      target: 'C',
      count: 3,
      mean_hours: 5 / 3,
      median_hours: 2,
      max_hours: 2,
      total_hours: 5,
    });
    // Waiting before C: 2, 5, 1, 2 hours; before B: 1, 2, 1, 1 hours.
    expect(out.activities).toEqual([
      { activity: 'C', count: 4, mean_hours: 2.5, median_hours: 2, max_hours: 5, total_hours: 10 },
      { activity: 'B', count: 4, mean_hours: 1.25, median_hours: 1, max_hours: 2, total_hours: 5 },
    ]);
  });

  it('summarises the log', () => {
    expect(out.summary).toEqual({
      events: 12,
      cases: 4,
      activities: 3,
      variants: 3,
      start: '2024-01-01T00:00:00+00:00',
      end: '2024-01-03T02:00:00+00:00',
      mean_cycle_time_hours: 3.75,
      median_cycle_time_hours: 3.5,
    });
  });

  it('plots the directly-follows graph as a matplotlib figure without graphviz', () => {
    // Three activity nodes; three edges between different activities (the B self-loop is a label).
    expect(out.figure).toEqual(['Figure', 3, 3 + 3]);
  });
});
