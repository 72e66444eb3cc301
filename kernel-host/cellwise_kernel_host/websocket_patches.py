"""Patches to jupyter_server 1.23's kernel websocket handler (ZMQChannelsHandler).

1. TCP_NODELAY. Nagle's algorithm is left on, so each small message waits for the peer's
   delayed ACK: ~40 ms per message, measured. Tornado's ``set_nodelay`` turns it off.

2. A lossless detach. When a websocket closes, Jupyter Server buffers the kernel's messages
   for a reconnect with the same session id, but only from ``on_close`` on: messages that
   arrive between the client's close frame and ``on_close`` are written to a closing socket
   and lost. A run's task detaches mid-cell on purpose (no task waits past its time limit),
   so it first sends ``{"channel": "cellwise", "header": {"msg_type": "detach_request"}}``:
   the handler hands its ZMQ streams to the buffer at once (same event loop turn, so no
   message falls between), then writes a ``detach_reply`` marker. Everything before the
   marker reached the client; everything after is in the buffer for the next connection.
"""

import json
import os
from asyncio import Future
from datetime import datetime, timezone
from uuid import uuid4

from jupyter_server.services.kernels.handlers import ZMQChannelsHandler

_PATCHED = "_cellwise_patched"


def _marker(request):
    header = request.get("header") or {}
    return json.dumps(
        {
            "channel": "cellwise",
            "header": {
                "msg_id": uuid4().hex,
                "msg_type": "detach_reply",
                "session": header.get("session", ""),
                "username": "cellwise",
                "date": datetime.now(timezone.utc).isoformat(),
                "version": "5.3",
            },
            "parent_header": header,
            "metadata": {},
            "content": {"status": "ok"},
        }
    )


def apply():
    if getattr(ZMQChannelsHandler, _PATCHED, False):
        return
    original_open = ZMQChannelsHandler.open
    original_on_message = ZMQChannelsHandler.on_message
    original_on_close = ZMQChannelsHandler.on_close
    original_nudge = ZMQChannelsHandler.nudge

    nodelay = os.environ.get("KERNEL_HOST_NODELAY", "1") != "0"  # "0": the benchmark's comparison

    def open(self, *args, **kwargs):
        self.set_nodelay(nodelay)
        return original_open(self, *args, **kwargs)

    def on_message(self, ws_msg):
        if isinstance(ws_msg, str) and '"cellwise"' in ws_msg:
            try:
                request = json.loads(ws_msg)
            except ValueError:
                request = None
            if isinstance(request, dict) and request.get("channel") == "cellwise":
                header = request.get("header") or {}
                if header.get("msg_type") == "detach_request" and self.channels:
                    for stream in self.channels.values():
                        stream._cellwise_detached = True
                    self.kernel_manager.start_buffering(self.kernel_id, self.session_key, self.channels)
                    self.channels = {}
                    self._cellwise_detached = True
                    self.write_message(_marker(request))
                return
        return original_on_message(self, ws_msg)

    def on_close(self):
        if not getattr(self, "_cellwise_detached", False):
            return original_on_close(self)
        # The buffer already holds the streams: the stock on_close would restart buffering
        # and discard what is buffered, so it runs with start_buffering disabled.
        km = self.kernel_manager
        km.start_buffering = lambda *args, **kwargs: None
        try:
            return original_on_close(self)
        finally:
            del km.start_buffering

    def nudge(self):
        streams = list(self.channels.values())
        if streams and all(getattr(stream, "_cellwise_detached", False) for stream in streams):
            for stream in streams:
                stream._cellwise_detached = False
            done = Future()
            done.set_result(None)
            return done
        return original_nudge(self)

    ZMQChannelsHandler.open = open
    ZMQChannelsHandler.nudge = nudge
    ZMQChannelsHandler.on_message = on_message
    ZMQChannelsHandler.on_close = on_close
    setattr(ZMQChannelsHandler, _PATCHED, True)
