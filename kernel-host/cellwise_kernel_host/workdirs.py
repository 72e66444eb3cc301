"""The kernels' working directories: ``runs/<run_id>`` for a run, ``runs/.pool-<hex>`` for a
pooled kernel, under the server's root_dir. Only such directories are ever removed here."""

import asyncio
import os
import re
import shutil
from uuid import uuid4

RUNS = "runs"
POOL_PREFIX = ".pool-"
RUN_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_POOL_NAME = re.compile(r"^\.pool-[0-9a-f]{32}$")


def is_run_id(value):
    return isinstance(value, str) and RUN_ID.match(value) is not None


class WorkDirs:
    def __init__(self, root_dir):
        self.root = os.path.realpath(root_dir)
        self.runs = os.path.join(self.root, RUNS)
        os.makedirs(self.runs, exist_ok=True)
        # Sandboxed kernels (their own users) pass through to their own directory, list nothing.
        os.chmod(self.runs, 0o711)

    def api_path(self, os_path):
        """The Jupyter API path ("/"-separated, relative to root_dir) of a directory."""
        return os.path.relpath(os_path, self.root).replace(os.sep, "/")

    def new_pool_dir(self):
        path = os.path.join(self.runs, POOL_PREFIX + uuid4().hex)
        os.makedirs(path)
        return path

    def run_dir(self, run_id):
        if not is_run_id(run_id):
            raise ValueError(f"not a run id: {run_id!r}")
        return os.path.join(self.runs, run_id)

    def is_work_dir(self, path):
        """True only for a direct child of ``runs`` named like a run or a pooled kernel."""
        if not path:
            return False
        real = os.path.realpath(path)
        name = os.path.basename(real)
        return os.path.dirname(real) == self.runs and (is_run_id(name) or _POOL_NAME.match(name) is not None)

    def kernel_cwd(self, kernel):
        """The working directory of a kernel's process (it follows renames), or None."""
        provisioner = getattr(kernel, "provisioner", None)
        pid = getattr(provisioner, "pid", None) if provisioner is not None else None
        if not pid:
            return None
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            return None
        return cwd if self.is_work_dir(cwd) else None

    def remove_now(self, path):
        if self.is_work_dir(path):
            shutil.rmtree(path, ignore_errors=True)

    async def remove(self, path):
        """Removes a work directory (off the event loop: it may hold many files)."""
        if self.is_work_dir(path):
            await asyncio.get_running_loop().run_in_executor(None, shutil.rmtree, path, True)

    def remove_pool_dirs(self):
        """Removes every pooled kernel's directory (at start: left over by a host that died)."""
        try:
            names = os.listdir(self.runs)
        except OSError:
            return
        for name in names:
            if _POOL_NAME.match(name):
                self.remove_now(os.path.join(self.runs, name))
