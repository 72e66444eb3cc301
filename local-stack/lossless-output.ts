import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { passable, readableCopy } from './kernel-sandbox.ts';

/**
 * The kernel host's own kernelspecs (`kernel-host/share/jupyter/kernels`): `python3` is
 * ipykernel started through `kernel.py`, whose IOPub socket queues instead of dropping
 * messages when the kernel host reads slowly.
 */
export const KERNEL_SPECS_DIR = resolve(
  fileURLToPath(new URL('../kernel-host/share/jupyter', import.meta.url)),
);

/**
 * The JUPYTER_PATH of the local kernel host: its own kernelspecs, found before the system's
 * (Debian's `/usr/share/jupyter/kernels/python3`). Kernels that run as users of their own
 * read them from a readable copy in `placesDir` when the checkout is below a directory they
 * cannot pass (as the SDK, `kernelPlaces`).
 */
export async function kernelSpecsPath(
  sandbox: string[],
  placesDir: string,
  specsDir = KERNEL_SPECS_DIR,
): Promise<string> {
  if (!sandbox.includes('uid') || (await passable(specsDir))) return specsDir;
  const copy = join(placesDir, 'jupyter');
  await readableCopy(specsDir, copy);
  return copy;
}

/**
 * What a detached session may buffer in the kernel host before it stops reading the kernel
 * (`kernel-host/cellwise_kernel_host/detached_buffer.py`; nothing is dropped, the kernel
 * queues the rest): CELLWISE_KERNEL_HOST_BUFFER_MESSAGES and CELLWISE_KERNEL_HOST_BUFFER_BYTES,
 * when set, as the kernel host's KERNEL_HOST_BUFFER_MAX_MESSAGES and KERNEL_HOST_BUFFER_MAX_BYTES.
 */
export function detachedBufferEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return {
    ...(env.CELLWISE_KERNEL_HOST_BUFFER_MESSAGES
      ? { KERNEL_HOST_BUFFER_MAX_MESSAGES: env.CELLWISE_KERNEL_HOST_BUFFER_MESSAGES }
      : {}),
    ...(env.CELLWISE_KERNEL_HOST_BUFFER_BYTES
      ? { KERNEL_HOST_BUFFER_MAX_BYTES: env.CELLWISE_KERNEL_HOST_BUFFER_BYTES }
      : {}),
  };
}
