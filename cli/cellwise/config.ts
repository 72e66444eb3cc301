/**
 * Where the CLI finds the service: `cellwise login` writes base URL, tenant, project and token
 * to `$XDG_CONFIG_HOME/cellwise/config.json` (default `~/.config`, on Windows `%APPDATA%`), readable
 * by the user alone (0600, its folder 0700); CELLWISE_URL, CELLWISE_TENANT, CELLWISE_PROJECT and
 * CELLWISE_TOKEN override each field.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageError } from './errors.ts';

export interface CliConfig {
  url: string;
  tenantId: string;
  projectId: string;
  token: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The config file's path for this environment. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME ||
    (process.platform === 'win32' && env.APPDATA ? env.APPDATA : join(env.HOME || homedir(), '.config'));
  return join(base, 'cellwise', 'config.json');
}

/** The saved config (fields may be missing), or an empty one when there is none. */
export function readSavedConfig(env: NodeJS.ProcessEnv = process.env): Partial<CliConfig> {
  try {
    return JSON.parse(readFileSync(configPath(env), 'utf8')) as Partial<CliConfig>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read ${configPath(env)}: ${(error as Error).message}`);
  }
}

/** Writes the config readable by the user alone; returns its path. */
export function saveConfig(config: CliConfig, env: NodeJS.ProcessEnv = process.env): string {
  const file = configPath(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
  return file;
}

/** Checks and normalises the fields of a config (trailing slash off the URL, lower-case ids). */
export function checkConfig(config: Partial<CliConfig>): CliConfig {
  const missing = (['url', 'tenantId', 'projectId', 'token'] as const).filter((k) => !config[k]);
  if (missing.length > 0) {
    throw new UsageError(
      `not logged in (missing ${missing.join(', ')}): run \`cellwise login\` or set CELLWISE_URL, CELLWISE_TENANT, CELLWISE_PROJECT and CELLWISE_TOKEN`,
    );
  }
  let url: URL;
  try {
    url = new URL(config.url!);
  } catch {
    throw new UsageError(`not a URL: ${config.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`not an http(s) URL: ${config.url}`);
  for (const [name, id] of [
    ['tenant', config.tenantId!],
    ['project', config.projectId!],
  ] as const) {
    if (!GUID.test(id)) throw new UsageError(`the ${name} id is not a GUID: ${id}`);
  }
  return {
    url: url.href.replace(/\/+$/, ''),
    tenantId: config.tenantId!.toLowerCase(),
    projectId: config.projectId!.toLowerCase(),
    token: config.token!,
  };
}

/** The config in force: the saved one with each environment variable that is set on top. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): CliConfig {
  const saved = readSavedConfig(env);
  return checkConfig({
    url: env.CELLWISE_URL || saved.url,
    tenantId: env.CELLWISE_TENANT || saved.tenantId,
    projectId: env.CELLWISE_PROJECT || saved.projectId,
    token: env.CELLWISE_TOKEN || saved.token,
  });
}
