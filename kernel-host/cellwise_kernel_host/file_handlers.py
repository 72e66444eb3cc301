"""A leased kernel's files and usage, for the service (token-authenticated like Jupyter's routes).

Every file is opened by the launcher as the kernel's own user, one path component at a time
without following links (cellwise_launcher/files.py); the server only ever reads or writes
the descriptor it is handed. Paths are relative to the kernel's working directory.

- ``GET    /cellwise/v1/kernels/{id}/files?path=DIR``: the entries of a directory, each with
  its kind and size, and ``refused`` (the reason) for what is not a regular file with one
  link (symbolic links, hard links, FIFOs, sockets, devices).
- ``GET    /cellwise/v1/kernels/{id}/files/content?path=P&maxBytes=N``: a file's bytes.
- ``PUT    /cellwise/v1/kernels/{id}/files/content?path=P``: writes the body (next to its
  target, then renamed into place; whatever stood in the way of its directories, a link
  included, is replaced and named in ``replaced``). 201.
- ``DELETE /cellwise/v1/kernels/{id}/files/content?path=P``: 204 (a missing file too).
- ``POST   /cellwise/v1/kernels/{id}/fetch`` ``{"path", "url", "maxBytes"}``: the host
  downloads the URL into the file (the kernel gets the file, never the link). 201.
- ``GET    /cellwise/v1/kernels/{id}/usage``: memory, CPU and disk the kernel used since it
  was leased, measured from outside it, with its limits and whether it was killed for memory.

Errors: 400 bad request, 404 unknown kernel or missing file, 413 above maxBytes, 422 a file
refused (the reason in the message), 502 a failed download.
"""

import json
import os
import urllib.error
import urllib.request

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.ioloop import IOLoop

from .kernel_handlers import POOL
from .launcher_client import FAILED, INVALID, MISSING, REFUSED, LauncherError, launcher
from .sandbox import box_of

CHUNK = 1 << 20
DOWNLOAD_TIMEOUT_SECONDS = 120
_STATUS = {INVALID: 400, MISSING: 404, REFUSED: 422, "too_large": 413, FAILED: 500}


class KernelFilesHandler(APIHandler):
    def box(self, kernel_id):
        box = box_of(self.kernel_manager, kernel_id)
        if box is None or self.settings[POOL].is_pooled(kernel_id):
            raise web.HTTPError(404, f"Kernel does not exist: {kernel_id}")
        return box

    def path(self):
        path = self.get_query_argument("path", "")
        if not path:
            raise web.HTTPError(400, "path is required")
        return path

    async def request_launcher(self, op, with_fd=False, **args):
        try:
            if with_fd:
                return await launcher().request_fd(op, **args)
            return await launcher().request(op, **args)
        except LauncherError as error:
            raise web.HTTPError(_STATUS.get(error.code, 500), str(error)) from error

    async def write_file(self, box, path, fill):
        """Creates the file through the launcher, lets `fill(file)` write it, renames it into place."""
        created, fd = await self.request_launcher("files.create", with_fd=True, box=box, path=path)
        try:
            with os.fdopen(fd, "wb") as out:
                size = await IOLoop.current().run_in_executor(None, fill, out)
        except BaseException:
            await self.request_launcher("files.delete", box=box, path=created["temp"])
            raise
        await self.request_launcher("files.commit", box=box, temp=created["temp"], path=path)
        self.set_status(201)
        self.finish(json.dumps({"path": path, "size": size, "replaced": created.get("replaced", [])}))


class ListHandler(KernelFilesHandler):
    @web.authenticated
    async def get(self, kernel_id):
        box = self.box(kernel_id)
        listing = await self.request_launcher("files.list", box=box, path=self.get_query_argument("path", ""))
        self.finish(json.dumps(listing))


class ContentHandler(KernelFilesHandler):
    @web.authenticated
    async def get(self, kernel_id):
        box, path = self.box(kernel_id), self.path()
        try:
            max_bytes = int(self.get_query_argument("maxBytes"))
        except (web.MissingArgumentError, ValueError) as error:
            raise web.HTTPError(400, "maxBytes must be an integer") from error
        opened, fd = await self.request_launcher("files.open", with_fd=True, box=box, path=path, maxBytes=max_bytes)
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("X-Cellwise-File-Bytes", str(opened["bytes"]))
        loop, left = IOLoop.current(), max_bytes
        with os.fdopen(fd, "rb") as source:  # it may grow meanwhile: never more than asked for
            while left > 0:
                chunk = await loop.run_in_executor(None, source.read, min(CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                self.write(chunk)
                await self.flush()
        self.finish()

    @web.authenticated
    async def put(self, kernel_id):
        body = self.request.body

        def fill(out):
            out.write(body)
            return len(body)

        await self.write_file(self.box(kernel_id), self.path(), fill)

    @web.authenticated
    async def delete(self, kernel_id):
        await self.request_launcher("files.delete", box=self.box(kernel_id), path=self.path())
        self.set_status(204)
        self.finish()


class TooLargeError(Exception):
    pass


class FetchHandler(KernelFilesHandler):
    @web.authenticated
    async def post(self, kernel_id):
        body = self.get_json_body()
        if not isinstance(body, dict):
            raise web.HTTPError(400, "Body must be a JSON object")
        path, url, max_bytes = body.get("path"), body.get("url"), body.get("maxBytes")
        if not isinstance(path, str) or not path:
            raise web.HTTPError(400, "path must be a relative path inside the working directory")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise web.HTTPError(400, "url must be an http(s) URL")
        if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
            raise web.HTTPError(400, "maxBytes must be a non-negative integer")

        def fill(out):
            size = 0
            with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                while chunk := response.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLargeError(f"larger than {max_bytes} bytes")
                    out.write(chunk)
            return size

        box = self.box(kernel_id)
        try:
            await self.write_file(box, path, fill)
        except TooLargeError as error:
            raise web.HTTPError(413, str(error)) from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise web.HTTPError(502, f"Download failed: {error}") from error


class UsageHandler(KernelFilesHandler):
    @web.authenticated
    async def get(self, kernel_id):
        self.finish(json.dumps(await self.request_launcher("usage", box=self.box(kernel_id))))


def file_handlers(prefix):
    kernel = prefix + r"/kernels/(?P<kernel_id>[\w-]+)"
    return [
        (kernel + r"/files", ListHandler),
        (kernel + r"/files/content", ContentHandler),
        (kernel + r"/fetch", FetchHandler),
        (kernel + r"/usage", UsageHandler),
    ]
