import { revisionKey } from '../content-keys.ts';
import { NotFoundError } from '../errors.ts';
import { newId } from '../ids.ts';
import { DEFAULT_INVESTIGATION_NAME } from '../investigation.ts';
import { buildCells, type CellInput } from '../nbformat/cells.ts';
import { newDocument } from '../nbformat/document.ts';
import type { NbDocument } from '../nbformat/types.ts';
import {
  DEFAULT_ENVIRONMENT,
  DEFAULT_INTEGRATION,
  type Environment,
  type Integration,
  type NotebookRecord,
  type NotebookResource,
  toNotebookResource,
} from '../notebook.ts';
import { checkScheduleStrictParameters } from '../parameter-inspection/strict-parameters.ts';
import type { Actor, Services } from '../ports.ts';
import { checkScheduleSettings, isScheduleEnabled, scheduleParameters } from '../schedule/schedule.ts';
import { findTemplate } from '../templates.ts';
import { INITIAL_VERSION } from '../version.ts';
import { nextTimestamp, requireInvestigation, requireKernel } from './common.ts';
import { requireDatasetInProject } from './datasets.ts';
import { resolveNotebookEnvironment } from './environments.ts';
import { checkRunSecrets } from './secrets.ts';
import { syncSchedule } from './sync-schedule.ts';

export interface CreateNotebookInput {
  name: string;
  description?: string | null;
  kernelType?: string;
  /** Template by slug or GUID; its cells come first. */
  template?: string | null;
  investigationId?: string | null;
  notebookType?: number;
  notebookOrder?: number;
  integration?: Partial<Integration>;
  environment?: Partial<Environment>;
  cells?: CellInput[];
  /** A ready document (upload, copy); replaces template and cells. */
  document?: NbDocument;
  /** Where the kernel type came from, for a 400 naming it (default `kernelType`). */
  kernelTypePath?: string;
  /** Where the dataset binding came from, for a 400 naming it (default `body.integration.datasetBinding`). */
  datasetBindingPath?: string;
}

/** The investigation to create into: the given one, or the project's default. */
export async function resolveInvestigation(
  services: Services,
  actor: Actor,
  investigationId?: string | null,
) {
  if (investigationId) return requireInvestigation(services, actor, investigationId);
  return services.investigations.getOrCreateDefault(actor, () => ({
    tenantId: actor.tenantId,
    projectId: actor.projectId,
    investigationId: newId(),
    name: DEFAULT_INVESTIGATION_NAME,
    description: 'Notebooks created without an investigation',
    isDefault: true,
    dateCreated: services.now().toISOString(),
    createdBy: actor.principalId,
  }));
}

/**
 * Creates a notebook: writes its first content revision, then the metadata row (which
 * claims the name), then version 1.0.0. A name collision removes the written content.
 */
export async function createNotebook(
  services: Services,
  actor: Actor,
  input: CreateNotebookInput,
): Promise<NotebookResource> {
  const integration: Integration = { ...DEFAULT_INTEGRATION, ...input.integration };
  checkScheduleSettings(integration);
  await requireDatasetInProject(
    services,
    actor,
    integration.datasetBinding,
    input.datasetBindingPath ?? 'body.integration.datasetBinding',
  );
  await requireDatasetInProject(
    services,
    actor,
    scheduleParameters(integration).dataset_id,
    'body.integration.scheduleParameters.dataset_id',
  );
  const investigation = await resolveInvestigation(services, actor, input.investigationId);
  const template = input.template ? findTemplate(input.template) : undefined;
  if (input.template && !template) throw new NotFoundError('Template', { Template: input.template });
  requireKernel(services, input.kernelType ?? template?.kernelType ?? 'python3', input.kernelTypePath);
  // What the kernel host really runs: the kernel, the packages asked for, the Python version.
  const { kernelType, environment } = await resolveNotebookEnvironment(
    services,
    input.kernelType ?? template?.kernelType ?? 'python3',
    input.environment,
    { path: input.kernelTypePath },
  );
  const now = nextTimestamp(services);
  const document =
    input.document ??
    newDocument(kernelType, buildCells([...(template?.cells ?? []), ...(input.cells ?? [])], now));
  checkScheduleStrictParameters(integration, document, kernelType);
  await checkRunSecrets(
    services,
    actor,
    kernelType,
    integration.scheduleSecrets ?? undefined,
    'body.integration.scheduleSecrets',
  );

  const notebookId = newId();
  const contentKey = revisionKey(actor, notebookId, newId());
  const order =
    input.notebookOrder ?? (await services.notebooks.maxOrder(actor, investigation.investigationId)) + 1;
  const record: NotebookRecord = {
    tenantId: actor.tenantId,
    projectId: actor.projectId,
    notebookId,
    investigationId: investigation.investigationId,
    name: input.name,
    description: input.description ?? null,
    notebookVersion: INITIAL_VERSION,
    kernelType,
    status: 'Ready',
    notebookType: input.notebookType ?? 0,
    notebookOrder: order,
    integration,
    environment: { ...DEFAULT_ENVIRONMENT, ...environment },
    cellCount: document.cells.length,
    lastExecutionDuration: 0,
    lastExecutionDate: null,
    executionCount: 0,
    dateCreated: now,
    dateModified: now,
    createdBy: actor.principalId,
    modifiedBy: null,
    contentKey,
    activeExecutionId: null,
  };
  await services.contents.put(contentKey, document);
  try {
    await services.notebooks.create(record);
  } catch (error) {
    await services.contents.delete(contentKey);
    throw error;
  }
  await services.notebooks.putVersion(actor, {
    notebookId,
    version: INITIAL_VERSION,
    contentKey,
    change: 'created',
    cellCount: record.cellCount,
    dateModified: now,
    modifiedBy: actor.principalId,
  });
  // A new notebook has no schedule record yet: only an enabled schedule needs one.
  if (isScheduleEnabled(record.integration)) await syncSchedule(services, record);
  return toNotebookResource(record, document, services.now());
}
