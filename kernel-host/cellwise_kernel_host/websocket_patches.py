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
from collections import OrderedDict
from datetime import datetime, timezone
from uuid import uuid4

from jupyter_server.base.zmqhandlers import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1
from jupyter_server.services.kernels.handlers import ZMQChannelsHandler
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from jupyter_server._tz import utcnow

_PATCHED = "_cellwise_patched"
V1 = "v1.kernel.websocket.jupyter.org"
#: The metadata key naming the request a chained cell waits for.
GUARD = "cellwise_after"
_GUARD_BYTES = b'"cellwise_after"'
#: Outcomes of execute requests remembered per connection (a chained cell names a recent one).
_OUTCOMES = 64


def _cellwise_message(msg_type, content, parent_header=None, session=""):
    return json.dumps(
        {
            "channel": "cellwise",
            "header": {
                "msg_id": uuid4().hex,
                "msg_type": msg_type,
                "session": session,
                "username": "cellwise",
                "date": datetime.now(timezone.utc).isoformat(),
                "version": "5.3",
            },
            "parent_header": parent_header or {},
            "metadata": {},
            "content": content,
        }
    )


def _marker(request, dropped):
    header = request.get("header") or {}
    return _cellwise_message(
        "detach_reply", {"status": "ok", "dropped": dropped}, header, header.get("session", "")
    )


def _chain_state(handler):
    state = getattr(handler, "_cellwise_chain", None)
    if state is None:
        state = handler._cellwise_chain = {"held": {}, "outcomes": OrderedDict()}
    return state


def _abort(handler, msg_list):
    """Answers a held cell whose predecessor did not succeed: an aborted reply, nothing sent to the kernel."""
    header = json.loads(msg_list[0])
    reply = handler.session.msg("execute_reply", content={"status": "aborted"}, parent=header)
    handler.write_message(serialize_msg_to_ws_v1(reply, "shell", handler.session.pack), binary=True)


def _chained(handler, ws_msg):
    """A chained execute request: held, sent or aborted here (True), or not one (False)."""
    channel, msg_list = deserialize_msg_from_ws_v1(ws_msg)
    if channel != "shell" or len(msg_list) < 4 or "shell" not in handler.channels:
        return False
    after = (json.loads(msg_list[2]) or {}).get(GUARD)
    if not isinstance(after, str):
        return False
    state = _chain_state(handler)
    outcome = state["outcomes"].get(after)
    if outcome is None:
        state["held"][after] = msg_list
    elif outcome == "ok":
        handler.session.send_raw(handler.channels["shell"], msg_list)
    else:
        _abort(handler, msg_list)
    return True


def _reply_seen(handler, msg_list):
    """Records an execute_reply's status and releases (or aborts) the cell chained to it."""
    state = getattr(handler, "_cellwise_chain", None)
    if state is None:
        return
    _, parts = handler.session.feed_identities(msg_list)
    if len(parts) < 5 or json.loads(parts[1]).get("msg_type") != "execute_reply":
        return
    parent = json.loads(parts[2]).get("msg_id")
    status = json.loads(parts[4]).get("status")
    outcomes = state["outcomes"]
    outcomes[parent] = status
    while len(outcomes) > _OUTCOMES:
        outcomes.popitem(last=False)
    held = state["held"].pop(parent, None)
    if held is None:
        return
    if status == "ok" and "shell" in handler.channels:
        handler.session.send_raw(handler.channels["shell"], held)
    else:
        _abort(handler, held)


def _lean_activity(manager, kernel_id):
    """Replaces the activity stream's callback of a kernel by one that parses headers only."""
    kernel = manager._kernels[kernel_id]
    stream = getattr(kernel, "_activity_stream", None)
    if stream is None:
        return
    session = kernel.session

    def record_activity(msg_list):
        manager.last_kernel_activity = kernel.last_activity = utcnow()
        _, parts = session.feed_identities(msg_list)
        if len(parts) < 5:
            return
        try:
            if json.loads(parts[1]).get("msg_type") == "status":
                kernel.execution_state = json.loads(parts[4]).get("execution_state", kernel.execution_state)
        except ValueError:
            manager.log.warning("activity on %s: a message that is not JSON", kernel_id)

    stream.on_recv(record_activity)


def apply():
    if getattr(ZMQChannelsHandler, _PATCHED, False):
        return
    original_watch = MappingKernelManager.start_watching_activity

    def start_watching_activity(self, kernel_id):
        original_watch(self, kernel_id)
        _lean_activity(self, kernel_id)

    MappingKernelManager.start_watching_activity = start_watching_activity
    original_open = ZMQChannelsHandler.open
    original_on_message = ZMQChannelsHandler.on_message
    original_on_close = ZMQChannelsHandler.on_close
    original_nudge = ZMQChannelsHandler.nudge
    original_on_zmq_reply = ZMQChannelsHandler._on_zmq_reply

    nodelay = os.environ.get("KERNEL_HOST_NODELAY", "1") != "0"  # "0": the benchmark's comparison

    def open(self, *args, **kwargs):
        self.set_nodelay(nodelay)
        result = original_open(self, *args, **kwargs)
        if self.subprotocol == V1:
            self.write_message(_cellwise_message("capabilities", {"chain": 1}))
        return result

    def _on_zmq_reply(self, stream, msg_list):
        if getattr(stream, "channel", None) == "shell":
            _reply_seen(self, msg_list)
        return original_on_zmq_reply(self, stream, msg_list)

    def on_message(self, ws_msg):
        if isinstance(ws_msg, bytes) and self.channels and self.subprotocol == V1 and _GUARD_BYTES in ws_msg:
            if _chained(self, ws_msg):
                return
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
                    # Held cells never reached the kernel: the next task sends them again.
                    held = _chain_state(self)["held"]
                    dropped = [json.loads(parts[0]).get("msg_id") for parts in held.values()]
                    held.clear()
                    self.write_message(_marker(request, dropped))
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
    ZMQChannelsHandler._on_zmq_reply = _on_zmq_reply
    ZMQChannelsHandler.nudge = nudge
    ZMQChannelsHandler.on_message = on_message
    ZMQChannelsHandler.on_close = on_close
    setattr(ZMQChannelsHandler, _PATCHED, True)
