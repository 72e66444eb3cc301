import { type LossReason, MAX_DETAILS, type OutputLimits, type OutputLoss } from './output-limits.ts';

const count = (n: number) => n.toLocaleString('en-US');

function limitText(reason: LossReason, limits: OutputLimits): string | null {
  switch (reason) {
    case 'cellOutputBytes':
      return `the cell's output limit of ${count(limits.cellBytes)} bytes`;
    case 'cellOutputs':
      return `the cell's limit of ${count(limits.cellOutputs)} outputs`;
    case 'runOutputBytes':
      return `the run's output limit of ${count(limits.runBytes)} bytes`;
    case 'runOutputs':
      return `the run's limit of ${count(limits.runOutputs)} outputs`;
    default:
      return null;
  }
}

/**
 * The note that ends a cell's outputs when not everything was kept: how much, which limit
 * applied, and what was wrong with skipped data. Plain text, one paragraph per fact.
 */
export function lossNote(loss: OutputLoss, limits: OutputLimits): string {
  const parts: string[] = [];
  const what = [
    loss.outputs > 0 ? `${count(loss.outputs)} output(s) dropped` : null,
    loss.truncated > 0 ? `${count(loss.truncated)} output(s) kept in part` : null,
  ].filter(Boolean);
  parts.push(
    `[cellwise] Not all output of this cell was kept: ${what.join(', ') || 'output data skipped'}` +
      (loss.bytes > 0 ? ` (${count(loss.bytes)} bytes not kept).` : '.'),
  );
  const applied = loss.reasons.map((r) => limitText(r, limits)).filter((t): t is string => t !== null);
  if (applied.length > 0) {
    parts.push(`Reached ${applied.join(' and ')}; everything before it is kept.`);
  }
  if (loss.details.length > 0) {
    const more = loss.details.length >= MAX_DETAILS ? '; …' : '';
    parts.push(`Skipped as invalid: ${loss.details.join('; ')}${more}.`);
  }
  return `${parts.join('\n')}\n`;
}
