"""This kernel host as its fleet sees it: who it is, what it can hold, what it holds, and
whether it is draining.

- ``GET  /cellwise/v1/host``: ``{"hostId", "startedAt", "draining", "capacity": {"kernels",
  "memoryMiB"}, "load": {"kernels", "kept", "memoryMiB", "keptMemoryMiB"}, "pool": {name:
  {"size", "ready", "starting"}}}``. `load` counts the kernels leased to runs (kept ones too)
  and the memory their limits reserve; pooled kernels are not load (a lease gives one away).
  A full host evicts the kept kernel closest to expiry to take a run (that run's resume then
  replays): kept kernels are a convenience, never a reason to turn a run away.
- ``POST /cellwise/v1/host/drain``: the host takes no new run from now on (leases: 503); its
  runs go on. The fleet stops a drained host once it holds nothing.

Identity: KERNEL_HOST_ID (the local stack names its hosts; in AWS the ECS task id, read from
the task metadata endpoint), else a random one per start. Capacity: KERNEL_HOST_MEMORY_MIB
(else this machine's memory, or its cgroup's limit, less what the server keeps for itself),
and KERNEL_HOST_MAX_KERNELS (else as many kernels of the default memory limit as fit).

In ECS, a host that holds kernels protects itself from scale-in (the task protection
endpoint of the ECS agent) the moment it leases one, so the service's autoscaling only ever
stops idle hosts.

Leaving: with KERNEL_HOST_DRAIN_SECONDS > 0 (the image sets it), SIGTERM (ECS stopping the
task: scale-in, a deployment, Fargate maintenance) drains instead of stopping at once: no new
runs, the running ones go on, and the server stops when none is left (kept kernels do not
hold it) or the drain time is up. Without it (the local stack), SIGTERM stops at once.
"""

import asyncio
import json
import os
import signal
import urllib.request
from datetime import datetime, timezone
from uuid import uuid4

from jupyter_server.base.handlers import APIHandler
from tornado import web

SERVER_RESERVE_MIB = 512
PROTECTION_MINUTES = 60
PROTECTION_CHECK_SECONDS = float(os.environ.get("KERNEL_HOST_PROTECTION_CHECK_SECONDS") or 30)
HOST = "cellwise_host"


