"""The Jupyter Server's side of the launcher (kernel-host/cellwise_launcher): the server runs
unprivileged and asks the launcher, over its Unix socket, to start, signal, limit, measure
and end kernels and to open files in their boxes (see cellwise_launcher/launcher.py)."""

import functools
import os

from cellwise_launcher.protocol import FAILED, INVALID, MISSING, REFUSED, LauncherError, call
from tornado.ioloop import IOLoop

__all__ = ["FAILED", "INVALID", "MISSING", "REFUSED", "Launcher", "LauncherError", "launcher", "modes"]


class Launcher:
    def __init__(self, socket_path):
        self.socket_path = socket_path

    def call(self, op, **args):
        """(result, fd or None) of one request; blocking."""
        return call(self.socket_path, op, **args)

    async def request(self, op, **args):
        """The result of one request that returns no descriptor (off the event loop)."""
        result, fd = await IOLoop.current().run_in_executor(None, functools.partial(self.call, op, **args))
        if fd is not None:
            os.close(fd)
        return result

    async def request_fd(self, op, **args):
        """(result, fd) of a request that opens a file; the caller closes the descriptor."""
        return await IOLoop.current().run_in_executor(None, functools.partial(self.call, op, **args))


@functools.cache
def launcher():
    """The launcher this server was started by (KERNEL_HOST_LAUNCHER); it has no other way to start kernels."""
    path = os.environ.get("KERNEL_HOST_LAUNCHER")
    if not path:
        raise RuntimeError("KERNEL_HOST_LAUNCHER is not set: start the kernel host through kernel-host/launcher.py")
    return Launcher(path)


@functools.cache
def modes():
    """The sandbox modes the launcher put in force (KERNEL_HOST_SANDBOX): a subset of uid, net, mnt, cgroup."""
    return frozenset(m for m in os.environ.get("KERNEL_HOST_SANDBOX", "").split(",") if m)
