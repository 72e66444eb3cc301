"""The launcher's command line, start-up and loop.

    launcher.py --state DIR --kernels DIR [--sandbox auto|off|uid,net,mnt,cgroup]
                [--without MODE ...] [--server-user UID[:GID]] [--own DIR ...]
                [--lock-shared-tmp] [--exit-with-parent] -- SERVER COMMAND...

`auto` (the default) takes every mode the machine allows, except those named by --without; a
list requires exactly those modes (the launcher refuses to start without one of them).

Started as root, it is the only privileged process of the kernel host: it starts the Jupyter
Server (the SERVER COMMAND) as the unprivileged --server-user, then starts, limits, measures
and ends kernels on the server's behalf and touches their files only as their own users.
Its socket is ``<state>/launcher.sock``; the server finds it in KERNEL_HOST_LAUNCHER and the
sandbox modes in force in KERNEL_HOST_SANDBOX. It exits with the server's status, after
ending every kernel.
"""

import os
import pwd
import selectors
import signal
import socket
import struct
import sys
import time

from . import cgroups, files, system
from .boxes import Box, kill_all
from .launcher import OPS, Launcher
from .limits import from_environment
from .protocol import FAILED, INVALID, LauncherError, receive, send

ALL_MODES = ("uid", "net", "mnt", "cgroup")
SAMPLE_SECONDS = 0.5
STOP_GRACE_SECONDS = 30


def _stop_grace_seconds(environ):
    """How long the server may take to stop after SIGTERM: its drain time (see the kernel
    host's host.py, KERNEL_HOST_DRAIN_SECONDS) plus the usual grace."""
    try:
        drain = max(0.0, float(environ.get("KERNEL_HOST_DRAIN_SECONDS") or 0))
    except ValueError:
        drain = 0.0
    return drain + STOP_GRACE_SECONDS


class UsageError(Exception):
    pass


def parse(argv):
    if "--" not in argv:
        raise UsageError("no server command after --")
    split = argv.index("--")
    own, command = argv[:split], argv[split + 1 :]
    options = {"state": None, "kernels": None, "sandbox": "auto", "server_user": None, "own": [],
               "without": [], "lock_shared_tmp": False, "exit_with_parent": False}
    words = iter(own)
    for word in words:
        key = word[2:].replace("-", "_") if word.startswith("--") else None
        if key in ("state", "kernels", "sandbox", "server_user"):
            options[key] = next(words)
        elif key in ("own", "without"):
            options[key].append(next(words))
        elif key in ("lock_shared_tmp", "exit_with_parent"):
            options[key] = True
        else:
            raise UsageError(f"unknown option {word!r}")
    if not options["state"] or not options["kernels"] or not command:
        raise UsageError("--state, --kernels and a server command are required")
    return options, command


def _probe(action):
    """Whether `action` works in a throw-away child (namespaces, user switches)."""
    pid = os.fork()
    if pid == 0:
        try:
            action()
            os._exit(0)
        except BaseException:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0


def _probe_mount():
    system.unshare(system.CLONE_NEWNS)
    system.mount(None, "/", None, system.MS_REC | system.MS_PRIVATE)
    system.mount("tmpfs", "/tmp", "tmpfs", system.MS_NOSUID | system.MS_NODEV, "size=1m")


def available_modes(wanted, without=(), kernels_dir="/"):
    """The modes of `wanted` this machine allows ("auto": every one it allows but `without`)."""
    if wanted == "off":
        return set()
    asked = set(ALL_MODES) - set(without) if wanted == "auto" else {m.strip() for m in wanted.split(",") if m.strip()}
    if wanted == "auto" and _under_shared_tmp(kernels_dir):
        asked.discard("mnt")  # each kernel's own /tmp would hide its box from it
    unknown = (asked | set(without)) - set(ALL_MODES)
    if unknown:
        raise UsageError(f"unknown sandbox mode(s) {sorted(unknown)}; use {', '.join(ALL_MODES)}, auto or off")
    root = os.geteuid() == 0
    found = set()
    if "uid" in asked and root and _probe(lambda: system.become(UID_PROBE, UID_PROBE)):
        found.add("uid")
    if "net" in asked and _probe(system.private_network):
        found.add("net")
    if "mnt" in asked and root and _probe(_probe_mount):
        found.add("mnt")
    if "cgroup" in asked and root:
        found.add("cgroup")  # confirmed (or dropped) once the launcher's group is made
    if wanted != "auto" and found != asked:
        raise UsageError(f"sandbox mode(s) {sorted(asked - found)} are not possible on this machine")
    return found


