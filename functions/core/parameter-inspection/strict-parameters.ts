/**
 * `strictParameters`: run parameters must be declared in the notebook's parameters cell and
 * fit their default's type (the rules of `fitsType`).
 */
import { ValidationError, type ValidationIssue } from '../errors.ts';
import type { NbDocument } from '../nbformat/types.ts';
import type { Integration } from '../notebook.ts';
import { rParameterName } from '../r-literal.ts';
import { scheduleParameters } from '../schedule/schedule.ts';
import { type DeclaredParameter, fitsType, typeOfValue } from './declared-parameter.ts';
import { inspectNotebook, notebookStrictParameters } from './inspectors.ts';

/** The Error code of a refused strict run. */
export const PARAMETER_MISMATCH = 'ParameterMismatch';

/**
 * The problems of `params` against what the notebook declares, one per offending parameter
 * (`path` is `<at>.<name>`): a name not declared, or a value whose type does not fit. For an
 * R notebook a name is matched as papermill writes it (leading `_` dropped).
 */
export function strictParameterIssues(
  declared: readonly DeclaredParameter[],
  params: Record<string, unknown>,
  kernelType: string,
  at = 'body.parameters',
): ValidationIssue[] {
  const byName = new Map(declared.map((p) => [p.name, p]));
  const known = declared.map((p) => p.name).join(', ') || 'none';
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(params)) {
    const parameter = byName.get(kernelType === 'r' ? (rParameterName(name) ?? name) : name);
    if (!parameter) {
      issues.push({ path: `${at}.${name}`, message: `is not a declared parameter (declared: ${known})` });
    } else if (!fitsType(parameter.inferredType, value)) {
      issues.push({
        path: `${at}.${name}`,
        message: `must be ${parameter.inferredType} like its default ${parameter.default}, not ${typeOfValue(value)}`,
      });
    }
  }
  return issues;
}

/** Throws a 400 `ParameterMismatch` naming each offending parameter, when there is one. */
export function checkStrictParameters(
  declared: readonly DeclaredParameter[],
  params: Record<string, unknown>,
  kernelType: string,
  at = 'body.parameters',
): void {
  const issues = strictParameterIssues(declared, params, kernelType, at);
  if (issues.length === 0) return;
  const names = issues.map((issue) => issue.path.slice(at.length + 1));
  throw new ValidationError(
    `strictParameters: ${issues.map((i) => `${i.path.slice(at.length + 1)} ${i.message}`).join('; ')}`,
    issues,
    PARAMETER_MISMATCH,
    { context: { Parameters: names } },
  );
}

/**
 * A schedule about to be stored: when its runs will be strict (`scheduleStrictParameters`, or
 * when null the notebook metadata's setting), its parameters are checked against the
 * document's parameters cell now (400 naming `body.integration.scheduleParameters.<name>`).
 */
export function checkScheduleStrictParameters(
  integration: Integration,
  document: NbDocument,
  kernelType: string,
): void {
  if (!(integration.scheduleStrictParameters ?? notebookStrictParameters(document))) return;
  const { parameters } = inspectNotebook(document, kernelType);
  checkStrictParameters(
    parameters,
    scheduleParameters(integration),
    kernelType,
    'body.integration.scheduleParameters',
  );
}
