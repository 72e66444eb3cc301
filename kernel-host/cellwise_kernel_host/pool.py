"""The warm kernel pool: per kernel name, kernels started ahead of time (each in a box of its
own, with the kernel host's default limits), ready once they answered kernel_info. A lease
gives a ready kernel the run's limits (the launcher changes a running box's limits) and hands
it out once; the pool refills in the background, one start at a time."""

import asyncio
from collections import deque

from jupyter_server.utils import ensure_async

from .launcher_client import LauncherError, launcher
from .sandbox import box_of

READY_TIMEOUT_SECONDS = 60
CHECK_INTERVAL_SECONDS = 15
MAX_BACKOFF_SECONDS = 60
MAX_POOL_SIZE = 16
# A refill waits this long after the last lease: starting a kernel takes about a CPU-second,
# which on a small host would compete with the just-leased kernel's first cells.
REFILL_DELAY_SECONDS = 0.5


def pool_sizes(environ, log):
    """{kernel name: size} from KERNEL_HOST_POOL_KERNELS (comma-separated, default python3):
    each entry a name, pooled KERNEL_HOST_POOL_SIZE deep (default 1), or ``name=size`` with a
    size of its own (``python3,scala=1``: a JVM kernel costs more memory and start-up CPU)."""
    size = _size(environ.get("KERNEL_HOST_POOL_SIZE", "1"), "KERNEL_HOST_POOL_SIZE", 1, log)
    sizes = {}
    for entry in environ.get("KERNEL_HOST_POOL_KERNELS", "python3").split(","):
        name, has_size, own = (part.strip() for part in entry.partition("="))
        if name:
            sizes[name] = _size(own, f"KERNEL_HOST_POOL_KERNELS {name}", size, log) if has_size else size
    return sizes


def _size(raw, what, fallback, log):
    try:
        size = int(raw.strip())
        if not 0 <= size <= MAX_POOL_SIZE:
            raise ValueError(raw)
        return size
    except ValueError:
        log.error("cellwise_kernel_host: %s=%r is not 0..%d; using %d", what, raw, MAX_POOL_SIZE, fallback)
        return fallback


class HostFullError(Exception):
    """The host takes no more kernels (it is full, or draining)."""


async def _no_room():
    return False


