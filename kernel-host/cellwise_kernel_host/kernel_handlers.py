"""The pool and kept-kernel routes (token-authenticated like Jupyter's own)."""

import json
import re

from cellwise_launcher.limits import parse as parse_limits
from jupyter_client.jsonutil import json_default
from jupyter_server.base.handlers import APIHandler
from tornado import web

from .kept import MAX_KEEP_SECONDS
from .launcher_client import LauncherError
from .pool import HostFullError

POOL = "cellwise_pool"
KEPT = "cellwise_kept"
RUN_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def _body(handler):
    body = handler.get_json_body()  # 400 on malformed JSON
    if not isinstance(body, dict):
        raise web.HTTPError(400, "Body must be a JSON object")
    return body


class LeaseHandler(APIHandler):
    """A started kernel for a run, in a box of its own with the run's limits: pooled if one is
    ready. Body: ``{"kernel_name", "run_id", "limits": {"memoryMiB", "processes", "diskMiB"}}``
    (limits optional: the kernel host's defaults)."""

    @web.authenticated
    async def post(self):
        body = _body(self)
        name, run_id, limits = body.get("kernel_name"), body.get("run_id"), body.get("limits")
        if not isinstance(run_id, str) or not RUN_ID.match(run_id):
            raise web.HTTPError(400, "run_id must be a UUID")
        if not isinstance(name, str) or name not in self.kernel_spec_manager.find_kernel_specs():
            raise web.HTTPError(400, f"Unknown kernel_name: {name!r}")
        try:
            parse_limits(limits)
        except LauncherError as error:
            raise web.HTTPError(400, str(error)) from error
        try:
            model = await self.settings[POOL].lease(name, run_id, limits)
        except HostFullError as error:
            raise web.HTTPError(503, f"No room: {error}") from error
        except LauncherError as error:
            raise web.HTTPError(503, f"No kernel could be started: {error}") from error
        self.set_status(201)
        self.finish(json.dumps(model))


class PoolHandler(APIHandler):
    @web.authenticated
    def get(self):
        self.finish(json.dumps({"kernels": self.settings[POOL].stats()}))


class KeepHandler(APIHandler):
    """Shuts the kernel down (and removes its directory) after `seconds` unless reclaimed."""

    @web.authenticated
    def post(self, kernel_id):
        seconds = _body(self).get("seconds")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 1 <= seconds <= MAX_KEEP_SECONDS:
            raise web.HTTPError(400, f"seconds must be an integer from 1 to {MAX_KEEP_SECONDS}")
        if kernel_id not in self.kernel_manager or self.settings[POOL].is_pooled(kernel_id):
            raise web.HTTPError(404, f"Kernel does not exist: {kernel_id}")
        self.settings[KEPT].keep(kernel_id, seconds)
        self.finish(json.dumps({"id": kernel_id, "seconds": seconds}))


class ReclaimHandler(APIHandler):
    """Cancels a kept kernel's expiry; 404 when it is gone or was never kept."""

    @web.authenticated
    async def post(self, kernel_id):
        model = await self.settings[KEPT].reclaim(kernel_id)
        if model is None:
            raise web.HTTPError(404, f"No kept kernel: {kernel_id}")
        self.finish(json.dumps(model, default=json_default))


class ReleaseHandler(APIHandler):
    """Ends a run's kernel: shut down and its directory removed in the background (202 at once)."""

    @web.authenticated
    def post(self, kernel_id):
        if kernel_id not in self.kernel_manager or self.settings[POOL].is_pooled(kernel_id):
            raise web.HTTPError(404, f"Kernel does not exist: {kernel_id}")
        self.settings[KEPT].release(kernel_id)
        self.set_status(202)
        self.finish(json.dumps({"id": kernel_id}))


def kernel_handlers(prefix):
    return [
        (prefix + r"/kernels/lease", LeaseHandler),
        (prefix + r"/pool", PoolHandler),
        (prefix + r"/kernels/(?P<kernel_id>[\w-]+)/keep", KeepHandler),
        (prefix + r"/kernels/(?P<kernel_id>[\w-]+)/reclaim", ReclaimHandler),
        (prefix + r"/kernels/(?P<kernel_id>[\w-]+)/release", ReleaseHandler),
    ]
