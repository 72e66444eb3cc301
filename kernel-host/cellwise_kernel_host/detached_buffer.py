"""A bound on what jupyter_server buffers for a detached session, without dropping anything.

While no websocket is attached to a run's session (a RunCells task detached mid-cell and the
next one has not reconnected yet, or a connection broke), jupyter_server 1.23 appends every
message of the kernel to a plain list (``MappingKernelManager.start_buffering``: "the buffer
should likely be a memory bounded queue"), so a kernel printing in a loop grows the server's
memory without bound.

Here the buffer stops growing at KERNEL_HOST_BUFFER_MAX_MESSAGES messages or
KERNEL_HOST_BUFFER_MAX_BYTES bytes: the server then stops reading the session's kernel
sockets. Nothing is dropped: the messages wait in ZeroMQ's bounded receive queue and then in
the kernel, whose IOPub socket queues without limit (Cellwise's python3 kernelspec,
``share/jupyter/kernels/python3/kernel.py``). When the session reconnects, jupyter_server
replays the buffer and resumes reading, so the order is kept. (A kernel whose IOPub socket
drops at its high-water mark, as ZeroMQ's default of 1000 messages does, can lose messages
while it is paused, as it can whenever the server reads more slowly than it writes.)
"""

import os
from functools import partial

from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

#: Messages buffered for one detached session before the server stops reading its kernel.
DEFAULT_MAX_MESSAGES = 10_000
#: Bytes (ZeroMQ frames) buffered for one detached session before the server stops reading.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_PATCHED = "_cellwise_bounded_buffering"


def _positive(environ, name, default):
    text = environ.get(name, "")
    if text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {text!r}")
    return value


def limits(environ=os.environ):
    """(messages, bytes) from KERNEL_HOST_BUFFER_MAX_MESSAGES / _BYTES (a bad value stops the server)."""
    return (
        _positive(environ, "KERNEL_HOST_BUFFER_MAX_MESSAGES", DEFAULT_MAX_MESSAGES),
        _positive(environ, "KERNEL_HOST_BUFFER_MAX_BYTES", DEFAULT_MAX_BYTES),
    )


def bound(buffer_info, max_messages, max_bytes, log):
    """Replaces the buffering callbacks of ``buffer_info``'s streams with ones that pause at the bound."""
    buffer = buffer_info["buffer"]
    channels = buffer_info["channels"]
    state = {"bytes": sum(len(part) for _, parts in buffer for part in parts), "paused": False}

    def buffer_msg(channel, msg_parts):
        buffer.append((channel, msg_parts))
        state["bytes"] += sum(len(part) for part in msg_parts)
        if not state["paused"] and (len(buffer) >= max_messages or state["bytes"] >= max_bytes):
            state["paused"] = True
            # Reading resumes when the session reconnects (its handler subscribes the streams).
            for stream in channels.values():
                stream.stop_on_recv()
            log.info(
                "cellwise_kernel_host: detached session %s holds %d messages (%d bytes); "
                "the kernel keeps the rest until it reconnects",
                buffer_info.get("session_key"),
                len(buffer),
                state["bytes"],
            )

    for channel, stream in channels.items():
        stream.on_recv(partial(buffer_msg, channel))
    return state


def apply(max_messages, max_bytes):
    """Bounds every session buffer jupyter_server starts from now on."""
    if getattr(MappingKernelManager, _PATCHED, False):
        return
    original = MappingKernelManager.start_buffering

    def start_buffering(self, kernel_id, session_key, channels):
        original(self, kernel_id, session_key, channels)
        info = self._kernel_buffers.get(kernel_id)
        if info is not None and info.get("channels") is channels:
            bound(info, max_messages, max_bytes, self.log)

    MappingKernelManager.start_buffering = start_buffering
    setattr(MappingKernelManager, _PATCHED, True)
