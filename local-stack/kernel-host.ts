import { access, chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunningJupyter, startJupyter } from './jupyter-process.ts';
import { kernelPlaces, kernelSandbox } from './kernel-sandbox.ts';
import { detachedBufferEnv, kernelSpecsPath } from './lossless-output.ts';

const KERNEL_HOST_DIR = resolve(fileURLToPath(new URL('../kernel-host', import.meta.url)));
/** The in-kernel SDK (`import cellwise`, `from mindzie_sdk import ProcessMiningClient`). */
const KERNEL_SDK_DIR = resolve(fileURLToPath(new URL('../kernel-sdk', import.meta.url)));

/**
 * The local kernel host: Debian's jupyter_server + ipykernel with the Cellwise extension
 * (`kernel-host/cellwise_kernel_host`), on 127.0.0.1 with a random token, configured by the
 * same `kernel-host/jupyter_server_config.json` the container image uses.
 *
 * Kernels inherit the server's environment, so it is built from nothing: no AWS or Cellwise
 * variable, no credentials, no token reaches notebook code. They run sandboxed
 * (`kernelSandbox`): a user of their own each, and no network but a private loopback.
 *
 * Its warm kernel pool holds `poolSize` python3 kernels (default: CELLWISE_KERNEL_POOL_SIZE,
 * else 1; 0 disables it).
 */
export async function startKernelHost(
  dataDir: string,
  options: { nodelay?: boolean; poolSize?: number } = {},
): Promise<RunningJupyter> {
  const poolSize = options.poolSize ?? Number(process.env.CELLWISE_KERNEL_POOL_SIZE || '1');
  if (!Number.isInteger(poolSize) || poolSize < 0) {
    throw new Error(`CELLWISE_KERNEL_POOL_SIZE must be an integer >= 0, got ${poolSize}`);
  }
  const config = JSON.parse(await readFile(join(KERNEL_HOST_DIR, 'jupyter_server_config.json'), 'utf8'));
  const stateDir = join(dataDir, 'kernel-host');
  await mkdir(stateDir, { recursive: true });
  await mkdir(join(stateDir, 'home'), { recursive: true, mode: 0o700 });
  await chmod(stateDir, 0o711);
  const sandbox = kernelSandbox();
  const { rootDir, privateDir, sdkDir, temporary } = await kernelPlaces(stateDir, KERNEL_SDK_DIR, sandbox);
  const jupyterPath = await kernelSpecsPath(sandbox, dirname(rootDir));
  const jupyter = await startJupyter({
    rootDir,
    stateDir,
    config,
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: join(stateDir, 'home'),
      LANG: 'C.UTF-8',
      PYTHONPATH: `${sdkDir}:${KERNEL_HOST_DIR}`,
      // Our python3 kernelspec first (its IOPub never drops a message); bounded detached buffers.
      JUPYTER_PATH: jupyterPath,
      ...detachedBufferEnv(),
      // The custom libraries GET /cellwise/v1/environments reports.
      KERNEL_HOST_SDK_DIR: sdkDir,
      KERNEL_HOST_EXIT_WITH_PARENT: '1',
      KERNEL_HOST_POOL_SIZE: String(poolSize),
      KERNEL_HOST_SANDBOX: sandbox.join(','),
      KERNEL_HOST_SANDBOX_DIR: privateDir,
      ...(options.nodelay === false ? { KERNEL_HOST_NODELAY: '0' } : {}),
      PYTHONDONTWRITEBYTECODE: '1',
      // ipykernel's debugger warns about frozen modules on every start; nothing to act on.
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
      MPLBACKEND: 'module://matplotlib_inline.backend_inline',
    },
  });
  const stop = jupyter.stop;
  jupyter.stop = async () => {
    await stop();
    for (const dir of temporary) await rm(dir, { recursive: true, force: true });
  };
  return jupyter;
}

/** System-wide kernelspec directories (Debian's packages install theirs in /usr/share). */
const KERNELSPEC_DIRS = ['/usr/share/jupyter/kernels', '/usr/local/share/jupyter/kernels'];

/**
 * The kernel types the local stack offers by default (CELLWISE_KERNELS unset): python3, and
 * r when the IRkernel kernelspec `ir` is installed (`r-cran-irkernel`, scripts/setup.sh).
 */
export async function localKernelTypes(): Promise<string[]> {
  const found = await Promise.all(
    KERNELSPEC_DIRS.map((dir) =>
      access(join(dir, 'ir', 'kernel.json')).then(
        () => true,
        () => false,
      ),
    ),
  );
  return found.includes(true) ? ['python3', 'r'] : ['python3'];
}
