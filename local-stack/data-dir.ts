import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The data directory's one entry that sandboxed kernels pass through (to their own directory). */
export const KERNEL_HOST_ENTRY = 'kernel-host';

/**
 * Makes the data directory private to the service: everything the stack writes from now on
 * (and its children: dynalite, s3rver, the kernel host) is created without group or world
 * access, and what an older start left is closed. Kernels run as users of their own
 * (kernel-host.ts), so they can read none of it: not the stores' files, the seeded token or
 * the link-signing key. The directory itself only lets them pass through to `kernel-host/`.
 */
export async function privateDataDir(dataDir: string): Promise<void> {
  process.umask(0o077);
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o711);
  for (const entry of await readdir(dataDir, { withFileTypes: true })) {
    if (entry.name === KERNEL_HOST_ENTRY || entry.isSymbolicLink()) continue;
    await chmod(join(dataDir, entry.name), entry.isDirectory() ? 0o700 : 0o600);
  }
}
