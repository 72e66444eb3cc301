import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const works = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

/**
 * The kernel sandbox of the local kernel host (KERNEL_HOST_SANDBOX, see
 * kernel-host/cellwise_kernel_host/sandbox.py): as root, a user per kernel (`uid`); a network
 * namespace per kernel (`net`) where the machine allows one, so notebook code reaches none of
 * the stack's loopback services (stores without credentials, the workflow and Lambda APIs).
 * CELLWISE_KERNEL_NETWORK=host gives kernels the host's network (they can then reach those
 * services); CELLWISE_KERNEL_SANDBOX=off turns it all off.
 */
export function kernelSandbox(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CELLWISE_KERNEL_SANDBOX === 'off') return [];
  const root = process.getuid?.() === 0;
  const modes: string[] = [];
  if (root && works('setpriv', ['--reuid=1900000000', '--regid=1900000000', '--clear-groups', 'true'])) {
    modes.push('uid');
  }
  const hostNetwork = env.CELLWISE_KERNEL_NETWORK === 'host';
  if (
    !hostNetwork &&
    works('unshare', root ? ['--net', 'true'] : ['--user', '--map-current-user', '--net', 'true'])
  ) {
    modes.push('net');
  }
  const refused = [root ? 'uid' : null, hostNetwork ? null : 'net'].filter((m) => m && !modes.includes(m));
  if (refused.length > 0 || !root || hostNetwork) {
    console.warn(
      `Cellwise: kernel sandbox ${modes.join(',') || 'none'}` +
        (root ? '' : ' (not root: kernels run as this user and can read its files)') +
        (hostNetwork ? ' (CELLWISE_KERNEL_NETWORK=host: kernels reach the stack on loopback)' : '') +
        (refused.length ? `; this machine refused ${refused.join(', ')}` : ''),
    );
  }
  return modes;
}

/** True when every directory from `path` up to / lets other users pass (o+x). */
export async function passable(path: string): Promise<boolean> {
  for (let dir = path; ; dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/** A copy of `from` that every user can read (the SDK, for kernels that cannot reach the checkout). */
export async function readableCopy(from: string, to: string): Promise<void> {
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

/**
 * Where kernels work (`rootDir`: runs/<id>), keep their sockets and homes (`privateDir`) and
 * import the SDK from (`sdkDir`). Under the kernel host's state directory, unless kernels run
 * as users of their own and cannot pass through to it (a data or checkout directory below a
 * private one, such as /root): then in a directory of the system's temp dir, named after the
 * state directory, with a readable copy of the SDK (`temporary` lists what to remove when the
 * kernel host stops). Socket paths stay short (108 bytes at most).
 */
export async function kernelPlaces(stateDir: string, sdkDir: string, sandbox: string[]) {
  const isolated = sandbox.includes('uid');
  const inPlace = !isolated || (await passable(stateDir));
  const base = inPlace
    ? stateDir
    : join(tmpdir(), `cellwise-kernels-${createHash('sha256').update(stateDir).digest('hex').slice(0, 12)}`);
  const socketBase = base.length <= 60 ? base : join(tmpdir(), `cellwise-k-${process.pid}`);
  const places = {
    rootDir: join(base, 'work'),
    privateDir: join(socketBase, 'kernels'),
    sdkDir: !isolated || (await passable(sdkDir)) ? sdkDir : join(base, 'sdk'),
    /** Directories of the system's temp dir to remove when the kernel host stops. */
    temporary: [...new Set([base, socketBase])].filter((dir) => dir !== stateDir),
  };
  await mkdir(places.rootDir, { recursive: true });
  await mkdir(socketBase, { recursive: true });
  for (const dir of [base, socketBase, places.rootDir]) await chmod(dir, 0o711);
  if (places.sdkDir !== sdkDir) await readableCopy(sdkDir, places.sdkDir);
  return places;
}
