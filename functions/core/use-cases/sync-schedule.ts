import type { NotebookRecord } from '../notebook.ts';
import type { Services } from '../ports.ts';
import { scheduleOf } from '../schedule/schedule.ts';

/**
 * Makes the notebook's schedule record match its integration: put (created or replaced,
 * effective from now) while `autoExecution` is on and `scheduleExecution` is set, deleted
 * otherwise. Create, update and copy call it after the notebook row is written; delete calls
 * `services.schedules.delete`.
 */
export async function syncSchedule(services: Services, notebook: NotebookRecord): Promise<void> {
  const schedule = scheduleOf(notebook, services.now().toISOString());
  if (schedule) await services.schedules.put(schedule);
  else await services.schedules.delete(notebook, notebook.notebookId);
}