UID_PROBE = 1_899_999_999


def _under_shared_tmp(path):
    real = os.path.realpath(path)
    return next((t for t in ("/tmp", "/var/tmp", "/dev/shm") if real.startswith(t + "/")), None)


def _server_ids(text):
    if not text:
        return os.getuid(), os.getgid()
    uid, _, gid = text.partition(":")
    if not uid.isdigit() or (gid and not gid.isdigit()):
        entry = pwd.getpwnam(uid)
        return entry.pw_uid, entry.pw_gid
    return int(uid), int(gid or uid)


def _chown_tree(path, uid, gid):
    """Gives a server directory (config, runtime, home) to the server's user, links as links."""
    os.lchown(path, uid, gid)
    for parent, dirs, names in os.walk(path):
        for name in dirs + names:
            os.lchown(os.path.join(parent, name), uid, gid)


def _clean_leftovers(launcher):
    """What a launcher that died without ending its kernels left: their processes (by the
    users it had handed out) and their directories."""
    ledger = os.path.join(launcher.state_dir, "uids")
    try:
        with open(ledger) as f:
            uids = {int(line) for line in f if line.strip().isdigit()}
        os.unlink(ledger)
    except OSError:
        uids = set()
    for uid in uids:
        kill_all(Box(str(uid), "", uid, uid, {}), {"uid"})
    for name in os.listdir(launcher.kernels_dir):
        files.remove_tree(os.path.join(launcher.kernels_dir, name))


def _start_server(command, env, uid, gid, launcher_pid):
    pid = os.fork()
    if pid == 0:
        try:
            system.close_fds()
            system.default_signals()
            if (uid, gid) != (os.getuid(), os.getgid()):
                system.become(uid, gid)
            system.prctl(system.PR_SET_NO_NEW_PRIVS, 1)
            system.prctl(system.PR_SET_PDEATHSIG, signal.SIGTERM)
            if os.getppid() != launcher_pid:
                os._exit(1)
            os.umask(0o077)
            os.execvpe(command[0], command, env)
        except BaseException as error:
            print(f"cellwise launcher: the server could not start: {error}", file=sys.stderr)
        finally:
            os._exit(70)
    return pid


def _answer_error(conn, code, message):
    try:
        send(conn, {"ok": False, "error": {"code": code, "message": message}})
    except OSError:
        pass


class Loop:
    def __init__(self, launcher, listener, server_uid):
        self.launcher = launcher
        self.listener = listener
        self.server_uid = server_uid
        self.server_pid = None
        self.server_status = None
        self.stop_requested_at = None
        self.stop_grace = _stop_grace_seconds(os.environ)
        self.selector = selectors.DefaultSelector()
        self.wake_read, self.wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._signals = []

    def install(self):
        signal.set_wakeup_fd(self.wake_write, warn_on_full_buffer=False)
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, lambda number, _frame: self._signals.append(number))
        self.selector.register(self.listener, selectors.EVENT_READ, "listen")
        self.selector.register(self.wake_read, selectors.EVENT_READ, "wake")

    def handle(self, conn):
        with conn:
            conn.settimeout(5)
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            _pid, uid, _gid = struct.unpack("3i", creds)
            if uid not in (0, self.server_uid):
                return
            try:
                request, fd = receive(conn)
                if fd is not None:
                    os.close(fd)
                if not isinstance(request, dict) or not isinstance(request.get("op"), str):
                    raise LauncherError(INVALID, "a request is a JSON object with an op")
                op = request["op"]
                if op.startswith("files."):
                    self.launcher.files_request(conn, op, request)
                    return
                handler = OPS.get(op)
                if handler is None:
                    raise LauncherError(INVALID, f"unknown request {op!r}")
                send(conn, {"ok": True, "result": handler(self.launcher, request)})
            except LauncherError as error:
                _answer_error(conn, error.code, str(error))
            except (OSError, ValueError) as error:
                _answer_error(conn, FAILED, f"{type(error).__name__}: {error}")

    def reap(self):
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None:
                return
            _pid, status, rusage = os.wait4(info.si_pid, 0)
            if info.si_pid == self.server_pid:
                self.server_status = os.waitstatus_to_exitcode(status)
            else:
                self.launcher.reaped(info.si_pid, info.si_uid, os.waitstatus_to_exitcode(status), rusage)

    def run(self):
        last_sample = 0.0
        while self.server_status is None:
            for key, _ in self.selector.select(SAMPLE_SECONDS):
                if key.data == "listen":
                    try:
                        conn, _ = self.listener.accept()
                    except OSError:
                        continue
                    self.handle(conn)
                else:
                    try:
                        while os.read(self.wake_read, 512):
                            pass
                    except BlockingIOError:
                        pass
            signals, self._signals = self._signals, []
            if any(s != signal.SIGCHLD for s in signals) and self.stop_requested_at is None:
                self.stop_requested_at = time.monotonic()
                _signal(self.server_pid, signal.SIGTERM)
            self.reap()
            if self.stop_requested_at and time.monotonic() - self.stop_requested_at > self.stop_grace:
                _signal(self.server_pid, signal.SIGKILL)
            if time.monotonic() - last_sample >= SAMPLE_SECONDS:
                last_sample = time.monotonic()
                self.launcher.sample_all()
        return self.server_status


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except OSError:
        pass


