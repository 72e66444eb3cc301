import { access, chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_PYTHON, type RunningJupyter, startJupyter } from './jupyter-process.ts';
import { kernelPlaces, kernelSandbox } from './kernel-sandbox.ts';
import { detachedBufferEnv } from './lossless-output.ts';

const KERNEL_HOST_DIR = resolve(fileURLToPath(new URL('../kernel-host', import.meta.url)));
/** The in-kernel SDK (`import cellwise`, `from mindzie_sdk import ProcessMiningClient`). */
const KERNEL_SDK_DIR = resolve(fileURLToPath(new URL('../kernel-sdk', import.meta.url)));

export interface KernelHostOptions {
  nodelay?: boolean;
  poolSize?: number;
  /** KERNEL_HOST_POOL_KERNELS: `python3`, or `python3,scala=1` (default: CELLWISE_KERNEL_POOL_KERNELS, else python3). */
  poolKernels?: string;
  /** CELLWISE_KERNEL_SANDBOX's value for this host (default: the environment's). */
  sandbox?: string;
  /** One host of a fleet: its state goes to `<data>/kernel-host/<name>` (default: `<data>/kernel-host`). */
  name?: string;
  /** The fleet's token (default: a new random one). */
  token?: string;
  /** The host's id in the fleet (KERNEL_HOST_ID; default: the host makes one up). */
  hostId?: string;
}

/**
 * The local kernel host: Debian's jupyter_server + ipykernel with the Cellwise extension
 * (`kernel-host/cellwise_kernel_host`), on 127.0.0.1 with a random token, configured by the
 * same `kernel-host/jupyter_server_config.json` the container image uses.
 *
 * It is started by the launcher (`kernel-host/launcher.py`, the one process that stays root),
 * which runs the server as an unprivileged user of its own and every kernel in a box
 * (`kernelSandbox`): a user of its own, limits on memory, processes and disk, its own
 * network, /tmp and /dev/shm. Kernels inherit the server's environment, so it is built from
 * nothing: no AWS or Cellwise variable, no credentials, no token reaches notebook code.
 *
 * Its warm kernel pool holds `poolSize` kernels (default: CELLWISE_KERNEL_POOL_SIZE, else 1; 0
 * disables it) of each name in `poolKernels` (default: CELLWISE_KERNEL_POOL_KERNELS, else
 * python3; `scala=1` pools one Scala kernel whatever the size).
 */
