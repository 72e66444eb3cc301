import { finalizeRun } from '../core/use-cases/finalize-run.ts';
import { task } from './task.ts';

/** Workflow task (always runs): final status, resources, files, report, kernel shutdown, notebook freed. */
export const handler = task('Finalize', async ({ services, pointer, input }) => {
  const failure = input.error && {
    errorType: 'WorkflowFailed',
    errorMessage: `A workflow task failed: ${input.error.Error}${causeText(input.error.Cause)}`,
  };
  return { status: await finalizeRun(services, pointer, failure) };
});

function causeText(cause: unknown): string {
  if (typeof cause !== 'string' || cause === '') return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    return parsed.errorMessage ? ` (${parsed.errorMessage.slice(0, 300)})` : '';
  } catch {
    return ` (${cause.slice(0, 300)})`;
  }
}
