/** `params NOTEBOOK`: the parameters a notebook's parameters cell declares, as papermill's `--help-notebook` shows them. */
import type { CommandContext } from './context.ts';
import { resolveNotebook } from './execution-ref.ts';
import { printJson, table } from './output.ts';

/** Prints each declared parameter's name, type (`-`: any value fits), default and help. */
export async function showParameters(ctx: CommandContext, notebook: string): Promise<number> {
  const client = ctx.client();
  const answer = await client.getParameters(await resolveNotebook(client, notebook));
  if (ctx.json) {
    printJson(answer.text);
    return 0;
  }
  const declared = answer.body;
  if (declared.parametersCellId === null) {
    ctx.say(`Notebook ${declared.notebookId} has no cell tagged "parameters": it declares no parameters.`);
    return 0;
  }
  if (declared.parameters.length === 0) {
    ctx.say(`The parameters cell (${declared.parametersCellId}) declares no parameters.`);
    return 0;
  }
  const rows = declared.parameters.map((p) => [
    p.name,
    p.annotation ?? p.inferredType ?? '-',
    p.default.replace(/\s+/g, ' '),
    p.help,
  ]);
  ctx.say(table(['NAME', 'TYPE', 'DEFAULT', 'HELP'], rows));
  if (declared.strictParameters) ctx.say('(strict: runs refuse undeclared or mistyped parameters)');
  return 0;
}
