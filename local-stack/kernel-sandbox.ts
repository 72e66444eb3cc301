import { createHash, randomInt } from 'node:crypto';
import { chmod, cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where a root stack keeps its kernels' boxes: not under /tmp, which each kernel's own /tmp covers. */
const RUN_DIR = '/run/cellwise';
/** The unprivileged server's user ids (a fresh one per start): below the kernels' range. */
const SERVER_UID_BASE = 1_800_000_000;
const SERVER_UID_SPAN = 99_000_000;

/** How the kernel host's launcher is asked to box kernels (kernel-host/cellwise_launcher). */
export interface SandboxChoice {
  /** `--sandbox`: `auto` (everything the machine allows), `off`, or a list of modes. */
  sandbox: string;
  /** `--without`: modes `auto` leaves out. */
  without: string[];
  /** The Jupyter Server's own user id, or null to keep the stack's (not root, or sandbox off). */
  serverUid: number | null;
}

/**
 * The kernel sandbox of the local stack. By default every mode the machine allows: as root a
 * user per kernel (`uid`), a network namespace (`net`: no service of the stack is reachable),
 * a private /tmp and /dev/shm on a size-limited tmpfs (`mnt`) and a cgroup per kernel
 * (`cgroup`); the Jupyter Server itself runs as an unprivileged user of its own.
 * CELLWISE_KERNEL_SANDBOX=off turns it all off; a list (e.g. `uid`, what AWS Fargate allows)
 * asks for exactly those modes; CELLWISE_KERNEL_NETWORK=host leaves kernels the host's network.
 */
export function kernelSandbox(env: NodeJS.ProcessEnv = process.env): SandboxChoice {
  const root = process.getuid?.() === 0;
  const sandbox = env.CELLWISE_KERNEL_SANDBOX?.trim() || 'auto';
  const without = env.CELLWISE_KERNEL_NETWORK === 'host' ? ['net'] : [];
  const serverUid = root && sandbox !== 'off' ? SERVER_UID_BASE + randomInt(SERVER_UID_SPAN) : null;
  return { sandbox, without, serverUid };
}

/** True when every directory from `path` up to / lets other users pass (o+x). */
export async function passable(path: string): Promise<boolean> {
  for (let dir = path; ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/** A copy of `from` that every user can read (code for users that cannot reach the checkout). */
async function readableCopy(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, filter: (source) => !source.includes('__pycache__') });
  const open = async (dir: string) => {
    await chmod(dir, 0o755);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await open(path);
      else await chmod(path, 0o644);
    }
  };
  await open(to);
}

export interface KernelPlaces {
  /** The server's state (config, runtime, home, log) and the launcher's socket. */
  stateDir: string;
  /** The server's root_dir (its contents API; kernels never work there). */
  rootDir: string;
  /** The kernels' boxes. */
  kernelsDir: string;
  /** The SDK and the kernel host's code, where the server's and the kernels' users can read them. */
  sdkDir: string;
  hostDir: string;
  /** Directories outside the data dir to remove when the kernel host stops. */
  temporary: string[];
}

/**
 * Where the kernel host works. With a server user of its own, everything it and the kernels
 * touch must be reachable by other users: the state directory stays where it is when every
 * directory up to it lets others pass, else it moves to a directory of its own (under
 * /run/cellwise as root), and code in a private checkout (such as /root/...) is copied to a
 * readable place. A root stack keeps the boxes under /run/cellwise: a kernel's own /tmp
 * covers /tmp, so a box there would be out of its kernel's sight. Socket paths stay short.
 */
export async function kernelPlaces(
  stateDir: string,
  code: { sdkDir: string; hostDir: string },
  choice: SandboxChoice,
): Promise<KernelPlaces> {
  const separate = choice.serverUid !== null;
  const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
  const root = process.getuid?.() === 0;
  const away = root ? join(RUN_DIR, hash) : join(tmpdir(), `cellwise-kh-${hash}`);
  const base = !separate || (await passable(stateDir)) ? stateDir : away;
  const kernelsDir = root ? join(RUN_DIR, hash, 'kernels') : join(base.length <= 60 ? base : away, 'kernels');
  const readable = async (dir: string, name: string) =>
    !separate || (await passable(dir)) ? dir : join(base, name);
  const places: KernelPlaces = {
    stateDir: base,
    rootDir: join(base, 'work'),
    kernelsDir,
    sdkDir: await readable(code.sdkDir, 'sdk'),
    hostDir: await readable(code.hostDir, 'host'),
    temporary: [...new Set([base, dirname(kernelsDir)])].filter(
      (dir) => dir !== stateDir && !stateDir.startsWith(`${dir}/`),
    ),
  };
  if (root) {
    await mkdir(RUN_DIR, { recursive: true });
    await chmod(RUN_DIR, 0o711);
  }
  for (const dir of [base, dirname(kernelsDir)]) {
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o711);
  }
  if (places.sdkDir !== code.sdkDir) await readableCopy(code.sdkDir, places.sdkDir);
  if (places.hostDir !== code.hostDir) await readableCopy(code.hostDir, places.hostDir);
  return places;
}
