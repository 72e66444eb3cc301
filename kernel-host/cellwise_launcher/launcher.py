"""The launcher's state and requests: boxes, their kernels, their files and their usage.

One process, one thread, one loop (``serve``): requests come one per connection on a Unix
socket only the server's user (and root) may use; kernels and the server are its children
(it is their subreaper, so detached kernel processes come back to it to be reaped). File
requests run in a short-lived child that has become the box's user (``boxes.in_box``) and
answers the client itself, so the loop never waits on a kernel's files.
"""

import os
import random
import resource
import signal
import time

from . import boxes, files, limits, system, usage
from .protocol import FAILED, INVALID, MISSING, LauncherError, send

UID_BASE = 1_900_000_000
UID_SPAN = 200_000_000
FILE_REQUEST_SECONDS = 120


class Launcher:
    def __init__(self, modes, kernels_dir, state_dir, server_uid, server_gid, cgroups, default_limits):
        self.modes = frozenset(modes)
        self.kernels_dir = kernels_dir
        self.state_dir = state_dir
        self.server_uid = server_uid
        self.server_gid = server_gid
        self.cgroups = cgroups
        self.default_limits = default_limits
        self.boxes = {}
        self.by_uid = {}
        self.helpers = set()  # file-request children
        self.pid = os.getpid()
        self._serial = 0
        self._next_uid = UID_BASE + random.randrange(UID_SPAN // 2)
        self._ledger = os.path.join(state_dir, "uids")

    # --- boxes -------------------------------------------------------------------------

    def _allocate(self):
        if "uid" not in self.modes:
            self._serial += 1
            return f"b{self.pid}-{self._serial}", os.getuid(), os.getgid()
        uid = self._next_uid
        self._next_uid += 1
        with open(self._ledger, "a") as ledger:  # a restarted launcher ends what these left
            ledger.write(f"{uid}\n")
        return str(uid), uid, uid

    def box(self, request):
        found = self.boxes.get(request.get("box"))
        if found is None:
            raise LauncherError(MISSING, f"no box {request.get('box')!r}")
        return found

    def op_prepare(self, request):
        wanted = limits.parse(request.get("limits"), self.default_limits)
        name, uid, gid = self._allocate()
        box = boxes.make_box(name, os.path.join(self.kernels_dir, name), uid, gid, self.server_gid, wanted, self.modes)
        try:
            if self.cgroups is not None:
                box.group = self.cgroups.create(f"k{name}")
                box.group.set_limits(wanted["memoryMiB"] * limits.MIB, wanted["processes"])
        except OSError:
            boxes.teardown(box, self.modes)
            raise
        self.boxes[name] = box
        self.by_uid[uid] = box
        return box.describe()

    def op_spawn(self, request):
        box = self.box(request)
        argv, env = request.get("argv"), request.get("env") or {}
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise LauncherError(INVALID, "argv must be a non-empty list of strings")
        if box.pid is not None and box.exit_status is None:  # a restart: the old kernel goes first
            boxes.kill_all(box, self.modes)
        server_copy = request.get("connectionFile")
        if isinstance(request.get("connection"), dict) and isinstance(server_copy, str):
            own_copy = boxes.write_connection_file(box, request["connection"])
            argv = [own_copy if word == server_copy else word for word in argv]
        environment = boxes.kernel_environment(box, env, self.modes, self.pid)
        read_end, write_end = os.pipe2(os.O_CLOEXEC)
        pid = os.fork()
        if pid == 0:
            try:
                system.close_fds(keep=(write_end,))
                system.default_signals()
                boxes.enter(box, self.modes, self.pid)
                os.execvpe(argv[0], argv, environment)
            except BaseException as error:  # noqa: BLE001 - reported to the parent, then exit
                os.write(write_end, f"{type(error).__name__}: {error}".encode()[:2000])
            finally:
                os._exit(70)
        os.close(write_end)
        with os.fdopen(read_end, "rb") as pipe:
            failure = pipe.read().decode(errors="replace")
        if failure:
            os.waitpid(pid, 0)
            raise LauncherError(FAILED, f"the kernel could not start: {failure}")
        box.pid, box.exit_status, box.breach = pid, None, None
        try:
            box.start_time = system.process_start_time(pid)
        except OSError:
            box.start_time = None
        usage.reset(box, self.modes, time.monotonic())
        return {"pid": pid, "startTime": box.start_time}

    def op_signal(self, request):
        box = self.box(request)
        signum = request.get("signum")
        if not isinstance(signum, int) or signum not in {s.value for s in signal.Signals}:
            raise LauncherError(INVALID, "signum must be a signal number")
        if box.pid is None or box.exit_status is not None:
            raise LauncherError(MISSING, "the kernel is not running")
        try:
            os.killpg(box.pid, signum)
        except ProcessLookupError:
            os.kill(box.pid, signum)
        return {}

    def op_limits(self, request):
        box = self.box(request)
        wanted = limits.parse(request.get("limits"), box.limits)
        apply_limits(box, wanted, self.modes)
        box.limits = wanted
        usage.reset(box, self.modes, time.monotonic())
        return {"limits": wanted}

    def op_reset(self, request):
        """Usage starts again from now (a kept kernel taken over by a resume)."""
        box = self.box(request)
        usage.reset(box, self.modes, time.monotonic())
        return {}

    def op_usage(self, request):
        box = self.box(request)
        self._sample(box, walk=True)
        return usage.report(box)

    def op_end(self, request):
        box = self.box(request)
        self._sample(box, walk=True)
        report = usage.report(box)
        self.end(box)
        return report

    def op_status(self, _request):
        return {"modes": sorted(self.modes), "boxes": len(self.boxes), "defaultLimits": self.default_limits}

    def end(self, box):
        boxes.kill_all(box, self.modes)
        boxes.teardown(box, self.modes)
        self.boxes.pop(box.name, None)
        self.by_uid.pop(box.uid, None)

    def end_all(self):
        for box in list(self.boxes.values()):
            try:
                self.end(box)
            except OSError:
                pass

    # --- measuring -----------------------------------------------------------------------

    def _sample(self, box, walk=False, by_uid=None):
        try:
            breach = usage.sample(box, self.modes, time.monotonic(), walk, by_uid)
        except OSError:
            return
        if breach and box.breach is None and box.exit_status is None:
            box.breach = breach
            boxes.kill_all(box, self.modes)

    def sample_all(self):
        running = [box for box in self.boxes.values() if box.pid is not None]
        # Without cgroups, one scan of /proc serves every box.
        by_uid = boxes.processes_by_uid() if running and self.cgroups is None and "uid" in self.modes else None
        for box in running:
            self._sample(box, by_uid=by_uid)

    def reaped(self, pid, uid, status, rusage):
        """A child of the launcher ended: the kernel of a box, or a process it left behind."""
        if pid in self.helpers:
            self.helpers.discard(pid)
            return
        box = self.by_uid.get(uid) if "uid" in self.modes else None
        if box is None:
            box = next((b for b in self.boxes.values() if b.pid == pid), None)
        if box is None:
            return
        box.usage.reaped_cpu += rusage.ru_utime + rusage.ru_stime
        if pid == box.pid:
            box.exit_status = status

    # --- files ---------------------------------------------------------------------------

    def files_request(self, conn, op, request):
        """Runs a file request in a child that is the box's user; the child answers."""
        box = self.box(request)
        work = _FILE_OPS.get(op)
        if work is None:
            raise LauncherError(INVALID, f"unknown request {op!r}")
        pid = os.fork()
        if pid == 0:
            try:
                signal.alarm(FILE_REQUEST_SECONDS)
                if "uid" in self.modes:
                    system.become(box.uid, box.gid)
                try:
                    result, fd = work(box.work, request)
                    send(conn, {"ok": True, "result": result}, fd)
                except LauncherError as error:
                    send(conn, {"ok": False, "error": {"code": error.code, "message": str(error)}})
                except (OSError, ValueError, KeyError, TypeError) as error:
                    send(conn, {"ok": False, "error": {"code": FAILED, "message": str(error)}})
            finally:
                os._exit(0)
        self.helpers.add(pid)


def _open(root, request):
    max_bytes = request.get("maxBytes")
    if not isinstance(max_bytes, int) or max_bytes < 0:
        raise LauncherError(INVALID, "maxBytes must be a non-negative integer")
    fd, size = files.open_read(root, request.get("path"), max_bytes)
    return {"bytes": size}, fd


def _create(root, request):
    fd, temp, replaced = files.create_temp(root, request.get("path"))
    return {"temp": temp, "replaced": replaced}, fd


_FILE_OPS = {
    "files.open": _open,
    "files.list": lambda root, request: (files.list_dir(root, request.get("path", "")), None),
    "files.create": _create,
    "files.commit": lambda root, request: (files.commit(root, request.get("temp"), request.get("path")) or {}, None),
    "files.delete": lambda root, request: (files.delete(root, request.get("path")) or {}, None),
}


def apply_limits(box, wanted, modes):
    """New limits for a running box (a pooled kernel leased for a run with its own). Where
    rlimits enforce them they can only go down (the launcher starts a fresh kernel otherwise)."""
    if box.group is not None:
        try:
            box.group.set_limits(wanted["memoryMiB"] * limits.MIB, wanted["processes"])
        except OSError as error:
            raise LauncherError(FAILED, f"memory or process limit refused: {error.strerror}") from error
    if "mnt" in modes and wanted["diskMiB"] != box.limits["diskMiB"]:
        try:
            system.mount(None, box.root, None, system.MS_REMOUNT | system.MS_NOSUID | system.MS_NODEV, f"size={wanted['diskMiB'] * limits.MIB}")
        except OSError as error:
            raise LauncherError(FAILED, f"disk limit refused: {error.strerror}") from error
    chosen = boxes.rlimits(wanted, modes)
    if not chosen:
        return
    pids = boxes.processes(box, modes)

    def lower():  # as the box's user: lowering a hard limit needs no privilege, raising one does
        for pid in pids:
            for kind, value in chosen:
                resource.prlimit(pid, kind, (value, value))

    if boxes.in_box(box, modes, lower) != 0:
        raise LauncherError(FAILED, "the kernel's rlimits cannot be raised while it runs")


OPS = {
    "prepare": Launcher.op_prepare,
    "spawn": Launcher.op_spawn,
    "signal": Launcher.op_signal,
    "limits": Launcher.op_limits,
    "usage": Launcher.op_usage,
    "reset": Launcher.op_reset,
    "end": Launcher.op_end,
    "status": Launcher.op_status,
}
