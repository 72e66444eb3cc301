"""This kernel host as its fleet sees it: who it is, what it can hold, what it holds, and
whether it is draining.

- ``GET  /cellwise/v1/host``: ``{"hostId", "startedAt", "draining", "capacity": {"kernels",
  "memoryMiB"}, "load": {"kernels", "kept", "memoryMiB"}, "pool": {name: {"size", "ready",
  "starting"}}}``. `load` counts the kernels leased to runs (kept ones too) and the memory
  their limits reserve; pooled kernels are not load (a lease gives one away).
- ``POST /cellwise/v1/host/drain``: the host takes no new run from now on (leases: 503); its
  runs go on. The fleet stops a drained host once it holds nothing.

Identity: KERNEL_HOST_ID (the local stack names its hosts; in AWS the ECS task id, read from
the task metadata endpoint), else a random one per start. Capacity: KERNEL_HOST_MEMORY_MIB
(else this machine's memory, or its cgroup's limit, less what the server keeps for itself),
and KERNEL_HOST_MAX_KERNELS (else as many kernels of the default memory limit as fit).

In ECS, a host that holds kernels protects itself from scale-in (the task protection
endpoint of the ECS agent), so the service's autoscaling only ever stops idle hosts.
"""

import asyncio
import json
import os
import urllib.request
from datetime import datetime, timezone
from uuid import uuid4

from jupyter_server.base.handlers import APIHandler
from tornado import web

SERVER_RESERVE_MIB = 512
PROTECTION_MINUTES = 60
PROTECTION_CHECK_SECONDS = 30
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

    def leased(self):
        """The kernels this host holds for runs (kept ones too), not the pooled ones."""
        return [kernel_id for kernel_id in self.km.list_kernel_ids() if not self.pool.is_pooled(kernel_id)]

    def load(self):
        leased = self.leased()
        return {
            "kernels": len(leased),
            "kept": sum(1 for kernel_id in leased if self.kept.is_kept(kernel_id)),
            "memoryMiB": sum(self.pool.memory_of(kernel_id) for kernel_id in leased),
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
            self._task = asyncio.ensure_future(self._protect_while_busy())

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
            await asyncio.sleep(PROTECTION_CHECK_SECONDS)

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
