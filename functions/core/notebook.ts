import { type CellView, toCellView } from './nbformat/cells.ts';
import type { NbDocument } from './nbformat/types.ts';
import type { RetryPolicy } from './run/retry-policy.ts';
import { toIntegrationView } from './schedule/schedule.ts';

export type NotebookStatus = 'Ready' | 'Running' | 'Error' | 'Kernel_Dead';
export const NOTEBOOK_STATUSES: readonly NotebookStatus[] = ['Ready', 'Running', 'Error', 'Kernel_Dead'];
export const KERNEL_TYPES = ['python3', 'r', 'scala'] as const;
export type KernelType = (typeof KERNEL_TYPES)[number];

export interface Integration {
  enrichmentMode: boolean;
  datasetBinding: string | null;
  outputFormat: string | null;
  autoExecution: boolean;
  /** 5-field cron; the schedule is enabled while `autoExecution` is true. */
  scheduleExecution: string | null;
  /** IANA time zone the cron is evaluated in (absent on older rows: UTC). */
  scheduleTimezone?: string;
  /** Run parameters of scheduled runs as JSON text, kept losslessly (absent: `{}`). */
  scheduleParametersJson?: string;
  /** `strictParameters` of scheduled runs; null or absent: the notebook metadata's `cellwise.strictParameters`. */
  scheduleStrictParameters?: boolean | null;
  /** The retry policy of scheduled runs (null or absent: none). */
  scheduleRetry?: RetryPolicy | null;
  /** Project secrets set in scheduled runs' kernels (null or absent: none), checked when written and at each fire. */
  scheduleSecrets?: string[] | null;
}

export interface Environment {
  pythonVersion: string | null;
  packages: string[];
  customLibraries: string[];
}

/** Where a notebook lives: every key and every query is scoped by tenant and project. */
export interface Scope {
  tenantId: string;
  projectId: string;
}

/** The metadata row of a notebook: what lists and filters need, plus where its content is. */
export interface NotebookRecord extends Scope {
  notebookId: string;
  investigationId: string;
  name: string;
  description: string | null;
  notebookVersion: string;
  kernelType: KernelType;
  status: NotebookStatus;
  notebookType: number;
  notebookOrder: number;
  integration: Integration;
  environment: Environment;
  cellCount: number;
  lastExecutionDuration: number;
  lastExecutionDate: string | null;
  executionCount: number;
  dateCreated: string;
  dateModified: string;
  createdBy: string;
  modifiedBy: string | null;
  /** Object key of the current nbformat document. */
  contentKey: string;
  /** Set while a run holds the notebook; delete is refused while it is set. */
  activeExecutionId: string | null;
}

export const DEFAULT_INTEGRATION: Integration = {
  enrichmentMode: false,
  datasetBinding: null,
  outputFormat: null,
  autoExecution: false,
  scheduleExecution: null,
  scheduleTimezone: 'UTC',
  scheduleParametersJson: '{}',
  scheduleStrictParameters: null,
  scheduleRetry: null,
  scheduleSecrets: null,
};

export const DEFAULT_ENVIRONMENT: Environment = { pythonVersion: null, packages: [], customLibraries: [] };

/** The list view: no cells and no source, both field spellings. */
/**
 * What a list page shows of a notebook (route 1): the row without its content key, kernel
 * environment and integration settings other than `enrichmentMode`, so a page reads less.
 */
export type NotebookListing = Omit<
  NotebookRecord,
  'tenantId' | 'integration' | 'environment' | 'contentKey' | 'activeExecutionId'
> & {
  integration: Pick<Integration, 'enrichmentMode'>;
};

export function toNotebookSummary(r: NotebookListing) {
  return {
    notebookId: r.notebookId,
    projectId: r.projectId,
    investigationId: r.investigationId,
    notebookName: r.name,
    name: r.name,
    notebookDescription: r.description,
    description: r.description,
    notebookVersion: r.notebookVersion,
    kernelType: r.kernelType,
    status: r.status,
    enrichmentMode: r.integration.enrichmentMode,
    notebookType: r.notebookType,
    notebookOrder: r.notebookOrder,
    cellCount: r.cellCount,
    blockCount: r.cellCount,
    lastExecutionDuration: r.lastExecutionDuration,
    lastExecutionDate: r.lastExecutionDate,
    executionCount: r.executionCount,
    dateCreated: r.dateCreated,
    dateModified: r.dateModified,
    createdBy: r.createdBy,
    modifiedBy: r.modifiedBy,
  };
}

export type NotebookSummary = ReturnType<typeof toNotebookSummary>;

/**
 * The full resource: the summary plus integration (with the next fire times of its schedule,
 * counted from `now`), environment and the cells of the content.
 */
export function toNotebookResource(r: NotebookRecord, document: NbDocument, now: Date = new Date()) {
  const cells: CellView[] = document.cells.map(toCellView);
  return {
    ...toNotebookSummary(r),
    integration: toIntegrationView(r.integration, now),
    environment: r.environment,
    cells,
  };
}

export type NotebookResource = ReturnType<typeof toNotebookResource>;
