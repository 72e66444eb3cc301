"""Cellwise's python3 kernel: Debian's ipykernel whose IOPub socket never drops a message.

ipykernel binds its IOPub PUB socket with ZeroMQ's default send high-water mark (1000
messages). A PUB socket does not wait at the mark: it drops. When the kernel host reads more
slowly than a cell publishes (20,000 ``display()`` calls on a busy machine), whole runs of
outputs vanished without a trace, in blocks of 500 (ZeroMQ frees a pipe half a mark at a
time), and a dropped ``status: idle`` left the cell running forever. Measured on the local
stack: the kernel host's subscriber received 13,028 and 17,694 of 20,000 display messages,
exactly what the runs stored.

This kernel sets the IOPub send high-water mark to 0 (no limit) before the socket binds, so
a slow reader makes the queue grow in the kernel's own memory (bounded by the kernel's
memory limit) instead of losing messages; the kernel host's subscriber keeps its bounded
receive queue, which pushes back. Everything else is ipykernel's ``IPKernelApp``.

Started by the kernelspec beside it (``kernel.json``), found before Debian's through
JUPYTER_PATH: ``python3 kernel.py -f {connection_file}``.
"""

import os
import sys

# Run as a script, Python put this directory first on sys.path; the kernel must not import
# from it (ipykernel puts the working directory back, as ipykernel_launcher does).
if __name__ == "__main__" and sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import zmq  # noqa: E402
from ipykernel.kernelapp import IPKernelApp  # noqa: E402

#: The IOPub socket's send high-water mark: 0 = unlimited (ZeroMQ's default, 1000, drops).
IOPUB_SNDHWM = 0


class CellwiseKernelApp(IPKernelApp):
    """IPKernelApp whose IOPub PUB socket queues instead of dropping (see the module's doc)."""

    def init_iopub(self, context):
        bind = self._bind_socket

        def bind_unbounded(socket, port):
            socket.setsockopt(zmq.SNDHWM, IOPUB_SNDHWM)
            if socket.getsockopt(zmq.SNDHWM) != IOPUB_SNDHWM:
                raise RuntimeError("the IOPub socket refused an unlimited send high-water mark")
            return bind(socket, port)

        # ipykernel creates the PUB socket and binds it in one method: the option goes in
        # between, where it applies to every subscriber's pipe.
        self._bind_socket = bind_unbounded
        try:
            super().init_iopub(context)
        finally:
            del self._bind_socket


if __name__ == "__main__":
    CellwiseKernelApp.launch_instance()
