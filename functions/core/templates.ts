import type { CellInput } from './nbformat/cells.ts';
import type { KernelType } from './notebook.ts';

/** A built-in notebook template. Ids and slugs are fixed: clients may hard-code them. */
export interface Template {
  templateId: string;
  slug: string;
  name: string;
  description: string;
  kernelType: KernelType;
  cells: CellInput[];
}

const md = (source: string): CellInput => ({ cellType: 'markdown', source });
const code = (source: string, tags?: string[]): CellInput => ({
  cellType: 'code',
  source,
  ...(tags ? { tags } : {}),
});

export const TEMPLATES: readonly Template[] = [
  {
    templateId: '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e01',
    slug: 'process_mining_starter',
    name: 'Process Mining Starter',
    description:
      'Loads the bound event log, summarises cases and activities, and publishes an enriched frame.',
    kernelType: 'python3',
    cells: [
      md(
        '# Process Mining Starter\n\nLoads the bound event log (case, activity, timestamp) and summarises it.',
      ),
      code('dataset_id = None\nanalysis_period = None', ['parameters']),
      code(
        'import pandas as pd\nfrom mindzie_sdk import ProcessMiningClient\n\nclient = ProcessMiningClient()',
      ),
      code('df = client.get_dataset(dataset_id)\ndf.head()'),
      code("summary = df.groupby('case_id').agg(events=('activity', 'count'))\nsummary.describe()"),
    ],
  },
  {
    templateId: '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e02',
    slug: 'variant_analysis',
    name: 'Variant Analysis',
    description: 'Finds the process variants of the event log and their frequencies.',
    kernelType: 'python3',
    cells: [
      md('# Variant Analysis\n\nGroups cases by their activity sequence.'),
      code('dataset_id = None', ['parameters']),
      code(
        'from mindzie_sdk import ProcessMiningClient\nfrom process_mining_utils import variants\n\nclient = ProcessMiningClient()\ndf = client.get_dataset(dataset_id)',
      ),
      code('variants(df).head(20)'),
    ],
  },
  {
    templateId: '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e03',
    slug: 'blank_python',
    name: 'Blank Python Notebook',
    description: 'One empty code cell and a parameters cell.',
    kernelType: 'python3',
    cells: [code('', ['parameters']), code('')],
  },
];

/** Finds a template by GUID (any case) or by slug. */
export function findTemplate(idOrSlug: string): Template | undefined {
  const key = idOrSlug.toLowerCase();
  return TEMPLATES.find((t) => t.templateId === key || t.slug === key);
}

export function toTemplateSummary(t: Template) {
  return {
    templateId: t.templateId,
    slug: t.slug,
    name: t.name,
    description: t.description,
    cellCount: t.cells.length,
  };
}
