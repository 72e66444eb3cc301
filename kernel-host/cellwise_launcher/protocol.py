"""The launcher's wire protocol: one request per connection over its Unix socket.

The client sends one JSON object and a newline (``{"op": ..., ...}``); the launcher answers
one JSON line, ``{"ok": true, "result": {...}}`` or ``{"ok": false, "error": {"code": ...,
"message": ...}}``, and closes. An answer may carry one open file descriptor (SCM_RIGHTS):
the launcher opens a file in a kernel's box as that kernel's user and hands the descriptor
over, so the server reads or writes it without ever resolving a path a kernel controls.

Only the standard library: the launcher imports nothing else.
"""

import array
import json
import socket

MAX_MESSAGE_BYTES = 1 << 20
_FD_SPACE = socket.CMSG_SPACE(array.array("i").itemsize)

# Error codes: `refused` (the request is fine, what it names is not allowed: a symbolic link,
# a FIFO, a hard link), `too_large` (a file above the size asked for), `missing` (no such
# box, file or directory), `invalid` (a malformed request), `failed` (the system said no).
REFUSED, TOO_LARGE, MISSING, INVALID, FAILED = "refused", "too_large", "missing", "invalid", "failed"


class LauncherError(Exception):
    """The launcher answered with an error (`code` is one of the codes above)."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def send(sock, message, fd=None):
    """Writes one JSON line, with `fd` attached to its first bytes when given."""
    data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
    if fd is None:
        sock.sendall(data)
        return
    sent = sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
    if sent < len(data):
        sock.sendall(data[sent:])


def receive(sock, limit=MAX_MESSAGE_BYTES):
    """Reads one JSON line; returns (message, fd or None). Extra descriptors are closed."""
    chunks, size, fds = [], 0, []
    while True:
        data, ancillary, _flags, _addr = sock.recvmsg(65536, _FD_SPACE)
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                received = array.array("i")
                received.frombytes(payload[: len(payload) - len(payload) % received.itemsize])
                fds.extend(received)
        if not data:
            break
        chunks.append(data)
        size += len(data)
        if data.endswith(b"\n"):
            break
        if size > limit:
            for extra in fds:
                _close(extra)
            raise LauncherError(INVALID, f"message larger than {limit} bytes")
    for extra in fds[1:]:
        _close(extra)
    text = b"".join(chunks)
    if not text.endswith(b"\n"):
        for fd in fds[:1]:
            _close(fd)
        raise LauncherError(FAILED, "the launcher closed the connection without an answer")
    return json.loads(text), (fds[0] if fds else None)


def _close(fd):
    import os

    try:
        os.close(fd)
    except OSError:
        pass


def call(socket_path, op, /, *, timeout=60.0, **args):
    """One request to the launcher at `socket_path`: returns (result, fd or None); raises LauncherError."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(socket_path)
            send(sock, {"op": op, **args})
            answer, fd = receive(sock)
        except (OSError, ValueError) as error:
            raise LauncherError(FAILED, f"launcher unreachable: {error}") from error
    if not isinstance(answer, dict):
        raise LauncherError(FAILED, "malformed answer from the launcher")
    if answer.get("ok"):
        return answer.get("result") or {}, fd
    if fd is not None:
        _close(fd)
    error = answer.get("error") or {}
    raise LauncherError(error.get("code", FAILED), error.get("message", "unknown launcher error"))
