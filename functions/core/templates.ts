import type { CellInput } from './nbformat/cells.ts';
import type { KernelType } from './notebook.ts';
import { code } from './template-cells/cell.ts';
import { CUSTOMER_JOURNEY_CELLS } from './template-cells/customer-journey.ts';
import { PROCESS_MINING_STARTER_CELLS } from './template-cells/process-mining-starter.ts';
import { VARIANT_ANALYSIS_CELLS } from './template-cells/variant-analysis.ts';

/** A built-in notebook template. Ids and slugs are fixed: clients may hard-code them. */
export interface Template {
  templateId: string;
  slug: string;
  name: string;
  description: string;
  kernelType: KernelType;
  cells: CellInput[];
}

export const TEMPLATES: readonly Template[] = [
  {
    templateId: '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e01',
    slug: 'process_mining_starter',
    name: 'Process Mining Starter',
    description:
      'Loads the bound event log: summary, variants, cycle times, bottlenecks, a directly-follows graph, and an enriched frame published as a new dataset version.',
    kernelType: 'python3',
    cells: PROCESS_MINING_STARTER_CELLS,
  },
  {
    templateId: '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e02',
    slug: 'variant_analysis',
    name: 'Variant Analysis',
    description:
      'Finds the process variants of the event log, their frequencies, coverage and the cost of rework.',
    kernelType: 'python3',
    cells: VARIANT_ANALYSIS_CELLS,
  },
  {
    templateId: '3c8f1d2e-5b7a-4c1e-9f2d-1a0b3c4d5e04',
    slug: 'customer_journey_enrichment',
    name: 'Customer Journey Enrichment',
    description:
      'Adds a customer segment, a journey score and an anomaly flag per case, trains a churn classifier (scikit-learn) and publishes the enriched log.',
    kernelType: 'python3',
    cells: CUSTOMER_JOURNEY_CELLS,
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
