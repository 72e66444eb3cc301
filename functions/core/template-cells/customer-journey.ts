import { code, LOAD_DATASET, md } from './cell.ts';

/**
 * `customer_journey_enrichment`: per-case journey features, a segment, a journey score and an
 * anomaly flag; a scikit-learn classifier of churned journeys; the enriched log published.
 */
export const CUSTOMER_JOURNEY_CELLS = [
  md(`# Customer Journey Enrichment

Turns every case of the event log into a customer journey: touchpoints, cycle time and rework,
then adds a **customer segment**, a **journey score** (0–100, fast journeys without rework score
high) and an **anomaly flag**, trains a classifier that predicts churned journeys (cases that
end in one of \`churn_activities\`) and publishes the enriched log.`),
  code(
    `
dataset_id = None  # None: the notebook's bound dataset
churn_activities = ['Offer Declined', 'Offer Expired', 'Cancel Application']`,
    ['parameters'],
  ),
  code(`
import numpy as np
import pandas as pd
from mindzie_sdk import ProcessMiningClient
from mindzie_sdk import process_mining_utils as pm
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

client = ProcessMiningClient()`),
  code(LOAD_DATASET),
  md('## Journeys\n\nOne row per case.'),
  code(`
log = pm.prepare(df, **cols)
activities = log.groupby(case_col)[activity_col]
cases = pm.case_durations(log, **cols).set_index(case_col)
journeys = pd.DataFrame({
    'touchpoint_count': cases['events'],
    'cycle_time': cases['duration_hours'].round(2),
    'rework_count': activities.agg(lambda s: int(s.duplicated().sum())),
    'last_activity': activities.last(),
})
if 'amount' in log.columns:
    journeys['amount'] = pd.to_numeric(log.groupby(case_col)['amount'].first(), errors='coerce')
journeys.describe().round(1)`),
  md('## Segment, journey score, anomaly flag'),
  code(`
basis = journeys['amount'] if 'amount' in journeys else journeys['touchpoint_count']
journeys['customer_segment'] = pd.qcut(
    basis.rank(method='first'), 3, labels=['Basic', 'Standard', 'Premium']
).astype(str)
speed = 1 - journeys['cycle_time'].rank(pct=True)
smoothness = 1 - (journeys['rework_count'] / 2).clip(upper=1)
journeys['journey_score'] = (100 * (0.6 * speed + 0.4 * smoothness)).round(1)
# Anomalies: cycle times far from the usual (robust z-score of the log cycle time > 3), or far
# more touchpoints than usual.
log_cycle = np.log1p(journeys['cycle_time'])
mad = (log_cycle - log_cycle.median()).abs().median() or 1.0
robust_z = (log_cycle - log_cycle.median()) / (1.4826 * mad)
q1, q3 = journeys['touchpoint_count'].quantile([0.25, 0.75])
journeys['anomaly_flag'] = (robust_z.abs() > 3) | (journeys['touchpoint_count'] > q3 + 3 * (q3 - q1))
journeys.groupby('customer_segment').agg(
    cases=('journey_score', 'size'),
    journey_score=('journey_score', 'mean'),
    cycle_time=('cycle_time', 'mean'),
    anomalies=('anomaly_flag', 'sum'),
).round(1)`),
  md(
    '## Churn model\n\nA random forest on the journey features; its test accuracy is logged with the model.',
  ),
  code(`
features = ['journey_score', 'cycle_time', 'touchpoint_count']
churned = journeys['last_activity'].isin(churn_activities)
if churned.nunique() < 2:  # no churn outcome in this log: predict the slower half of journeys
    churned = journeys['cycle_time'] > journeys['cycle_time'].median()
X_train, X_test, y_train, y_test = train_test_split(
    journeys[features], churned, test_size=0.25, random_state=0, stratify=churned
)
model = RandomForestClassifier(n_estimators=200, max_depth=6, random_state=0)
model.fit(X_train, y_train)
accuracy = float(accuracy_score(y_test, model.predict(X_test)))
client.log_model(model, 'customer_churn_predictor', metrics={'accuracy': round(accuracy, 4)}, features=features)
print(f'accuracy on {len(y_test)} held-out journeys: {accuracy:.3f}')
pd.Series(model.feature_importances_, index=features, name='importance').sort_values(ascending=False).round(3)`),
  md("## Enriched log\n\nEvery event gets its journey's segment, score and anomaly flag."),
  code(`
new_columns = ['customer_segment', 'journey_score', 'anomaly_flag']
enriched = df.drop(columns=[c for c in new_columns if c in df.columns])  # enriched before: replaced
enriched = enriched.merge(journeys[new_columns], left_on=case_col, right_index=True, how='left')
client.publish_enriched(enriched, name='customer_journey_enhanced')
print(f'{len(enriched)} events, new columns: {", ".join(new_columns)}')`),
];
