/**
 * Finds the notebook of a run: execution routes sit under their notebook, but people type only
 * the execution id. Accepted: `NOTEBOOK_ID/EXECUTION_ID`, `--notebook ID`, a run this machine
 * started or watched (remembered beside the config), else a search of the project's run histories.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CellwiseClient } from './api-client.ts';
import { configPath } from './config.ts';
import { ApiError, UsageError } from './errors.ts';
import type { RunRef } from './watch-run.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REMEMBERED = 200;

const memoryFile = () => join(dirname(configPath()), 'runs.json');

function remembered(): Record<string, string> {
  try {
    return JSON.parse(readFileSync(memoryFile(), 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
}

/** Remembers which notebook a run belongs to (the newest {@link REMEMBERED} runs). */
export function rememberRun(ref: RunRef): void {
  const entries = Object.entries(remembered()).filter(([id]) => id !== ref.executionId);
  entries.push([ref.executionId, ref.notebookId]);
  try {
    writeFileSync(memoryFile(), JSON.stringify(Object.fromEntries(entries.slice(-REMEMBERED))), {
      mode: 0o600,
    });
  } catch {
    // no config folder yet (env-only use): nothing to remember with
  }
}

/** Checks a GUID argument. */
export function guidArg(text: string, what: string): string {
  if (!GUID.test(text)) throw new UsageError(`${what} is not a GUID: ${text}`);
  return text.toLowerCase();
}

/** The run an EXECUTION argument (and optional --notebook) names. */
export async function resolveRun(client: CellwiseClient, arg: string, notebook?: string): Promise<RunRef> {
  const [first, second] = arg.split('/');
  if (second !== undefined) {
    return { notebookId: guidArg(first!, 'notebook id'), executionId: guidArg(second, 'execution id') };
  }
  const executionId = guidArg(arg, 'execution id');
  if (notebook) return { notebookId: await resolveNotebook(client, notebook), executionId };
  const known = remembered()[executionId];
  if (known) return { notebookId: known, executionId };
  const found = await searchRun(client, executionId);
  if (!found) {
    throw new ApiError(
      404,
      null,
      `404 Execution not found: ${executionId} (no notebook of the project has it)`,
    );
  }
  rememberRun(found);
  return found;
}

/** Looks through every notebook's run history for the run. */
async function searchRun(client: CellwiseClient, executionId: string): Promise<RunRef | undefined> {
  for (let page = 1; ; page++) {
    const { body } = await client.listNotebooks({ page, pageSize: 100 });
    for (const nb of body.notebooks) {
      for (let runPage = 1; ; runPage++) {
        const runs = (await client.listExecutions(nb.notebookId, { page: runPage, pageSize: 100 })).body;
        if (runs.executions.some((r) => r.executionId === executionId)) {
          return { notebookId: nb.notebookId, executionId };
        }
        if (!runs.hasNextPage) break;
      }
    }
    if (!body.hasNextPage) return undefined;
  }
}

/** A NOTEBOOK argument: its id, or its exact name (case-insensitive) when that is unique. */
export async function resolveNotebook(client: CellwiseClient, arg: string): Promise<string> {
  if (GUID.test(arg)) return arg.toLowerCase();
  const matches: string[] = [];
  for (let page = 1; ; page++) {
    const { body } = await client.listNotebooks({ page, pageSize: 100 });
    for (const nb of body.notebooks)
      if (nb.name.toLowerCase() === arg.toLowerCase()) matches.push(nb.notebookId);
    if (!body.hasNextPage) break;
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new ApiError(404, null, `404 Notebook not found: no notebook is named "${arg}"`);
  throw new UsageError(`${matches.length} notebooks are named "${arg}"; use the id (${matches.join(', ')})`);
}
