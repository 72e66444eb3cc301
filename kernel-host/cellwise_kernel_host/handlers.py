"""REST routes of the kernel host beyond Jupyter's own (token-authenticated like them)."""

import json

from jupyter_server.base.handlers import APIHandler
from tornado import web
from tornado.ioloop import IOLoop

from .environments import describe
from .host import host_handlers
from .kernel_handlers import kernel_handlers
from .launcher_client import launcher
from .file_handlers import file_handlers

# An executed notebook larger than this is not rendered (the service stores it anyway).
MAX_RENDER_BYTES = 64 * 1024 * 1024


class KernelAliveHandler(APIHandler):
    """Whether a kernel's process is alive: the watchdog the run engine polls."""

    @web.authenticated
    async def get(self, kernel_id):
        km = self.kernel_manager
        if kernel_id not in km:
            raise web.HTTPError(404, f"Kernel does not exist: {kernel_id}")
        kernel = km.get_kernel(kernel_id)
        alive = await _maybe_await(kernel.is_alive())
        provisioner = getattr(kernel, "provisioner", None)
        pid = getattr(provisioner, "pid", None) if provisioner is not None else None
        self.finish(json.dumps({"id": kernel_id, "alive": bool(alive), "pid": pid}))


class RenderHtmlHandler(APIHandler):
    """Renders the posted notebook (nbformat v4 JSON) to a standalone HTML page with nbconvert."""

    @web.authenticated
    async def post(self):
        body = self.request.body
        if len(body) > MAX_RENDER_BYTES:
            raise web.HTTPError(413, f"Notebook larger than {MAX_RENDER_BYTES} bytes")
        try:
            html = await IOLoop.current().run_in_executor(None, _render_html, body)
        except ValueError as error:
            raise web.HTTPError(400, f"Not a renderable notebook: {error}") from error
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(html)


class SandboxHandler(APIHandler):
    """How this host boxes kernels: the sandbox modes in force and the default limits."""

    @web.authenticated
    async def get(self):
        status = await launcher().request("status")
        self.finish(json.dumps({"modes": status["modes"], "defaultLimits": status["defaultLimits"]}))


class EnvironmentsHandler(APIHandler):
    """Every installed kernelspec with its language version and packages (see ``environments``)."""

    @web.authenticated
    async def get(self):
        ksm = self.kernel_spec_manager
        names = sorted(ksm.find_kernel_specs())
        loop = IOLoop.current()
        kernels = [await loop.run_in_executor(None, describe, name, ksm.get_kernel_spec(name)) for name in names]
        self.finish(json.dumps({"kernels": kernels}))


def _render_html(body):
    import nbformat
    from nbconvert import HTMLExporter

    try:
        notebook = nbformat.reads(body.decode("utf-8"), as_version=4)
    except Exception as error:  # nbformat raises many types for bad input
        raise ValueError(str(error)) from error
    exporter = HTMLExporter()
    html, _resources = exporter.from_notebook_node(notebook)
    return html


async def _maybe_await(value):
    if hasattr(value, "__await__"):
        return await value
    return value


def handlers(base_url):
    prefix = base_url.rstrip("/") + "/cellwise/v1"
    return [
        (prefix + r"/kernels/(?P<kernel_id>[\w-]+)/alive", KernelAliveHandler),
        (prefix + r"/render/html", RenderHtmlHandler),
        (prefix + r"/environments", EnvironmentsHandler),
        (prefix + r"/sandbox", SandboxHandler),
        *host_handlers(prefix),
        *kernel_handlers(prefix),
        *file_handlers(prefix),
    ]
