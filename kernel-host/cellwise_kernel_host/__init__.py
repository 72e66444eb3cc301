"""Cellwise's Jupyter Server extension: what the kernel host adds to Debian's jupyter_server.

- Kernel websockets: TCP_NODELAY (jupyter_server 1.23 leaves Nagle on: ~40 ms per message)
  and a lossless detach handshake (see ``websocket_patches``).
- ``GET /cellwise/v1/kernels/{id}/alive``: whether the kernel's process is alive (the
  watchdog the execution engine polls, as nbclient polls ``is_alive()``).
- With KERNEL_HOST_EXIT_WITH_PARENT=1 (the local stack), it stops when its parent process dies.
- No server-info file: it would hold the token where kernel code could read it.
- ``POST /cellwise/v1/render/html``: an executed notebook rendered to HTML by nbconvert (the
  run report), so the report renderer ships with the kernel host image.
"""

import ctypes
import os
import signal

from . import websocket_patches
from .handlers import handlers


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


def _load_jupyter_server_extension(serverapp):
    _exit_with_parent(serverapp)
    websocket_patches.apply()
    # The server-info and browser-open files hold the token; kernels run as the same user and
    # could read them. API clients get the token from the service's configuration instead.
    serverapp.write_server_info_file = lambda *args, **kwargs: None
    serverapp.write_browser_open_file = lambda *args, **kwargs: None
    base = serverapp.web_app.settings.get("base_url", "/")
    serverapp.web_app.add_handlers(".*$", handlers(base))
    serverapp.log.info("cellwise_kernel_host: TCP_NODELAY and detach on kernel websockets; /cellwise/v1 routes")


# jupyter_server < 2 also looks for the older name.
load_jupyter_server_extension = _load_jupyter_server_extension
