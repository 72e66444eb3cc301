"""The kernel sandbox: what keeps notebook code away from the host and from other kernels.

Chosen by KERNEL_HOST_SANDBOX, a comma-separated set (empty: no sandbox, every kernel runs as
the server's user with its network, as in the AWS image, where the task boundary isolates):

- ``uid``: every kernel runs as a user id of its own, never reused while the server runs, with
  no supplementary groups (the server must be root). Its working directory and private
  directory (home, temp, sockets) are its own (0700), so it cannot read the host's files
  that are not world-readable, another kernel's files, or signal another kernel.
- ``net``: every kernel runs in a network namespace of its own, with nothing but a private
  loopback: no service, store or kernel of the host is reachable. The server talks to it
  over Unix sockets (ZeroMQ ``ipc`` transport) in its private directory. As root the
  namespace is made directly; otherwise inside a user namespace mapping the user to itself.

The launcher (``launch.py``, the first word of every kernel's command) applies it before
it replaces itself with the kernel.
"""

import functools
import itertools
import os
import random
import shutil
import sys
import tempfile

from jupyter_client.ioloop import AsyncIOLoopKernelManager
from traitlets import default

LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "launch.py")
# Kernel user ids: a range no account uses, below 2**31 (some tools take uids as signed).
UID_BASE = 1_900_000_000
UID_SPAN = 200_000_000
_next_uid = itertools.count(UID_BASE + random.randrange(UID_SPAN // 2))
_root = None


@functools.cache
def modes():
    """The sandbox modes KERNEL_HOST_SANDBOX asks for: a subset of {"uid", "net"} (read once)."""
    wanted = {m.strip() for m in os.environ.get("KERNEL_HOST_SANDBOX", "").split(",") if m.strip()}
    unknown = wanted - {"uid", "net"}
    if unknown:
        raise ValueError(f"KERNEL_HOST_SANDBOX: unknown mode(s) {sorted(unknown)}; use uid, net")
    if "uid" in wanted and os.geteuid() != 0:
        raise ValueError("KERNEL_HOST_SANDBOX=uid needs the kernel host to run as root")
    return frozenset(wanted)


def private_root():
    """Where kernels' private directories go (short: Unix socket paths are limited to 107 bytes)."""
    global _root
    if _root is None:
        configured = os.environ.get("KERNEL_HOST_SANDBOX_DIR")
        if configured:
            # Left over by a server that died: its kernels died with it.
            shutil.rmtree(configured, ignore_errors=True)
            os.makedirs(configured)
            _root = configured
        else:
            _root = tempfile.mkdtemp(prefix="cellwise-kernels-")
        os.chmod(_root, 0o711)  # kernels pass through to their own directory, list nothing
    return _root


def make_dirs_in_workdir(dirs, path):
    """Creates the missing directories of `path` (inside a kernel's working directory), each
    owned by that kernel's user."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for directory in reversed(missing):
        os.mkdir(directory)
        chown_into_workdir(dirs, directory)


def chown_into_workdir(dirs, path):
    """Gives a file the server wrote into a kernel's working directory to that kernel's user."""
    real = os.path.realpath(path)
    workdir = real
    while os.path.dirname(workdir) != dirs.runs:
        parent = os.path.dirname(workdir)
        if parent == workdir:
            return
        workdir = parent
    owner = os.stat(workdir)
    if owner.st_uid != os.geteuid():
        os.lchown(real, owner.st_uid, owner.st_gid)


class SandboxedKernelManager(AsyncIOLoopKernelManager):
    """A kernel manager that starts its kernel through the launcher, in the sandbox of `modes()`."""

    @default("transport")
    def _default_transport(self):
        return "ipc" if "net" in modes() else "tcp"

    _private = None
    _uid = None

    def _prepare_private(self):
        if self._private is not None:
            return
        wanted = modes()
        self._uid = next(_next_uid) if "uid" in wanted else None
        name = str(self._uid) if self._uid is not None else f"k{os.getpid()}-{next(_next_uid)}"
        self._private = os.path.join(private_root(), name)
        os.makedirs(self._private, mode=0o700)
        if self._uid is not None:
            os.chown(self._private, self._uid, self._uid)

    def write_connection_file(self, **kwargs):
        if modes():
            self._prepare_private()
        if self.transport == "ipc":
            self.ip = os.path.join(self._private, "zmq")
        return super().write_connection_file(**kwargs)

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        wanted = modes()
        if not wanted:
            return command
        self._prepare_private()
        launcher = [sys.executable, "-s", LAUNCHER, "--private", self._private]
        if self._uid is not None:
            launcher += ["--uid", str(self._uid)]
        if "net" in wanted:
            launcher += ["--isolate-network"]
        if self.connection_file:
            launcher += ["--connection-file", self.connection_file]
        if os.environ.get("KERNEL_HOST_EXIT_WITH_PARENT") == "1":
            launcher += ["--exit-with-parent"]
        return [*launcher, "--", *command]

    async def cleanup_resources(self, restart=False):
        await super().cleanup_resources(restart=restart)
        if not restart and self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None
