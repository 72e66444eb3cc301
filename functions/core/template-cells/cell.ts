import type { CellInput } from '../nbformat/cells.ts';

/** A markdown cell of a built-in template. */
export const md = (source: string): CellInput => ({ cellType: 'markdown', source });

/** A code cell of a built-in template (`String.raw` sources keep Python's backslashes). */
export const code = (source: string, tags?: string[]): CellInput => ({
  cellType: 'code',
  source: source.trim(),
  ...(tags ? { tags } : {}),
});

/** The cell that loads the run's dataset and names its case id, activity and timestamp columns. */
export const LOAD_DATASET = `
df = client.get_dataset(dataset_id)
cols = pm.event_columns(df)  # the dataset's case id, activity and timestamp columns
case_col, activity_col, timestamp_col = cols['case_col'], cols['activity_col'], cols['timestamp_col']`;
