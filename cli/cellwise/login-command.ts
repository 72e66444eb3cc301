/**
 * `cellwise login`: asks for (or takes) base URL, tenant, project and token, checks them with a
 * real call, and saves them readable by the user alone.
 */
import { createInterface } from 'node:readline/promises';
import { CellwiseClient } from './api-client.ts';
import { type CliConfig, checkConfig, readSavedConfig, saveConfig } from './config.ts';
import type { CommandContext } from './context.ts';
import { UsageError } from './errors.ts';
import { printJson } from './output.ts';

export interface LoginOptions {
  url?: string;
  tenant?: string;
  project?: string;
  token?: string;
  tokenStdin?: boolean;
  verify?: boolean;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** Asks for each missing field on the terminal (the current value is the default). */
async function ask(fields: Partial<CliConfig>): Promise<Partial<CliConfig>> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const out = { ...fields };
    const prompts: [keyof CliConfig, string][] = [
      ['url', 'Base URL'],
      ['tenantId', 'Tenant id'],
      ['projectId', 'Project id'],
      ['token', 'API token'],
    ];
    for (const [key, label] of prompts) {
      if (out[key]) continue;
      out[key] = (await rl.question(`${label}: `)).trim();
    }
    return out;
  } finally {
    rl.close();
  }
}

export async function login(ctx: CommandContext, options: LoginOptions): Promise<number> {
  const saved = readSavedConfig();
  const env = process.env;
  let fields: Partial<CliConfig> = {
    url: options.url ?? env.CELLWISE_URL ?? saved.url,
    tenantId: options.tenant ?? env.CELLWISE_TENANT ?? saved.tenantId,
    projectId: options.project ?? env.CELLWISE_PROJECT ?? saved.projectId,
    token: options.tokenStdin ? await readStdin() : (options.token ?? env.CELLWISE_TOKEN),
  };
  if (!fields.token && !options.tokenStdin && process.stdin.isTTY) fields = await ask(fields);
  fields.token ||= saved.token;
  const config = checkConfig(fields);
  if (options.verify !== false) {
    // A real call: a wrong token is refused (403), a tenant or project it cannot reach is 404.
    await new CellwiseClient(config).listNotebooks({ pageSize: 1 });
  }
  const file = saveConfig(config);
  if (ctx.json)
    printJson({ configFile: file, url: config.url, tenantId: config.tenantId, projectId: config.projectId });
  else
    ctx.say(
      `Logged in to ${config.url} (tenant ${config.tenantId}, project ${config.projectId}); saved to ${file}`,
    );
  return 0;
}

/** `--token-stdin` and `--token` together make no sense. */
export function checkLoginOptions(options: LoginOptions): void {
  if (options.tokenStdin && options.token) throw new UsageError('give --token or --token-stdin, not both');
}