class KernelPool:
    def __init__(self, kernel_manager, sizes, log, default_memory_mib=2048):
        self.km = kernel_manager
        self.default_memory_mib = default_memory_mib
        self.log = log
        self.sizes = dict(sizes)
        self._ready = {name: deque() for name in self.sizes}  # kernel ids
        self._starting = {name: 0 for name in self.sizes}
        self._runs = {}  # run_id -> kernel_id of the kernel leased for it
        # Why the host cannot take a kernel of that memory now (None: it can); the host sets it.
        self.refuse = lambda memory_mib: None
        self.leased = lambda: None
        self.make_room = _no_room
        self._leasing = {}  # run_id -> [lock, count] of the leases in progress
        self._last_lease = 0.0  # loop time of the last lease (refills wait REFILL_DELAY_SECONDS after it)
        self._wake = asyncio.Event()
        self._task = None

    def start(self):
        known = self.km.kernel_spec_manager.find_kernel_specs()
        for name in list(self.sizes):
            if name not in known:
                self.log.warning("cellwise_kernel_host: no kernel %r to pool", name)
                del self.sizes[name], self._ready[name], self._starting[name]
        if any(self.sizes.values()):
            self._task = asyncio.ensure_future(self._fill())

    async def stop(self):
        """Stops refilling (at server shutdown, which shuts the pooled kernels down)."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        for queue in self._ready.values():
            queue.clear()

    def stats(self):
        return {
            name: {"size": size, "ready": len(self._ready[name]), "starting": self._starting[name]}
            for name, size in self.sizes.items()
        }

    def is_pooled(self, kernel_id):
        return any(kernel_id in queue for queue in self._ready.values())

    def memory_of(self, kernel_id):
        """The memory limit of a kernel's box (MiB), what it reserves on this host."""
        box = getattr(getattr(self.km.get_kernel(kernel_id), "provisioner", None), "box", None) or {}
        return int((box.get("limits") or {}).get("memoryMiB") or 0)

    async def lease(self, name, run_id, limits=None):
        """A started kernel for the run, with its limits: a pooled one if one is ready.

        Idempotent per run: a retried lease (the first answer was lost, the workflow retried)
        gets the live kernel already working in the run's directory instead of a second one
        that nobody would ever shut down. Leases of one run are serialised."""
        entry = self._leasing.setdefault(run_id, [asyncio.Lock(), 0])  # [lock, leases holding or awaiting it]
        entry[1] += 1
        try:
            async with entry[0]:
                return await self._lease(name, run_id, limits)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._leasing[run_id]

    async def _lease(self, name, run_id, limits):
        self._forget_gone()
        known = self._runs.get(run_id)
        if known is not None and await self._alive(known) and self.km.get_kernel(known).kernel_name == name:
            return self._model(known, name, pooled=False)
        memory_mib = int((limits or {}).get("memoryMiB") or self.default_memory_mib)
        refusal = self.refuse(memory_mib)
        while refusal and await self.make_room():
            refusal = self.refuse(memory_mib)
        if refusal:
            raise HostFullError(refusal)
        queue = self._ready.get(name)
        while queue:
            kernel_id = queue.popleft()
            self._last_lease = asyncio.get_running_loop().time()
            self._wake.set()
            if not await self._alive(kernel_id):
                self.log.warning("cellwise_kernel_host: pooled kernel %s died; replacing it", kernel_id)
                await self._discard(kernel_id)
                continue
            try:
                applied = await launcher().request("limits", box=box_of(self.km, kernel_id), limits=limits)
                self.km.get_kernel(kernel_id).provisioner.box["limits"] = applied["limits"]
            except LauncherError as error:  # e.g. less memory than the idle kernel already holds
                self.log.info("cellwise_kernel_host: pooled kernel %s cannot take %s: %s", kernel_id, limits, error)
                queue.appendleft(kernel_id)
                break
            self._runs[run_id] = kernel_id
            self.leased()
            return self._model(kernel_id, name, pooled=True)
        kernel_id = await self.km.start_kernel(kernel_name=name, cellwise_limits=limits)
        self._runs[run_id] = kernel_id
        self.leased()
        return self._model(kernel_id, name, pooled=False)

    def _model(self, kernel_id, name, pooled):
        return {"id": kernel_id, "name": name, "pooled": pooled}

    def _forget_gone(self):
        for run_id in [r for r, k in self._runs.items() if k not in self.km]:
            del self._runs[run_id]

    async def _alive(self, kernel_id):
        if kernel_id not in self.km:
            return False
        return bool(await ensure_async(self.km.get_kernel(kernel_id).is_alive()))

    async def _discard(self, kernel_id):
        if kernel_id is not None and kernel_id in self.km:
            try:
                await ensure_async(self.km.shutdown_kernel(kernel_id, now=True))
            except Exception as error:  # already gone, or its process would not stop
                self.log.warning("cellwise_kernel_host: shutting down %s: %s", kernel_id, error)

    def _wanting(self):
        for name, size in self.sizes.items():
            if len(self._ready[name]) + self._starting[name] < size:
                return name
        return None

    async def _fill(self):
        failures = 0
        while True:
            await self._prune()
            name = self._wanting()
            if name is None:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), CHECK_INTERVAL_SECONDS)
                except asyncio.TimeoutError:
                    pass
                continue
            pause = self._last_lease + REFILL_DELAY_SECONDS - asyncio.get_running_loop().time()
            if pause > 0:
                await asyncio.sleep(pause)
                continue
            if await self._start_pooled(name):
                failures = 0
            else:
                failures += 1
                await asyncio.sleep(min(MAX_BACKOFF_SECONDS, 2**failures))

    async def _prune(self):
        """Replaces pooled kernels that died (or were shut down by someone else)."""
        for queue in self._ready.values():
            for kernel_id in list(queue):
                if not await self._alive(kernel_id) and kernel_id in queue:
                    queue.remove(kernel_id)
                    self.log.warning("cellwise_kernel_host: pooled kernel %s died; replacing it", kernel_id)
                    await self._discard(kernel_id)

    async def _start_pooled(self, name):
        self._starting[name] += 1
        kernel_id = None
        try:
            kernel_id = await self.km.start_kernel(kernel_name=name)
            client = self.km.get_kernel(kernel_id).client()
            client.start_channels()
            try:
                await ensure_async(client.wait_for_ready(timeout=READY_TIMEOUT_SECONDS))
            finally:
                client.stop_channels()
        except asyncio.CancelledError:
            raise  # the server stops: it shuts the kernel down, and its box with it
        except Exception as error:
            self.log.warning("cellwise_kernel_host: starting a pooled %s kernel failed: %s", name, error)
            await self._discard(kernel_id)
            return False
        finally:
            self._starting[name] -= 1
        self._ready[name].append(kernel_id)
        self.log.info("cellwise_kernel_host: pooled %s kernel %s is ready", name, kernel_id)
        return True
