/** `diff`: what changed between two runs of a notebook (the run diff route), as a summary or JSON. */
import type { RunDiff } from './api-types.ts';
import type { CommandContext } from './context.ts';
import { guidArg, resolveRun } from './execution-ref.ts';
import { formatSeconds, printJson } from './output.ts';

/** Diff lines of a stream shown per cell (the whole diff is in `--json`). */
const STREAM_LINES = 20;

/** `--against`: an execution id (or NOTEBOOK_ID/EXECUTION_ID), or `lastSuccessful`. */
function againstArg(text: string | undefined): string {
  if (text === undefined || text === 'lastSuccessful') return 'lastSuccessful';
  const id = text.includes('/') ? text.split('/')[1]! : text;
  return guidArg(id, '--against');
}

const value = (v: unknown) => (v === null || v === undefined ? '(none)' : JSON.stringify(v));
const ms = (v: number | null) => (v === null ? '-' : formatSeconds(v / 1000));
const signed = (n: number) => `${n >= 0 ? '+' : ''}${Number(n.toPrecision(12))}`;

/** The diff as lines for people: the runs, parameters, metrics, then each cell that differs. */
export function diffSummary(diff: RunDiff, against: string): string[] {
  const { before, after, summary } = diff;
  const lines = [
    `Run ${after.executionId} (${after.status}) against ${before.executionId} (${before.status}${against === 'lastSuccessful' ? ', the last successful run' : ''})`,
  ];
  if (diff.parameters.length > 0)
    lines.push(
      `Parameters: ${diff.parameters.map((p) => `${p.name} ${value(p.before)} → ${value(p.after)}`).join('; ')}`,
    );
  if (diff.metrics.length > 0)
    lines.push(
      `Metrics: ${diff.metrics
        .map(
          (m) =>
            `${m.name} ${m.before ?? '(none)'} → ${m.after ?? '(none)'}${m.delta === null ? '' : ` (${signed(m.delta)})`}`,
        )
        .join('; ')}`,
    );
  for (const cell of diff.cells.filter((c) => c.change !== 'same')) {
    const time = `${ms(cell.durationMs.before)} → ${ms(cell.durationMs.after)}`;
    lines.push(`${cell.cellId}  ${cell.change}  ${cell.changes.join('; ')}  (${time})`);
    for (const stream of cell.streams) {
      const body = stream.unified.split('\n').filter((l) => l !== '');
      for (const line of body.slice(0, STREAM_LINES)) lines.push(`    ${line}`);
      if (body.length > STREAM_LINES || stream.truncated) lines.push('    … (the whole diff: --json)');
    }
  }
  lines.push(
    `${summary.cellsChanged} cells changed, ${summary.cellsAdded} added, ${summary.cellsRemoved} removed; ${summary.parametersChanged} parameters and ${summary.metricsChanged} metrics differ`,
  );
  return lines;
}

export async function diffExecution(
  ctx: CommandContext,
  execution: string,
  options: { against?: string; notebook?: string },
) {
  const against = againstArg(options.against);
  const ref = await resolveRun(ctx.client(), execution, options.notebook);
  const answer = await ctx.client().diff(ref.notebookId, ref.executionId, against);
  if (ctx.json) printJson(answer.text);
  else for (const line of diffSummary(answer.body, against)) ctx.say(line);
  return 0;
}
