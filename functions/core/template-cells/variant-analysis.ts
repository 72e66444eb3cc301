import { code, LOAD_DATASET, md } from './cell.ts';

/** `variant_analysis`: variant frequencies, coverage, a Pareto chart, rework variants. */
export const VARIANT_ANALYSIS_CELLS = [
  md(`# Variant Analysis

Groups cases by their activity sequence (variant): how many variants there are, how few cover
most cases, and what rework (an activity repeated within a case) costs in cycle time.`),
  code(
    `
dataset_id = None  # None: the notebook's bound dataset
top_n = 10`,
    ['parameters'],
  ),
  code(`
import matplotlib.pyplot as plt
import pandas as pd
import process_mining_utils as pm
from mindzie_sdk import ProcessMiningClient
from process_mining_utils import variants

client = ProcessMiningClient()`),
  code(`${LOAD_DATASET}
table = variants(df, **cols)
table.head(top_n).round(3)`),
  code(`
needed = int((table['cumulative_share'] < 0.8).sum()) + 1
print(f"{len(table)} variants; the {needed} most frequent cover 80% of the {int(table['cases'].sum())} cases")`),
  code(`
top = table.head(top_n).copy()
top.index = [f'V{i + 1}' for i in range(len(top))]
fig, ax = plt.subplots(figsize=(9, 4))
ax.bar(top.index, top['cases'], color='#2874a6')
ax.set_ylabel('cases')
share = ax.twinx()
share.plot(top.index, top['cumulative_share'] * 100, color='#c0392b', marker='o')
share.set_ylabel('cumulative share of cases (%)')
share.set_ylim(0, 100)
ax.set_title(f'Top {len(top)} variants')
plt.show()
top[['variant', 'length', 'cases', 'share', 'mean_duration_hours']].round(3)`),
  md('## Rework\n\nVariants in which an activity occurs more than once, against those without.'),
  code(`
steps = table['variant'].str.split(' -> ')
table['rework'] = steps.map(lambda s: len(set(s)) < len(s))
table['case_hours'] = table['cases'] * table['mean_duration_hours']
rework = table.groupby('rework').agg(variants=('variant', 'size'), cases=('cases', 'sum'), hours=('case_hours', 'sum'))
rework['mean_duration_hours'] = rework['hours'] / rework['cases']
rework.drop(columns='hours').round(1)`),
  code(`
client.log_metrics({
    'variants': int(len(table)),
    'top_variant_share': round(float(table['share'].iloc[0]), 4),
    'variants_for_80_percent': needed,
})`),
];
