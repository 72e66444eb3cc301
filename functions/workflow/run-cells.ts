import { runCells } from '../core/use-cases/run-cells.ts';
import { task } from './task.ts';

/** Workflow task: execute cells until the run ends or this invocation's slice is used up. */
export const handler = task('RunCells', ({ services, pointer, context }) =>
  runCells(services, pointer, () => context.getRemainingTimeInMillis()),
);