def _machine_memory_mib():
    """This machine's memory, or the cgroup limit of this process when smaller (MiB)."""
    total = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    total = int(line.split()[1]) // 1024
    except OSError:
        total = 4096
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(path) as f:
                text = f.read().strip()
            if text.isdigit():
                total = min(total, int(text) // (1 << 20))
        except OSError:
            continue
    return total


def _ecs_task_id(environ):
    """The ECS task id from the task metadata endpoint (None outside ECS)."""
    uri = environ.get("ECS_CONTAINER_METADATA_URI_V4")
    if not uri:
        return None
    try:
        with urllib.request.urlopen(f"{uri}/task", timeout=2) as response:
            return json.load(response)["TaskARN"].rsplit("/", 1)[-1]
    except (OSError, ValueError, KeyError):
        return None


def _seconds(text):
    try:
        return max(0.0, float(text)) if text else 0.0
    except ValueError:
        return 0.0


class HostState:
    def __init__(self, km, pool, kept, log, environ, default_memory_mib):
        self.km = km
        self.pool = pool
        self.kept = kept
        self.log = log
        self.id = environ.get("KERNEL_HOST_ID") or _ecs_task_id(environ) or f"host-{uuid4().hex[:12]}"
        self.started_at = datetime.now(timezone.utc).isoformat()
        memory = environ.get("KERNEL_HOST_MEMORY_MIB")
        self.memory_mib = int(memory) if memory else max(default_memory_mib, _machine_memory_mib() - SERVER_RESERVE_MIB)
        most = environ.get("KERNEL_HOST_MAX_KERNELS")
        self.max_kernels = int(most) if most else max(1, self.memory_mib // default_memory_mib)
        self.draining = False
        self._agent = environ.get("ECS_AGENT_URI")
        self._protected = None
        self._task = None
        self._wake = None
        self.drain_seconds = _seconds(environ.get("KERNEL_HOST_DRAIN_SECONDS"))
        self._leaving = False

    def leased(self):
        """The kernels this host holds for runs (kept ones too), not the pooled ones."""
        return [kernel_id for kernel_id in self.km.list_kernel_ids() if not self.pool.is_pooled(kernel_id)]

    def running(self):
        """The kernels of runs still running here (leased and not kept)."""
        return [kernel_id for kernel_id in self.leased() if not self.kept.is_kept(kernel_id)]

    def load(self):
        leased = self.leased()
        kept = [kernel_id for kernel_id in leased if self.kept.is_kept(kernel_id)]
        return {
            "kernels": len(leased),
            "kept": len(kept),
            "memoryMiB": sum(self.pool.memory_of(kernel_id) for kernel_id in leased),
            "keptMemoryMiB": sum(self.pool.memory_of(kernel_id) for kernel_id in kept),
        }

    def refusal(self, limits_memory_mib):
        """Why this host cannot take one more kernel of that memory, or None."""
        if self.draining:
            return "the kernel host is draining"
        load = self.load()
        if load["kernels"] >= self.max_kernels:
            return f"the kernel host holds its {self.max_kernels} kernels"
        if load["memoryMiB"] + limits_memory_mib > self.memory_mib:
            return f"the kernel host has {self.memory_mib - load['memoryMiB']} MiB left for kernels"
        return None

    async def make_room(self):
        """A full host (not a draining one) gives up its kept kernel closest to expiry."""
        return not self.draining and await self.kept.evict()

    def describe(self):
        return {
            "hostId": self.id,
            "startedAt": self.started_at,
            "draining": self.draining,
            "capacity": {"kernels": self.max_kernels, "memoryMiB": self.memory_mib},
            "load": self.load(),
            "pool": self.pool.stats(),
        }

    def start(self):
        if self._agent:
            self._wake = asyncio.Event()
            self._task = asyncio.ensure_future(self._protect_while_busy())

    def leased_one(self):
        """A kernel was just leased: protect the task now, not at the next check."""
        if self._wake is not None and not self._protected:
            self._wake.set()

    def drain_on_sigterm(self, serverapp):
        """SIGTERM drains (see the module's docstring) when KERNEL_HOST_DRAIN_SECONDS is set."""
        if self.drain_seconds <= 0:
            return

        def on_term(signum, _frame):
            serverapp.io_loop.add_callback_from_signal(self._leave, serverapp)

        signal.signal(signal.SIGTERM, on_term)

    async def _leave(self, serverapp):
        if self._leaving:
            return
        self._leaving = True
        self.draining = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.drain_seconds
        self.log.info("cellwise_kernel_host: SIGTERM: draining (%d runs, at most %d s)", len(self.running()), self.drain_seconds)
        while self.running() and loop.time() < deadline:
            await asyncio.sleep(0.5)
        left = len(self.running())
        self.log.info("cellwise_kernel_host: leaving (%s)", f"{left} runs cut short" if left else "no run left")
        serverapp.stop(from_signal=False)

    async def stop(self):
        if self._task is not None:
            self._task.cancel()

    async def _protect_while_busy(self):
        """ECS scale-in protection while the host holds kernels, renewed before it expires."""
        loop = asyncio.get_running_loop()
        renewed = 0.0
        while True:
            busy = bool(self.leased())
            stale = busy and loop.time() - renewed > (PROTECTION_MINUTES - 5) * 60
            if busy != self._protected or stale:
                try:
                    await loop.run_in_executor(None, self._set_protection, busy)
                    self._protected, renewed = busy, loop.time()
                except OSError as error:
                    self.log.warning("cellwise_kernel_host: task protection: %s", error)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), PROTECTION_CHECK_SECONDS)
            except asyncio.TimeoutError:
                pass

    def _set_protection(self, enabled):
        body = {"ProtectionEnabled": enabled, **({"ExpiresInMinutes": PROTECTION_MINUTES} if enabled else {})}
        request = urllib.request.Request(
            f"{self._agent}/task-protection/v1/state",
            data=json.dumps(body).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()


class HostHandler(APIHandler):
    @web.authenticated
    def get(self):
        self.finish(json.dumps(self.settings[HOST].describe()))


class DrainHandler(APIHandler):
    @web.authenticated
    def post(self):
        host = self.settings[HOST]
        host.draining = True
        self.log.info("cellwise_kernel_host: draining: no new runs")
        self.finish(json.dumps(host.describe()))


def host_handlers(prefix):
    return [(prefix + r"/host", HostHandler), (prefix + r"/host/drain", DrainHandler)]