def main(argv):
    try:
        options, command = parse(argv)
        if options["exit_with_parent"]:
            system.prctl(system.PR_SET_PDEATHSIG, signal.SIGTERM)
        modes = available_modes(options["sandbox"], options["without"], options["kernels"])
    except (UsageError, OSError) as error:
        print(f"cellwise launcher: {error}", file=sys.stderr)
        return 64
    os.umask(0o077)  # whatever the launcher makes is private unless it says otherwise
    server_uid, server_gid = _server_ids(options["server_user"])
    if "mnt" in modes:  # the boxes' tmpfs mounts stay in the launcher's namespace and end with it
        system.unshare(system.CLONE_NEWNS)
        system.mount(None, "/", None, system.MS_REC | system.MS_PRIVATE)
    group = None
    if "cgroup" in modes:
        group = cgroups.detect(f"cellwise-{os.getpid()}")
        if group is None:
            if options["sandbox"] != "auto":
                print("cellwise launcher: no writable memory and pids cgroups", file=sys.stderr)
                return 64
            modes.discard("cgroup")
        else:
            group.remove_stale(lambda name: not os.path.exists(f"/proc/{name.split('-', 1)[1]}"))
    state, kernels = options["state"], options["kernels"]
    if "mnt" in modes and _under_shared_tmp(kernels):  # each kernel's own /tmp would hide its box
        print(f"cellwise launcher: --kernels must not be under {_under_shared_tmp(kernels)} with mnt", file=sys.stderr)
        return 64
    os.makedirs(state, mode=0o700, exist_ok=True)
    os.makedirs(kernels, mode=0o711, exist_ok=True)
    os.chmod(kernels, 0o711)
    launcher = Launcher(modes, kernels, state, server_uid, server_gid, group,
                        from_environment(os.environ.get("KERNEL_HOST_DEFAULT_LIMITS")))
    if "uid" in modes:
        _clean_leftovers(launcher)
    if options["lock_shared_tmp"]:  # a container's own /tmp: kernels use their box's
        for shared in ("/tmp", "/var/tmp", "/dev/shm"):
            if os.path.isdir(shared):
                os.chmod(shared, 0o755)
    socket_path = os.path.join(state, "launcher.sock")
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    if server_uid != os.getuid():
        os.chown(state, 0, server_gid)
        os.chmod(state, 0o710)
        os.chown(socket_path, 0, server_gid)
        os.chmod(socket_path, 0o660)
        for directory in options["own"]:
            _chown_tree(directory, server_uid, server_gid)
    system.prctl(system.PR_SET_CHILD_SUBREAPER, 1)
    env = {k: v for k, v in os.environ.items() if k != "KERNEL_HOST_DEFAULT_LIMITS"}
    env.update(KERNEL_HOST_LAUNCHER=socket_path, KERNEL_HOST_SANDBOX=",".join(sorted(modes)),
               KERNEL_HOST_KERNELS_DIR=kernels)
    loop = Loop(launcher, listener, server_uid)
    loop.install()
    loop.server_pid = _start_server(command, env, server_uid, server_gid, os.getpid())
    print(f"cellwise launcher: sandbox {','.join(sorted(modes)) or 'none'}; server as uid {server_uid}", file=sys.stderr, flush=True)
    try:
        status = loop.run()
    finally:
        launcher.end_all()
        if group is not None:
            group.remove()
        listener.close()
        try:
            os.unlink(socket_path)
        except OSError:
            pass
    return status if status is not None else 1
