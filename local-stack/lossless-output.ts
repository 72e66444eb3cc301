/**
 * The local kernel host's output settings. Its python3 kernelspec is the kernel host's own
 * (`kernel-host/share/jupyter/kernels/python3`: ipykernel started through `kernel.py`, whose
 * IOPub socket queues instead of dropping messages when the kernel host reads slowly), found
 * first through JUPYTER_PATH (`kernel-host.ts`, from the kernel host's code directory, a
 * readable copy when the checkout is private).
 */

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