export async function startKernelHost(
  dataDir: string,
  options: KernelHostOptions = {},
): Promise<RunningJupyter> {
  const poolSize = options.poolSize ?? Number(process.env.CELLWISE_KERNEL_POOL_SIZE || '1');
  if (!Number.isInteger(poolSize) || poolSize < 0) {
    throw new Error(`CELLWISE_KERNEL_POOL_SIZE must be an integer >= 0, got ${poolSize}`);
  }
  const config = JSON.parse(await readFile(join(KERNEL_HOST_DIR, 'jupyter_server_config.json'), 'utf8'));
  const dataState = options.name ? join(dataDir, 'kernel-host', options.name) : join(dataDir, 'kernel-host');
  await mkdir(dataState, { recursive: true });
  for (const dir of [join(dataDir, 'kernel-host'), dataState]) await chmod(dir, 0o711);
  const choice = kernelSandbox(
    options.sandbox === undefined
      ? process.env
      : { ...process.env, CELLWISE_KERNEL_SANDBOX: options.sandbox },
  );
  const places = await kernelPlaces(dataState, { sdkDir: KERNEL_SDK_DIR, hostDir: KERNEL_HOST_DIR }, choice);
  const { stateDir } = places;
  const home = join(stateDir, 'home');
  for (const dir of [home, places.rootDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
  const serverUser = choice.serverUid === null ? [] : ['--server-user', String(choice.serverUid)];
  const owned = ['home', 'config', 'data', 'runtime', 'work'].flatMap((dir) => [
    '--own',
    join(stateDir, dir),
  ]);
  const jupyter = await startJupyter({
    rootDir: places.rootDir,
    stateDir,
    logDir: dataState,
    config,
    ...(options.token ? { token: options.token } : {}),
    allowRoot: choice.serverUid === null,
    wrapper: [
      DEBIAN_PYTHON,
      '-I',
      join(places.hostDir, 'launcher.py'),
      '--state',
      join(stateDir, 'launcher'),
      '--kernels',
      places.kernelsDir,
      '--sandbox',
      choice.sandbox,
      ...choice.without.flatMap((mode) => ['--without', mode]),
      ...serverUser,
      ...owned,
      '--exit-with-parent',
      '--',
    ],
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      PYTHONPATH: `${places.sdkDir}:${places.hostDir}`,
      // Our python3 kernelspec first (its IOPub never drops a message); bounded detached buffers.
      JUPYTER_PATH: join(places.hostDir, 'share', 'jupyter'),
      ...detachedBufferEnv(),
      // The custom libraries GET /cellwise/v1/environments reports.
      KERNEL_HOST_SDK_DIR: places.sdkDir,
      KERNEL_HOST_EXIT_WITH_PARENT: '1',
      KERNEL_HOST_POOL_SIZE: String(poolSize),
      KERNEL_HOST_POOL_KERNELS:
        options.poolKernels ?? (process.env.CELLWISE_KERNEL_POOL_KERNELS || 'python3'),
      ...(options.hostId ? { KERNEL_HOST_ID: options.hostId } : {}),
      ...(process.env.CELLWISE_KERNEL_HOST_MEMORY_MIB
        ? { KERNEL_HOST_MEMORY_MIB: process.env.CELLWISE_KERNEL_HOST_MEMORY_MIB }
        : {}),
      ...(process.env.CELLWISE_KERNEL_HOST_MAX_KERNELS
        ? { KERNEL_HOST_MAX_KERNELS: process.env.CELLWISE_KERNEL_HOST_MAX_KERNELS }
        : {}),
      // As ECS gives a task its agent (scale-in protection); tests point it at a fake agent.
      ...(process.env.CELLWISE_KERNEL_HOST_ECS_AGENT_URI
        ? {
            ECS_AGENT_URI: process.env.CELLWISE_KERNEL_HOST_ECS_AGENT_URI,
            KERNEL_HOST_PROTECTION_CHECK_SECONDS:
              process.env.CELLWISE_KERNEL_HOST_PROTECTION_CHECK_SECONDS ?? '30',
          }
        : {}),
      // SIGTERM drains (runs end first) when set; the local default stops at once, as before.
      ...(process.env.CELLWISE_KERNEL_HOST_DRAIN_SECONDS
        ? { KERNEL_HOST_DRAIN_SECONDS: process.env.CELLWISE_KERNEL_HOST_DRAIN_SECONDS }
        : {}),
      ...(process.env.CELLWISE_KERNEL_DEFAULT_LIMITS
        ? { KERNEL_HOST_DEFAULT_LIMITS: process.env.CELLWISE_KERNEL_DEFAULT_LIMITS }
        : {}),
      ...(options.nodelay === false ? { KERNEL_HOST_NODELAY: '0' } : {}),
      PYTHONDONTWRITEBYTECODE: '1',
      // ipykernel's debugger warns about frozen modules on every start; nothing to act on.
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
      MPLBACKEND: 'module://matplotlib_inline.backend_inline',
    },
  });
  await warnIfWeak(jupyter, choice.sandbox);
  const stop = jupyter.stop;
  jupyter.stop = async () => {
    await stop();
    for (const dir of places.temporary) await rm(dir, { recursive: true, force: true });
  };
  return jupyter;
}

/** Says so on the console when kernels are boxed with less than a user and a network of their own. */
async function warnIfWeak(jupyter: RunningJupyter, asked: string): Promise<void> {
  const response = await fetch(`${jupyter.baseUrl}/cellwise/v1/sandbox`, { headers: jupyter.headers });
  const { modes } = (await response.json()) as { modes: string[] };
  const missing = ['uid', 'net'].filter((mode) => !modes.includes(mode));
  if (missing.length === 0 || asked === 'off' || asked === 'uid') return;
  console.warn(
    `Cellwise: kernel sandbox ${modes.join(',') || 'none'}` +
      (missing.includes('uid') ? ' (not root: kernels run as this user and can read its files)' : '') +
      (missing.includes('net')
        ? " (kernels share this machine's network: they reach the stack on loopback)"
        : ''),
  );
}

/** System-wide kernelspec directories (Debian's packages install theirs in /usr/share). */
const KERNELSPEC_DIRS = ['/usr/share/jupyter/kernels', '/usr/local/share/jupyter/kernels'];

/** What the kernel host's own scala kernelspec runs: Debian's Scala and its Java runtime. */
const SCALA_NEEDS = ['/usr/share/scala/lib/scala-compiler.jar', '/usr/bin/java'];

/**
 * The kernel types the local stack offers by default (CELLWISE_KERNELS unset): python3; r when
 * the IRkernel kernelspec `ir` is installed (`r-cran-irkernel`, scripts/setup.sh); scala when
 * Debian's `scala` is (its kernelspec is the kernel host's own).
 */
export async function localKernelTypes(): Promise<string[]> {
  const exists = (path: string) =>
    access(path).then(
      () => true,
      () => false,
    );
  const [ir, scala] = await Promise.all([
    Promise.all(KERNELSPEC_DIRS.map((dir) => exists(join(dir, 'ir', 'kernel.json')))),
    Promise.all(SCALA_NEEDS.map(exists)),
  ]);
  return ['python3', ...(ir.includes(true) ? ['r'] : []), ...(scala.every(Boolean) ? ['scala'] : [])];
}
