import { revisionKey } from '../content-keys.ts';
import { DuplicateNameError, NotebookConflictError } from '../errors.ts';
import { newId } from '../ids.ts';
import { applyCellEdits, type CellInput } from '../nbformat/cells.ts';
import type { NbDocument } from '../nbformat/types.ts';
import {
  type Environment,
  type Integration,
  type NotebookRecord,
  type NotebookResource,
  toNotebookResource,
} from '../notebook.ts';
import { checkScheduleStrictParameters } from '../parameter-inspection/strict-parameters.ts';
import type { Actor, Services } from '../ports.ts';
import { checkScheduleSettings, scheduleChanged, scheduleParameters } from '../schedule/schedule.ts';
import { bumpVersion } from '../version.ts';
import { nextTimestamp, requireKernel, requireNotebook } from './common.ts';
import { requireDatasetInProject } from './datasets.ts';
import { resolveNotebookEnvironment } from './environments.ts';
import { checkRunSecrets } from './secrets.ts';
import { syncSchedule } from './sync-schedule.ts';

export interface UpdateNotebookInput {
  name: string;
  /** undefined keeps the stored description; an empty string clears it. */
  description?: string;
  notebookOrder?: number;
  kernelType?: string;
  integration?: Partial<Integration>;
  environment?: Partial<Environment>;
  cells?: CellInput[];
  /** The optimistic-lock token the caller read; a different stored value is a 409. */
  dateModified?: string;
}

const MAX_ATTEMPTS = 5;

function conflict(actor: Actor, current: NotebookRecord, yours: string): NotebookConflictError {
  return new NotebookConflictError(
    current.notebookId,
    yours,
    current.dateModified,
    current.modifiedBy,
    `GET /api/${actor.tenantId}/${actor.projectId}/notebook/${current.notebookId} to fetch current state, then retry`,
  );
}

/**
 * Updates a notebook. The write is conditional on the `dateModified` that was read, so of
 * many concurrent writers exactly one wins; the others get a 409 when they sent
 * `dateModified`, and are re-applied on the fresh state when they did not. Cell changes
 * write a new content revision and bump MINOR; other changes bump PATCH.
 */
export async function updateNotebook(
  services: Services,
  actor: Actor,
  notebookId: string,
  input: UpdateNotebookInput,
): Promise<NotebookResource> {
  for (let attempt = 1; ; attempt++) {
    const current = await requireNotebook(services, actor, notebookId);
    if (
      input.dateModified !== undefined &&
      Date.parse(input.dateModified) !== Date.parse(current.dateModified)
    ) {
      throw conflict(actor, current, input.dateModified);
    }
    const integration: Integration = { ...current.integration, ...input.integration };
    // Only what the caller changes is checked: a legacy stored value does not block a rename.
    if (input.integration) checkScheduleSettings(integration);
    if (input.integration?.datasetBinding)
      await requireDatasetInProject(
        services,
        actor,
        input.integration.datasetBinding,
        'body.integration.datasetBinding',
      );
    if (input.integration?.scheduleParametersJson !== undefined)
      await requireDatasetInProject(
        services,
        actor,
        scheduleParameters(integration).dataset_id,
        'body.integration.scheduleParameters.dataset_id',
      );
    let document: NbDocument = await services.contents.get(current.contentKey);
    const now = nextTimestamp(services, current.dateModified);
    let cellsChanged = false;
    if (input.cells) {
      const edit = applyCellEdits(document.cells, input.cells, now);
      cellsChanged = edit.changed;
      if (cellsChanged) document = { ...document, cells: edit.cells };
    }
    // Only a changed kernel or environment is checked against what the kernel host runs.
    const resolved =
      input.kernelType || input.environment
        ? await resolveNotebookEnvironment(
            services,
            input.kernelType ? requireKernel(services, input.kernelType) : current.kernelType,
            input.environment,
            { previous: current.environment },
          )
        : undefined;
    if (input.integration) {
      checkScheduleStrictParameters(integration, document, resolved?.kernelType ?? current.kernelType);
    }
    if (input.integration?.scheduleSecrets) {
      await checkRunSecrets(
        services,
        actor,
        resolved?.kernelType ?? current.kernelType,
        input.integration.scheduleSecrets,
        'body.integration.scheduleSecrets',
      );
    }
    const next: NotebookRecord = {
      ...current,
      name: input.name,
      description: input.description === undefined ? current.description : input.description || null,
      notebookOrder: input.notebookOrder ?? current.notebookOrder,
      kernelType: resolved?.kernelType ?? current.kernelType,
      integration,
      environment: resolved?.environment ?? current.environment,
      cellCount: document.cells.length,
      notebookVersion: bumpVersion(current.notebookVersion, cellsChanged ? 'cells' : 'metadata'),
      contentKey: cellsChanged ? revisionKey(actor, notebookId, newId()) : current.contentKey,
      dateModified: now,
      modifiedBy: actor.principalId,
    };
    if (cellsChanged) await services.contents.put(next.contentKey, document);
    let written: boolean;
    try {
      written = await services.notebooks.update(current, next);
    } catch (error) {
      if (cellsChanged) await services.contents.delete(next.contentKey);
      if (error instanceof DuplicateNameError) throw new DuplicateNameError(input.name, 'update');
      throw error;
    }
    if (!written) {
      if (cellsChanged) await services.contents.delete(next.contentKey);
      if (input.dateModified !== undefined || attempt >= MAX_ATTEMPTS) {
        const latest = await requireNotebook(services, actor, notebookId);
        throw conflict(actor, latest, input.dateModified ?? current.dateModified);
      }
      continue;
    }
    await services.notebooks.putVersion(actor, {
      notebookId,
      version: next.notebookVersion,
      contentKey: next.contentKey,
      change: cellsChanged ? 'cells' : 'metadata',
      cellCount: next.cellCount,
      dateModified: now,
      modifiedBy: actor.principalId,
    });
    if (scheduleChanged(current.integration, next.integration)) await syncSchedule(services, next);
    return toNotebookResource(next, document, services.now());
  }
}
