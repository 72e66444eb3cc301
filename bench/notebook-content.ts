/**
 * Realistic notebook bodies for seeding: a markdown introduction and a few pandas-style
 * analysis cells, varied per index so no two notebooks are identical.
 */
export interface SeedCell {
  cellType: 'code' | 'markdown';
  content: string;
}

const DATASETS = ['sales', 'orders', 'sessions', 'invoices', 'sensor_readings', 'tickets', 'shipments'];
const METRICS = ['revenue', 'quantity', 'duration_s', 'amount', 'temperature', 'latency_ms', 'weight_kg'];
const DIMENSIONS = ['region', 'channel', 'product', 'country', 'device', 'team', 'carrier'];

function pick<T>(list: readonly T[], index: number, salt: number): T {
  return list[(index * 7 + salt * 13) % list.length]!;
}

export function notebookName(index: number): string {
  return `Bench notebook ${String(index).padStart(5, '0')}`;
}

export function seedCells(index: number): SeedCell[] {
  const dataset = pick(DATASETS, index, 1);
  const metric = pick(METRICS, index, 2);
  const dimension = pick(DIMENSIONS, index, 3);
  const window = 7 + (index % 23);
  return [
    {
      cellType: 'markdown',
      content: [
        `# ${dataset.replace('_', ' ')} analysis #${index}`,
        '',
        `Weekly ${metric} by ${dimension}, with a ${window}-day rolling mean and outlier flags.`,
        '',
        '- source: `s3://analytics/raw/` (parquet)',
        '- owner: data platform',
      ].join('\n'),
    },
    {
      cellType: 'code',
      content: [
        'import numpy as np',
        'import pandas as pd',
        'import matplotlib.pyplot as plt',
        '',
        "pd.set_option('display.max_columns', 50)",
      ].join('\n'),
    },
    {
      cellType: 'code',
      content: [
        `df = pd.read_parquet('s3://analytics/raw/${dataset}/2024/')`,
        "df['date'] = pd.to_datetime(df['timestamp']).dt.floor('D')",
        `df = df[df['${metric}'].notna()]`,
        'df.describe(include="all").T.head(20)',
      ].join('\n'),
    },
    {
      cellType: 'code',
      content: [
        'daily = (',
        `    df.groupby(['date', '${dimension}'])['${metric}']`,
        "    .agg(['sum', 'mean', 'count'])",
        '    .reset_index()',
        ')',
        `daily['rolling'] = daily.groupby('${dimension}')['sum'].transform(lambda s: s.rolling(${window}).mean())`,
        "z = (daily['sum'] - daily['rolling']) / daily['sum'].std()",
        "daily['outlier'] = np.abs(z) > 3",
        "daily[daily['outlier']].sort_values('date').tail(10)",
      ].join('\n'),
    },
    {
      cellType: 'code',
      content: [
        'fig, ax = plt.subplots(figsize=(12, 5))',
        `for key, part in daily.groupby('${dimension}'):`,
        "    ax.plot(part['date'], part['rolling'], label=str(key))",
        `ax.set_title('${metric} (${window}-day rolling mean) by ${dimension}')`,
        "ax.legend(loc='upper left', ncol=3)",
        'plt.tight_layout()',
      ].join('\n'),
    },
  ];
}
