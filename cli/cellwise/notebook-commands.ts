/** `ls`, `upload` and `open`: the project's notebooks. */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CommandContext } from './context.ts';
import { UsageError } from './errors.ts';
import { resolveNotebook, resolveRun } from './execution-ref.ts';
import { printJson, table } from './output.ts';

export async function listNotebooks(
  ctx: CommandContext,
  options: { status?: string; page?: string; pageSize?: string },
): Promise<number> {
  const answer = await ctx.client().listNotebooks({
    status: options.status,
    page: options.page ? Number(options.page) : undefined,
    pageSize: options.pageSize ? Number(options.pageSize) : 100,
  });
  if (ctx.json) {
    printJson(answer.text);
    return 0;
  }
  const page = answer.body;
  if (page.notebooks.length === 0) {
    ctx.say('No notebooks yet: `cellwise upload FILE.ipynb` adds one.');
    return 0;
  }
  const rows = page.notebooks.map((nb) => [
    nb.notebookId,
    nb.status,
    String(nb.cellCount),
    nb.lastExecutionDate?.replace(/\.\d+Z$/, 'Z') ?? '-',
    nb.name,
  ]);
  ctx.say(table(['NOTEBOOK', 'STATUS', 'CELLS', 'LAST RUN', 'NAME'], rows));
  if (page.hasNextPage) ctx.say(`(${page.totalCount} in all; --page ${page.page + 1} for more)`);
  return 0;
}

/**
 * Largest file sent inline as a multipart form: the service's default upload limit
 * (`CELLWISE_MAX_UPLOAD_BYTES`, 4 MiB) less room for the form; larger files use the presigned upload.
 */
export const INLINE_UPLOAD_BYTES = 4 * 1024 * 1024 - 64 * 1024;

export async function uploadNotebook(
  ctx: CommandContext,
  file: string,
  options: { name?: string; description?: string; investigation?: string },
): Promise<number> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const fields = {
    notebookName: options.name ?? basename(file).replace(/\.ipynb$/i, ''),
    notebookDescription: options.description,
    investigationId: options.investigation,
  };
  // Above the inline limit (a form body's), the file goes straight to storage: a presigned upload.
  const answer =
    bytes.byteLength > INLINE_UPLOAD_BYTES
      ? await ctx.client().uploadNotebookStaged(bytes, fields)
      : await ctx.client().uploadNotebook(bytes, basename(file), fields);
  if (ctx.json) {
    printJson(answer.text);
    return 0;
  }
  const nb = answer.body;
  ctx.say(
    `Uploaded ${file} as "${nb.name}": notebook ${nb.notebookId} (${nb.cellCount} cells, version ${nb.notebookVersion})`,
  );
  for (const warning of nb.parseResult.warnings) ctx.say(`  warning: ${warning}`);
  ctx.say(`Run it: cellwise run ${nb.notebookId} -p name=value`);
  return 0;
}

/** Opens a URL with the desktop's opener; false when there is none. */
function openInBrowser(url: string): Promise<boolean> {
  const command =
    process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open';
  return new Promise((resolve) => {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}

/**
 * `open NOTEBOOK|EXECUTION`: prints the viewer URL of the notebook (of a run: its notebook's page,
 * which shows the latest run) and, on a terminal, opens it unless `--print`.
 */
export async function openViewer(
  ctx: CommandContext,
  target: string,
  options: { print?: boolean; expiresIn?: string; notebook?: string },
): Promise<number> {
  const client = ctx.client();
  let notebookId: string;
  try {
    notebookId = await resolveNotebook(client, target);
    await client.getNotebook(notebookId);
  } catch (error) {
    // Not a notebook: maybe a run.
    if (!/^[0-9a-f-]{36}$|\//i.test(target)) throw error;
    notebookId = (await resolveRun(client, target, options.notebook)).notebookId;
  }
  const expiresIn = options.expiresIn ? Number(options.expiresIn) : undefined;
  if (expiresIn !== undefined && !(Number.isInteger(expiresIn) && expiresIn > 0)) {
    throw new UsageError(`--expires-in takes whole seconds, got: ${options.expiresIn}`);
  }
  const answer = await client.getNotebookUrl(notebookId, expiresIn);
  if (ctx.json) {
    printJson(answer.text);
    return 0;
  }
  process.stdout.write(`${answer.body.url}\n`);
  if (!options.print && process.stdout.isTTY && !(await openInBrowser(answer.body.url))) {
    ctx.say('(no browser opener found; open the URL above)');
  }
  return 0;
}
