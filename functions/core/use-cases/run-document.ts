import type { NbDocument } from '../nbformat/types.ts';
import { parseParametersLossless } from '../parameters.ts';
import type { Services } from '../ports.ts';
import type { RunRecord } from '../run/run.ts';
import { planRun } from '../run/run-plan.ts';

/**
 * The document a run executes: its notebook's content revision (`sourceKey`, immutable) planned
 * again exactly as at submission (outputs cleared, its parameters injected in its kernel's
 * language), so a submission stores no copy of it; a run whose document was stored (`inputKey`:
 * a resume, or a run from before `sourceKey`) reads that copy.
 */
export async function runDocument(
  services: Services,
  run: Pick<
    RunRecord,
    'inputKey' | 'sourceKey' | 'executionMode' | 'cellRange' | 'parametersJson' | 'kernelType'
  >,
): Promise<NbDocument> {
  if (run.inputKey) return services.contents.get(run.inputKey);
  if (!run.sourceKey) throw new Error('The run has neither a stored document nor a source revision');
  return plannedAgain(await services.contents.get(run.sourceKey), run);
}

/** The document `planRun` made at submission, from the source and what the run record keeps of the request. */
export function plannedAgain(
  source: NbDocument,
  run: Pick<RunRecord, 'executionMode' | 'cellRange' | 'parametersJson' | 'kernelType'>,
): NbDocument {
  return planRun(source, {
    executionMode: run.executionMode,
    cellRange: run.cellRange,
    parameters: parseParametersLossless(run.parametersJson) as Record<string, unknown>,
    kernelType: run.kernelType,
  }).document;
}
