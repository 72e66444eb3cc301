import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** Debian's python3 (python3-jupyter-server); the pyenv python3 first on PATH has no jupyter_server. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface JupyterOptions {
  /** The server's root_dir (kernels start there unless given a path). */
  rootDir: string;
  /** Where its config, data and runtime dirs go, so nothing is written to the user's home. */
  stateDir: string;
  /** Where `server.log` goes (default: `stateDir`). */
  logDir?: string;
  /** A command the server is started through (it ends with `--`): the kernel host's launcher. */
  wrapper?: string[];
  /** Pass --allow-root when this process is root (the server then runs as root). Default true. */
  allowRoot?: boolean;
  port?: number;
  token?: string;
  /** Jupyter config (JSON config-file form), written with the token to a private file read at start. */
  config?: Record<string, Record<string, unknown>>;
  /** The whole environment of the server and of every kernel it starts (JUPYTER_* dirs are added). */
  env: Record<string, string>;
  timeoutMs?: number;
}

export interface RunningJupyter {
  baseUrl: string;
  port: number;
  token: string;
  version: string;
  headers: Record<string, string>;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts Debian's Jupyter Server on loopback and waits for `GET /api/status`. The token goes
 * into a config file (mode 0600) that is deleted once the server has read it: it is never on
 * a command line or in the environment, where kernel code could read it.
 */
export async function startJupyter(options: JupyterOptions): Promise<RunningJupyter> {
  const port = options.port ?? (await freePort());
  const token = options.token ?? randomBytes(24).toString('hex');
  const dirs = { config: 'config', data: 'data', runtime: 'runtime' };
  for (const dir of Object.values(dirs)) await mkdir(join(options.stateDir, dir), { recursive: true });
  const configFile = join(options.stateDir, 'config', `start-${process.pid}-${Date.now()}.json`);
  const config = { ...options.config, ServerApp: { ...options.config?.ServerApp, token } };
  await writeFile(configFile, JSON.stringify(config), { mode: 0o600 });
  await chmod(configFile, 0o600);
  const [command, ...prefix] = [...(options.wrapper ?? []), DEBIAN_PYTHON];
  const child = spawn(
    command!,
    [
      ...prefix,
      '-m',
      'jupyter_server',
      `--config=${configFile}`,
      `--ServerApp.root_dir=${options.rootDir}`,
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      '--ServerApp.ip=127.0.0.1',
      '--ServerApp.open_browser=False',
      // jupyter_server refuses to run as root without this (containers, CI)
      ...(process.getuid?.() === 0 && options.allowRoot !== false ? ['--allow-root'] : []),
    ],
    {
      env: {
        ...options.env,
        JUPYTER_CONFIG_DIR: join(options.stateDir, dirs.config),
        JUPYTER_DATA_DIR: join(options.stateDir, dirs.data),
        JUPYTER_RUNTIME_DIR: join(options.stateDir, dirs.runtime),
        JUPYTER_PLATFORM_DIRS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  // The server's own log, for whoever debugs the kernel host (`<stateDir>/server.log`).
  const log = createWriteStream(join(options.logDir ?? options.stateDir, 'server.log'), { flags: 'a' });
  child.once('exit', () => log.end());
  let output = '';
  const collect = (chunk: Buffer) => {
    log.write(chunk);
    output = (output + chunk.toString()).slice(-50_000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const jupyter: RunningJupyter = {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    token,
    version: '',
    headers: { authorization: `token ${token}` },
    process: child,
    output: () => output,
    stop: () => stopProcess(child),
  };
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`jupyter_server exited (${child.exitCode}):\n${output}`);
      const res = await fetch(`${jupyter.baseUrl}/api/status`, { headers: jupyter.headers }).catch(
        () => null,
      );
      if (res?.status === 200) {
        await res.text();
        const api = await fetch(`${jupyter.baseUrl}/api`).then(
          (r) => r.json() as Promise<{ version: string }>,
        );
        jupyter.version = api.version;
        return jupyter;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`jupyter_server did not answer /api/status within ${timeoutMs} ms:\n${output}`);
  } catch (error) {
    await jupyter.stop();
    throw error;
  } finally {
    await rm(configFile, { force: true });
  }
}
