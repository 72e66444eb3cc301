"""Kernels in boxes: the kernel manager and provisioner the server uses instead of Popen.

The server runs unprivileged; every kernel is started by the launcher (the kernel host's one
privileged process, kernel-host/cellwise_launcher) in a box of its own: its own user, its
own directories, limits on memory, processes and disk, and, where the host allows, its own
network, /tmp and /dev/shm (see cellwise_launcher/boxes.py). With a user per kernel or a
network of its own, the server talks to the kernel over ZeroMQ `ipc` sockets in the box's
`ipc/` directory, which only the kernel and the server's group can reach: no other kernel can
connect to a kernel's channels (over loopback TCP any local process could).

`start_kernel(..., cellwise_limits={...})` starts a kernel with a run's limits; the provisioner
remembers the box (`provisioner.box`) for the file, limit and usage requests of that kernel.
"""

import asyncio
import json
import os
import uuid

from jupyter_client.ioloop import AsyncIOLoopKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import default

from .launcher_client import LauncherError, launcher, modes


def _alive(pid, start_time):
    """Whether `pid` is still the process that was started (not a zombie, not a reused pid)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return False
    rest = data[data.rindex(b")") + 2 :].split()
    return rest[0] not in (b"Z", b"X") and (start_time is None or int(rest[19]) == start_time)


class SandboxProvisioner(LocalProvisioner):
    """Launches, signals and ends the kernel through the launcher; polls it through /proc."""

    box = None  # the launcher's description of the box (name, uid, paths, limits)
    _start_time = None
    _exit_status = None

    @property
    def has_process(self):
        return self.pid is not None and self._exit_status is None

    async def pre_launch(self, **kwargs):
        wanted = kwargs.pop("cellwise_limits", None)
        if self.box is None:  # a restart keeps its box
            self.box = await launcher().request("prepare", limits=wanted)
        if self.parent.transport == "ipc":
            self.parent.ip = os.path.join(self.box["ipc"], "k")
        return await super().pre_launch(**kwargs)

    async def launch_kernel(self, cmd, **kwargs):
        km = self.parent
        with open(km.connection_file, encoding="utf-8") as f:
            connection = json.load(f)
        env = {k: v for k, v in (kwargs.get("env") or os.environ).items() if isinstance(v, str)}
        started = await launcher().request(
            "spawn",
            box=self.box["box"],
            argv=list(cmd),
            env=env,
            connection=connection,
            connectionFile=km.connection_file,
        )
        self.pid = self.pgid = started["pid"]
        self._start_time = started.get("startTime")
        self._exit_status = None
        return self.connection_info

    async def poll(self):
        if self.pid is None or self._exit_status is not None:
            return self._exit_status if self._exit_status is not None else 0
        if _alive(self.pid, self._start_time):
            return None
        self._exit_status = 1
        try:
            usage = await launcher().request("usage", box=self.box["box"])
            if isinstance(usage.get("exitStatus"), int):
                self._exit_status = usage["exitStatus"]
        except LauncherError:
            pass
        return self._exit_status

    async def wait(self):
        while await self.poll() is None:
            await asyncio.sleep(0.05)
        return self._exit_status

    async def send_signal(self, signum):
        if self.has_process:
            try:
                await launcher().request("signal", box=self.box["box"], signum=int(signum))
            except LauncherError as error:
                raise ProcessLookupError(str(error)) from error

    async def kill(self, restart=False):
        try:
            await self.send_signal(9)
        except ProcessLookupError:
            pass

    async def terminate(self, restart=False):
        try:
            await self.send_signal(15)
        except ProcessLookupError:
            pass

    async def cleanup(self, restart=False):
        await super().cleanup(restart=restart)
        if not restart and self.box is not None:
            box, self.box = self.box, None
            try:  # every process of the box, its files and its limits go
                await launcher().request("end", box=box["box"])
            except LauncherError as error:
                self.log.warning("cellwise_kernel_host: ending box %s: %s", box["box"], error)

    async def get_provisioner_info(self):
        info = await super().get_provisioner_info()
        info.update({"box": self.box, "start_time": self._start_time})
        return info


#: IPython's history kept in memory, as nbclient starts kernels (its ``ipython_hist_file``):
#: no history.sqlite holding the notebooks' code in the kernel's home (IPYTHONDIR).
MEMORY_HISTORY = "--HistoryManager.hist_file=:memory:"


def is_ipython(kernel_manager):
    """Whether the kernel is ipykernel: a ``python*`` kernelspec, or one that runs ipykernel."""
    spec = kernel_manager.kernel_spec
    argv = spec.argv if spec is not None else []
    return kernel_manager.ipykernel or any("ipykernel" in word for word in argv)


def with_memory_history(extra_arguments):
    """The kernel's extra arguments with MEMORY_HISTORY, unless they already set hist_file."""
    extra = list(extra_arguments or [])
    if not any(word.startswith("--HistoryManager.hist_file") for word in extra):
        extra.append(MEMORY_HISTORY)
    return extra


class SandboxedKernelManager(AsyncIOLoopKernelManager):
    """A kernel manager whose kernels are always started by the launcher, in boxes.

    IPython kernels keep their history in memory (MEMORY_HISTORY), pooled ones too: every
    kernel, warm or not, starts here.
    """

    @default("transport")
    def _default_transport(self):
        return "ipc" if modes() & {"uid", "net"} else "tcp"

    async def pre_start_kernel(self, **kw):
        if self.provisioner is None:
            self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
            self.provisioner = SandboxProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        if is_ipython(self):
            kw["extra_arguments"] = with_memory_history(kw.get("extra_arguments"))
        return await AsyncIOLoopKernelManager.pre_start_kernel(self, **kw)


def box_of(kernel_manager, kernel_id):
    """The box of a running kernel, or None (an unknown kernel, or one not started in a box)."""
    if kernel_id not in kernel_manager:
        return None
    provisioner = getattr(kernel_manager.get_kernel(kernel_id), "provisioner", None)
    box = getattr(provisioner, "box", None)
    return box["box"] if box else None
