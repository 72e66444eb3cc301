"""Kept kernels: a kernel the service may come back to (resume after an error). Keeping it for
N seconds schedules its shutdown (which ends its box: every process, its files); reclaiming
it before then cancels that."""

import asyncio

from jupyter_server.utils import ensure_async

from .launcher_client import LauncherError, launcher
from .sandbox import box_of

MAX_KEEP_SECONDS = 3600


class KeptKernels:
    def __init__(self, kernel_manager, pool, log):
        self.km = kernel_manager
        self.pool = pool
        self.log = log
        self._expiries = {}  # kernel_id -> TimerHandle
        self._reclaimed = set()  # a repeated reclaim of a live kernel answers as the first did
        self._expiring = set()

    def is_kept(self, kernel_id):
        return kernel_id in self._expiries

    def keep(self, kernel_id, seconds):
        """Schedules the kernel's shutdown in `seconds` (replacing an earlier schedule)."""
        previous = self._expiries.pop(kernel_id, None)
        if previous is not None:
            previous.cancel()
        self._reclaimed.discard(kernel_id)
        self._expiries[kernel_id] = asyncio.get_running_loop().call_later(seconds, self._expire, kernel_id)

    async def reclaim(self, kernel_id):
        """The kernel's model if it was kept and is still alive (its expiry cancelled), else None."""
        self._reclaimed = {known for known in self._reclaimed if known in self.km}
        entry = self._expiries.pop(kernel_id, None)
        if entry is not None:
            entry.cancel()
        elif kernel_id not in self._reclaimed:
            return None
        if kernel_id in self._expiring or kernel_id not in self.km:
            return None
        if not await ensure_async(self.km.get_kernel(kernel_id).is_alive()):
            return None
        if kernel_id not in self._reclaimed:  # the resume's usage starts now, not with the ended run's
            try:
                await launcher().request("reset", box=box_of(self.km, kernel_id))
            except LauncherError as error:
                self.log.warning("cellwise_kernel_host: resetting the usage of %s: %s", kernel_id, error)
        self._reclaimed.add(kernel_id)
        return self.km.kernel_model(kernel_id)

    def release(self, kernel_id):
        """Shuts the kernel down (its box with it) now, in the background (the caller does not
        wait for the process to exit)."""
        entry = self._expiries.pop(kernel_id, None)
        if entry is not None:
            entry.cancel()
        self._reclaimed.discard(kernel_id)
        self._expiring.add(kernel_id)
        asyncio.ensure_future(self._shut_down(kernel_id))

    async def evict(self):
        """Shuts down the kept kernel closest to its expiry, to make room for a run (a resume
        of its run then replays instead). Returns whether there was one."""
        if not self._expiries:
            return False
        kernel_id = min(self._expiries, key=lambda known: self._expiries[known].when())
        self._expiries.pop(kernel_id).cancel()
        self._reclaimed.discard(kernel_id)
        self._expiring.add(kernel_id)
        self.log.info("cellwise_kernel_host: evicting kept kernel %s to make room for a run", kernel_id)
        await self._shut_down(kernel_id)
        return True

    def stop(self):
        """At server shutdown: cancels the expiries (the server then shuts every kernel down)."""
        for handle in self._expiries.values():
            handle.cancel()
        self._expiries.clear()

    def _expire(self, kernel_id):
        if self._expiries.pop(kernel_id, None) is not None:
            self._expiring.add(kernel_id)
            asyncio.ensure_future(self._shut_down(kernel_id))

    async def _shut_down(self, kernel_id):
        try:
            if kernel_id in self.km:
                self.log.info("cellwise_kernel_host: kept kernel %s expired; shutting it down", kernel_id)
                await ensure_async(self.km.shutdown_kernel(kernel_id))
        except Exception as error:  # already gone
            self.log.warning("cellwise_kernel_host: shutting down kept kernel %s: %s", kernel_id, error)
        finally:
            self._expiring.discard(kernel_id)
