"""``POST /cellwise/v1/kernels/{id}/fetch``: the kernel host downloads a file into a kernel's
working directory, so the kernel itself needs no network and no link: the service stages a
run's dataset version with a presigned URL that only the kernel host ever sees.

Body: ``{"path": "<relative path>", "url": "http(s)://...", "maxBytes": N}``. The file is
written next to its target and renamed into place (a reader never sees half a file), owned by
the kernel's user when kernels are sandboxed. 201 with the size; 400 for a bad body; 404 for
an unknown kernel; 502 when the download fails; 413 above ``maxBytes``.
"""

import json
import os
import posixpath
import urllib.error
import urllib.request

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.ioloop import IOLoop

from .kernel_handlers import POOL
from .sandbox import chown_into_workdir, make_dirs_in_workdir

CHUNK = 1 << 20
TIMEOUT_SECONDS = 120


class TooLargeError(Exception):
    pass


def relative_path(value):
    """A '/'-separated path inside the working directory (no '..', not absolute), or None."""
    if not isinstance(value, str) or not value or value.startswith("/") or "\\" in value or "\0" in value:
        return None
    normal = posixpath.normpath(value)
    if normal.startswith("..") or normal == ".":
        return None
    return normal


def download(url, target, max_bytes, dirs):
    """Streams `url` to `target` (via a temporary name); returns the byte count."""
    make_dirs_in_workdir(dirs, os.path.dirname(target))
    partial = f"{target}.part"
    size = 0
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response, open(partial, "wb") as out:
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLargeError(f"larger than {max_bytes} bytes")
                out.write(chunk)
        os.chmod(partial, 0o600)
        chown_into_workdir(dirs, partial)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return size


class FetchHandler(APIHandler):
    @web.authenticated
    async def post(self, kernel_id):
        body = self.get_json_body()
        if not isinstance(body, dict):
            raise web.HTTPError(400, "Body must be a JSON object")
        path, url, max_bytes = relative_path(body.get("path")), body.get("url"), body.get("maxBytes")
        if path is None:
            raise web.HTTPError(400, "path must be a relative path inside the working directory")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise web.HTTPError(400, "url must be an http(s) URL")
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
            raise web.HTTPError(400, "maxBytes must be a non-negative integer")
        if kernel_id not in self.kernel_manager:
            raise web.HTTPError(404, f"Kernel does not exist: {kernel_id}")
        dirs = self.settings[POOL].dirs
        workdir = dirs.kernel_cwd(self.kernel_manager.get_kernel(kernel_id))
        if workdir is None:
            raise web.HTTPError(404, f"Kernel {kernel_id} has no working directory")
        target = os.path.join(workdir, path)
        try:
            size = await IOLoop.current().run_in_executor(None, download, url, target, max_bytes, dirs)
        except TooLargeError as error:
            raise web.HTTPError(413, str(error)) from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise web.HTTPError(502, f"Download failed: {error}") from error
        self.set_status(201)
        self.finish(json.dumps({"path": path, "size": size}))


def staging_handlers(prefix):
    return [(prefix + r"/kernels/(?P<kernel_id>[\w-]+)/fetch", FetchHandler)]
