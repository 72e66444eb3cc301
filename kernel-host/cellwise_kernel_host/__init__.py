"""Cellwise's Jupyter Server extension: what the kernel host adds to Debian's jupyter_server.

- Kernel websockets: TCP_NODELAY (jupyter_server 1.23 leaves Nagle on: ~40 ms per message)
  and a lossless detach handshake (see ``websocket_patches``); what a detached session
  buffers is bounded without dropping anything (``detached_buffer``: KERNEL_HOST_BUFFER_MAX_MESSAGES,
  KERNEL_HOST_BUFFER_MAX_BYTES).
- ``GET /cellwise/v1/kernels/{id}/alive``: whether the kernel's process is alive (the
  watchdog the execution engine polls, as nbclient polls ``is_alive()``).
- With KERNEL_HOST_EXIT_WITH_PARENT=1 (the local stack), it stops when its parent process dies.
- No server-info file: it would hold the token where kernel code could read it.
- ``POST /cellwise/v1/render/html``: an executed notebook rendered to HTML by nbconvert (the
  run report), so the report renderer ships with the kernel host image.
- A warm kernel pool (``pool``): ``POST /cellwise/v1/kernels/lease`` hands out a started kernel
  for a run, with the run's limits; ``GET /cellwise/v1/pool`` reports it. KERNEL_HOST_POOL_SIZE
  (default 1, 0 disables) kernels of each name in KERNEL_HOST_POOL_KERNELS (default python3).
- ``GET /cellwise/v1/environments`` (``environments``): every kernelspec with its language
  version, installed packages and (Python) the SDK packages of KERNEL_HOST_SDK_DIR; cached.
- Kernels in boxes (``sandbox``): the server runs unprivileged and has every kernel started
  by the launcher (kernel-host/cellwise_launcher, the one privileged process), each in a box
  of its own (its user, directories, limits; its network, /tmp and /dev/shm where the host
  allows). A kernel's files are reached only through the launcher, as the kernel's user
  (``file_handlers``: list, read, write, delete, fetch a run's dataset, usage).
- Kept kernels (``kept``): ``POST /cellwise/v1/kernels/{id}/keep`` ({"seconds": N}) shuts a
  kernel down after N seconds unless ``POST /cellwise/v1/kernels/{id}/reclaim`` comes first.
"""

import ctypes
import os
import signal

from cellwise_launcher.limits import from_environment as default_limits

from . import detached_buffer, websocket_patches
from .handlers import handlers
from .host import HOST, HostState
from .kept import KeptKernels
from .kernel_handlers import KEPT, POOL
from .launcher_client import launcher, modes
from .pool import KernelPool, pool_sizes


def _jupyter_server_extension_points():
    return [{"module": "cellwise_kernel_host"}]


def _exit_with_parent(serverapp):
    """Local stack only: stop (and stop the kernels) when the service that started us dies."""
    if os.environ.get("KERNEL_HOST_EXIT_WITH_PARENT") != "1":
        return
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _start_pool(serverapp):
    """The pool and kept kernels, on the server's loop; both end when the server cleans up."""
    km = serverapp.kernel_manager
    default_memory = default_limits(os.environ.get("KERNEL_HOST_DEFAULT_LIMITS"))["memoryMiB"]
    pool = KernelPool(km, pool_sizes(os.environ, serverapp.log), serverapp.log, default_memory)
    kept = KeptKernels(km, pool, serverapp.log)
    host = HostState(km, pool, kept, serverapp.log, os.environ, default_memory)
    pool.refuse = host.refusal
    pool.leased = host.leased_one
    pool.make_room = host.make_room
    host.drain_on_sigterm(serverapp)
    serverapp.web_app.settings[POOL] = pool
    serverapp.web_app.settings[KEPT] = kept
    serverapp.web_app.settings[HOST] = host

    # Idle culling is for forgotten kernels: a pooled or kept kernel is idle on purpose.
    cull_kernel_if_idle = km.cull_kernel_if_idle

    async def cull_unless_pooled_or_kept(kernel_id):
        if pool.is_pooled(kernel_id) or kept.is_kept(kernel_id):
            return None
        return await cull_kernel_if_idle(kernel_id)

    km.cull_kernel_if_idle = cull_unless_pooled_or_kept

    # jupyter_server shuts every kernel down at exit (each ends its box).
    cleanup_kernels = serverapp.cleanup_kernels

    async def cleanup_pool_and_kernels():
        await host.stop()
        await pool.stop()
        kept.stop()
        await cleanup_kernels()

    serverapp.cleanup_kernels = cleanup_pool_and_kernels
    serverapp.io_loop.add_callback(pool.start)
    serverapp.io_loop.add_callback(host.start)


def _load_jupyter_server_extension(serverapp):
    _exit_with_parent(serverapp)
    launcher()  # no launcher, no kernels: fail at start, not at the first run
    sandbox = sorted(modes())
    websocket_patches.apply()
    buffer_limits = detached_buffer.limits()
    detached_buffer.apply(*buffer_limits)
    # The server-info and browser-open files hold the token; kernels run as the same user and
    # could read them. API clients get the token from the service's configuration instead.
    serverapp.write_server_info_file = lambda *args, **kwargs: None
    serverapp.write_browser_open_file = lambda *args, **kwargs: None
    base = serverapp.web_app.settings.get("base_url", "/")
    serverapp.web_app.add_handlers(".*$", handlers(base))
    _start_pool(serverapp)
    serverapp.log.info(
        "cellwise_kernel_host: TCP_NODELAY and detach on kernel websockets; detached buffers up to %d messages, %d bytes; /cellwise/v1 routes; pool %s; sandbox %s",
        *buffer_limits,
        serverapp.web_app.settings[POOL].sizes,
        ",".join(sandbox) or "none",
    )


# jupyter_server < 2 also looks for the older name.
load_jupyter_server_extension = _load_jupyter_server_extension
