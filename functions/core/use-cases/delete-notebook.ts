import { notebookPrefix } from '../content-keys.ts';
import { NotFoundError, StateConflictError } from '../errors.ts';
import type { Actor, Services } from '../ports.ts';
import { isScheduleEnabled } from '../schedule/schedule.ts';
import { requireNotebook } from './common.ts';

/**
 * Deletes a notebook, its content history, its runs and its files (run outputs included). The store refuses (409) while a
 * run holds the notebook; that decision is the store's conditional delete, not a read.
 */
export async function deleteNotebook(services: Services, actor: Actor, notebookId: string) {
  const record = await requireNotebook(services, actor, notebookId);
  const outcome = await services.notebooks.delete(record);
  if (outcome === 'missing') throw new NotFoundError('Notebook', { NotebookId: notebookId });
  if (outcome === 'busy') {
    const latest = await services.notebooks.get(actor, notebookId);
    throw new StateConflictError('NotebookRunning', 'The notebook has an active execution; cancel it first', {
      NotebookId: notebookId,
      ExecutionId: latest?.activeExecutionId ?? record.activeExecutionId,
    });
  }
  if (isScheduleEnabled(record.integration)) await services.schedules.delete(actor, notebookId);
  await services.schedules.deleteFires(actor, notebookId);
  await services.notebooks.deleteVersions(actor, notebookId);
  await services.runs.deleteForNotebook(actor, notebookId);
  await services.contents.deletePrefix(notebookPrefix(actor, notebookId));
  return { Message: 'Notebook successfully deleted', NotebookId: notebookId };
}
