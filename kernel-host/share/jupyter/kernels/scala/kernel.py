"""Cellwise's scala kernel: Debian's Scala 2.11 REPL behind ipykernel's wrapper-kernel base.

ipykernel's ``Kernel`` (the base Jupyter documents for wrapper kernels, which bash_kernel
uses) rather than metakernel's ``ProcessMetaKernel``: metakernel reads a cell's first
characters as its own magics (``%``, ``!`` runs a shell, a trailing ``?`` asks for help),
which would take Scala code for commands, and its REPL wrapper sends a cell line by line, so
``if (a) 1`` and ``else 2`` on the next line would run as two statements. Here a cell goes to
the REPL whole (``:paste <file>``, compiled as one unit), and what comes back is sorted by
``scala_output``: the program's stdout and stderr as streams, the value of a last expression
as ``execute_result``, compile errors (``CompileError``) and escaped exceptions as ``error``.

Interrupt: the launcher's SIGINT raises KeyboardInterrupt here while a cell runs; the kernel
forwards it to the JVM, whose prelude interrupts (then stops) the cell; the REPL survives.
A JVM that ends (``sys.exit``, ``Runtime.getRuntime.halt``, a memory limit) ends the kernel
with its status, so the server sees a dead kernel as it would a Python one.

Started by the kernelspec beside it: ``python3 kernel.py -f {connection_file}``.
"""

import atexit
import importlib.util
import os
import sys
import time

from ipykernel.kernelbase import Kernel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from scala_output import classify, completeness  # noqa: E402
from scala_repl import ReplDiedError, ScalaRepl  # noqa: E402

INTERRUPT_REPEAT_SECONDS = 2
INTERRUPT_GIVE_UP_SECONDS = 30


def _python3_kernel_app():
    """The python3 kernelspec's app (its IOPub never drops a message), from beside this one."""
    spec = importlib.util.spec_from_file_location("cellwise_python3_kernel", os.path.join(HERE, "..", "python3", "kernel.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CellwiseKernelApp


class ScalaKernel(Kernel):
    implementation = "cellwise-scala"
    implementation_version = "1.0"
    language = "scala"
    language_info = {
        "name": "scala",
        "mimetype": "text/x-scala",
        "file_extension": ".scala",
        "codemirror_mode": "text/x-scala",
        "pygments_lexer": "scala",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        started = time.monotonic()
        self.repl = ScalaRepl(self._stdout, self._stderr)
        self.log.info("cellwise scala kernel: REPL ready in %.1f s", time.monotonic() - started)
        self.language_info = dict(self.language_info, version=self.repl.version)
        self.language_version = self.repl.version
        self.banner = f"Scala {self.repl.version} ({self.repl.runtime}), Cellwise"
        atexit.register(self.repl.close)

    def _stdout(self, text):
        self._stream("stdout", text)

    def _stderr(self, text):
        self._stream("stderr", text)

    def _stream(self, name, text):
        if not self._silent:
            self.send_response(self.iopub_socket, "stream", {"name": name, "text": text})

    _silent = False

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False):
        ok = {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}
        if not code.strip():
            return ok
        self._silent = silent
        try:
            said, interrupted = self._run(code), False
        except KeyboardInterrupt:
            said, interrupted = self._interrupt(), True
        except ReplDiedError as died:
            self.log.warning("cellwise scala kernel: %s; the kernel ends", died)
            sys.stdout.flush()
            os._exit(died.returncode or 1)
        finally:
            self._silent = False
        outcome = classify(said, self.repl.cell_file)
        if "error" in outcome:
            error = outcome["error"]
            if interrupted:
                error = {"ename": "KeyboardInterrupt", "evalue": error["ename"], "traceback": error["traceback"]}
            if not silent:
                self.send_response(self.iopub_socket, "error", error)
            return {"status": "error", "execution_count": self.execution_count, **error}
        if not silent:
            if outcome["stdout"]:
                self._stdout(outcome["stdout"])
            if outcome["stderr"]:
                self._stderr(outcome["stderr"])
            if outcome["result"] is not None:
                result = outcome["result"]
                self.send_response(self.iopub_socket, "execute_result", {
                    "execution_count": self.execution_count,
                    "data": {"text/plain": result["value"]},
                    "metadata": {"scala": {"type": result["type"]}},
                })
        return ok

    def _run(self, code):
        return self.repl.paste(code)

    def _interrupt(self):
        """Interrupts the cell until the REPL is back at its prompt (SIGINT again every
        INTERRUPT_REPEAT_SECONDS: one that came while the cell was compiling did nothing)."""
        started = time.monotonic()
        while True:
            self.repl.interrupt()
            try:
                return self.repl.wait(timeout=INTERRUPT_REPEAT_SECONDS)
            except KeyboardInterrupt:
                continue
            except ReplDiedError as died:
                os._exit(died.returncode or 1)
            except Exception:  # noqa: BLE001 - no prompt yet: interrupt again, up to a limit
                if time.monotonic() - started > INTERRUPT_GIVE_UP_SECONDS:
                    self.log.error("cellwise scala kernel: the cell ignored interrupts; the kernel ends")
                    self.repl.close(grace_seconds=1)
                    os._exit(1)

    def do_is_complete(self, code):
        status = completeness(code)
        return {"status": status, "indent": "  "} if status == "incomplete" else {"status": status}

    def do_shutdown(self, restart):
        self.repl.close()
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    if sys.path and os.path.abspath(sys.path[0]) == HERE and sys.path.count(HERE) > 1:
        sys.path.remove(HERE)
    _python3_kernel_app().launch_instance(kernel_class=ScalaKernel)
