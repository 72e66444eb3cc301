import { prepareRun } from '../core/use-cases/prepare-run.ts';
import { task } from './task.ts';

/** Workflow task: start the run's kernel, Queued → Running. */
export const handler = task('Prepare', ({ services, pointer }) => prepareRun(services, pointer));
