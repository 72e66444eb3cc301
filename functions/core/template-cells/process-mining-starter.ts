import { code, LOAD_DATASET, md } from './cell.ts';

/**
 * `process_mining_starter`: summary, variants, cycle times, bottlenecks, the DFG, an enriched
 * frame, and a small cycle-time model.
 */
export const PROCESS_MINING_STARTER_CELLS = [
  md(`# Process Mining Starter

Loads the bound event log (case id, activity, timestamp), then: a summary, the process variants,
case cycle times, the bottlenecks (waiting time between activities), the directly-follows graph,
and an enriched copy of the log published as a new dataset version.`),
  code(
    `
dataset_id = None  # None: the notebook's bound dataset
analysis_period = None  # e.g. '2024-03': only the cases that started in that month ('2024': year)`,
    ['parameters'],
  ),
  code(`
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import JSON, display
from mindzie_sdk import ProcessMiningClient
from mindzie_sdk import process_mining_utils as pm

client = ProcessMiningClient()`),
  code(`${LOAD_DATASET}
full = df  # the whole log: what the enriched frame is made of
if analysis_period:
    first = pd.to_datetime(df.groupby(case_col)[timestamp_col].transform('min'), utc=True)
    df = df[first.dt.strftime('%Y-%m-%d').str.startswith(str(analysis_period))]
df.head()`),
  code(`
summary = pm.summary(df, **cols)
pd.Series(summary, name='value').to_frame()`),
  md('## Variants\n\nA variant is the ordered sequence of activities of a case.'),
  code(`
variant_table = pm.variants(df, **cols)
variant_table.head(10).round(3)`),
  md('## Cycle times\n\nFrom the first to the last event of each case.'),
  code(`
durations = pm.case_durations(df, **cols)
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.hist(durations['duration_hours'] / 24, bins=40, color='#2874a6')
ax.set_xlabel('cycle time (days)')
ax.set_ylabel('cases')
ax.set_title('Case cycle times')
plt.show()
pm.cycle_times(df, **cols).round(1).to_frame()`),
  md('## Bottlenecks\n\nWaiting time between consecutive activities of a case, longest mean first.'),
  code(`
pm.bottlenecks(df, **cols).head(10).round(1)`),
  code(`
waiting = pm.bottlenecks(df, by='activity', **cols)
waiting.head(10).round(1)`),
  md('## Directly-follows graph\n\nArrow width: how often one activity directly follows another.'),
  code(`
fig = pm.plot_dfg(df, **cols)
plt.show()`),
  code(`
metrics = {
    'cases': summary['cases'],
    'events': summary['events'],
    'variants': summary['variants'],
    'mean_cycle_time_hours': round(summary['mean_cycle_time_hours'], 2),
    'median_cycle_time_hours': round(summary['median_cycle_time_hours'], 2),
    'bottleneck_activities': waiting.sort_values('total_hours', ascending=False)['activity'].head(2).tolist(),
}
client.log_metrics({k: v for k, v in metrics.items() if isinstance(v, (int, float))})
display(JSON(metrics))`),
  md(
    "## Enriched log\n\nEvery event of the whole log (not only the analysis period) gets its case's event count, cycle time and variant rank (1: most frequent).",
  ),
  code(`
per_case = pm.case_durations(full, **cols).set_index(case_col)[['events', 'duration_hours']]
per_case = per_case.rename(columns={'events': 'case_events', 'duration_hours': 'cycle_time_hours'}).round(2)
rank = {variant: i + 1 for i, variant in enumerate(pm.variants(full, **cols)['variant'])}
per_case['variant_rank'] = pm.case_variants(full, **cols).map(rank)
# A log enriched before (an earlier version) gets the columns replaced, not duplicated.
enriched = full.drop(columns=[c for c in per_case.columns if c in full.columns])
enriched = enriched.merge(per_case, left_on=case_col, right_index=True, how='left')
client.publish_enriched(enriched, name='process_mining_starter_enriched')
enriched.head()`),
  md(
    "## A cycle-time model\n\nA small regression tree predicting a case's cycle time from its number of events and its variant rank, logged with its R² on held-out cases.",
  ),
  code(`
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeRegressor

features = ['case_events', 'variant_rank']
X, y = per_case[features], per_case['cycle_time_hours']
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=7)
model = DecisionTreeRegressor(max_depth=4, random_state=7).fit(X_train, y_train)
r2 = float(model.score(X_test, y_test))
client.log_model(model, 'cycle_time_regressor', metrics={'r2': round(r2, 4), 'cases': int(len(per_case))}, features=features)
print(f'R² on held-out cases: {r2:.3f}')`),
];
