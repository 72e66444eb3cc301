import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** Debian's python3 (python3-jupyter-server); the pyenv python3 on PATH has no jupyter_server. */
const PYTHON = '/usr/bin/python3';

export interface RunningJupyter {
  baseUrl: string;
  port: number;
  token: string;
  version: string;
  headers: Record<string, string>;
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
 * Starts Jupyter Server on loopback over `rootDir`, with its config/data/runtime dirs under
 * `stateDir` (so nothing is written to the user's home), and waits for `GET /api/status`.
 */
export async function startJupyter(
  rootDir: string,
  stateDir: string,
  reuse?: { port: number; token: string },
  timeoutMs = 60_000,
) {
  const port = reuse?.port ?? (await freePort());
  const token = reuse?.token ?? randomBytes(24).toString('hex');
  for (const dir of ['config', 'data', 'runtime']) await mkdir(join(stateDir, dir), { recursive: true });
  const child = spawn(
    PYTHON,
    [
      '-m',
      'jupyter_server',
      `--ServerApp.root_dir=${rootDir}`,
      `--ServerApp.port=${port}`,
      '--ServerApp.port_retries=0',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.token=${token}`,
      '--ServerApp.open_browser=False',
      '--no-browser',
      // jupyter_server refuses to run as root without this (containers, CI)
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    {
      env: {
        ...process.env,
        JUPYTER_CONFIG_DIR: join(stateDir, 'config'),
        JUPYTER_DATA_DIR: join(stateDir, 'data'),
        JUPYTER_RUNTIME_DIR: join(stateDir, 'runtime'),
        JUPYTER_PLATFORM_DIRS: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
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
    output: () => output,
    stop: () => stopProcess(child),
  };
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
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`jupyter_server did not answer /api/status within ${timeoutMs} ms:\n${output}`);
  } catch (error) {
    await jupyter.stop();
    throw error;
  }
}
