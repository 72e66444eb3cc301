/** `secrets set|list|delete`: the project's secrets (values are write-only). */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import type { CommandContext } from './context.ts';
import { UsageError } from './errors.ts';
import { printJson, table } from './output.ts';

/** The value from stdin (a pipe: all of it, one trailing newline dropped), or asked for without echo on a terminal. */
async function readValue(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  // Nothing typed is echoed: the prompt goes to stderr, the keys nowhere.
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = rl.question('Value (not shown): ');
    muted = true;
    return await answer;
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

/** `secrets set NAME`: the value comes from stdin or a prompt, never from the command line. */
export async function setSecret(ctx: CommandContext, name: string): Promise<number> {
  const value = await readValue();
  if (value.length === 0) throw new UsageError('no value: pipe it on stdin or type it at the prompt');
  const answer = await ctx.client().putSecret(name, value);
  if (ctx.json) printJson(answer.text);
  else ctx.say(`Secret ${answer.body.name} ${answer.status === 201 ? 'created' : 'updated'}.`);
  return 0;
}

export async function listSecrets(ctx: CommandContext): Promise<number> {
  const answer = await ctx.client().listSecrets();
  if (ctx.json) {
    printJson(answer.text);
    return 0;
  }
  const rows = answer.body.secrets.map((s) => [s.name, s.createdAt, s.updatedAt]);
  ctx.say(rows.length ? table(['NAME', 'CREATED', 'UPDATED'], rows) : 'No secrets in this project.');
  return 0;
}

export async function deleteSecret(ctx: CommandContext, name: string): Promise<number> {
  await ctx.client().deleteSecret(name);
  ctx.say(`Secret ${name} deleted.`);
  return 0;
}
