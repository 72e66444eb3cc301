"""A kernel's box: its own user, directories, limits and (where the host allows) namespaces.

Layout, under the launcher's kernels directory (every path up to the box root is the
launcher's, so a kernel can rename or replace nothing on the way to its own files):

    <uid>/              root 0711 (with `mnt`: a tmpfs of diskMiB mounted here)
      work/             the kernel's working directory   (kernel 0700)
      home/ tmp/ shm/   HOME, TMPDIR and, with `mnt`, /tmp, /var/tmp and /dev/shm  (kernel 0700)
      ipc/              ZeroMQ sockets (kernel, group of the server, 2770: only the two reach them)
        connection.json the kernel's copy of its connection file (kernel 0600; ipykernel rewrites it)

Modes (see launcher.py): `uid` a fresh user per kernel, never reused while the launcher
runs; `net` a network namespace with only loopback; `mnt` a mount namespace whose /tmp,
/var/tmp and /dev/shm are the box's, and the box a size-limited tmpfs; `cgroup` a memory,
pids and cpuacct group per kernel. Without `cgroup`, rlimits bound memory (RLIMIT_AS) and
processes (RLIMIT_NPROC: per user, so exact with a user per kernel) and, without `mnt`, the
size of each file (RLIMIT_FSIZE).
"""

import json
import os
import resource
import signal
import time

from . import files, system
from .limits import MIB

SUBDIRS = ("work", "home", "tmp", "shm")
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")
# A kernel killed by SIGKILL is reaped within milliseconds; give a fork bomb a few rounds.
KILL_ROUNDS = 50


class Box:
    def __init__(self, name, root, uid, gid, limits):
        self.name = name
        self.root = root
        self.uid = uid
        self.gid = gid
        self.limits = limits
        self.group = None  # cgroups.V1Group / V2Group
        self.pid = None
        self.start_time = None
        self.exit_status = None
        self.breach = None  # "disk" when the launcher stopped the kernel for its disk use
        self.usage = Usage()

    def path(self, name):
        return os.path.join(self.root, name)

    @property
    def work(self):
        return self.path("work")

    def describe(self):
        return {
            "box": self.name,
            "uid": self.uid,
            "root": self.root,
            "work": self.work,
            "ipc": self.path("ipc"),
            "connectionFile": self.path("ipc/connection.json"),
            "limits": self.limits,
        }


class Usage:
    """What a kernel used since its last lease: peaks and CPU, measured outside the kernel."""

    def __init__(self):
        self.peak_memory = 0
        self.peak_disk = 0
        self.memory = 0
        self.disk = 0
        self.disk_entries = 0
        self.cpu_base = 0.0
        self.cpu = 0.0
        self.reaped_cpu = 0.0  # processes of the box the launcher reaped (orphans, the kernel)
        self.oom_base = 0
        self.oom_kills = 0
        self.processes = 0
        self.sampled_at = 0.0


def make_box(name, root, uid, gid, server_gid, limits, modes):
    """Creates the box's directories (and its tmpfs with `mnt`); returns the Box."""
    os.mkdir(root)
    os.chmod(root, 0o711)  # explicit: the launcher's umask is 077
    if "mnt" in modes:
        size = limits["diskMiB"] * MIB
        system.mount("tmpfs", root, "tmpfs", system.MS_NOSUID | system.MS_NODEV, f"size={size},mode=0711,uid=0,gid=0")
    box = Box(name, root, uid, gid, limits)
    for sub in SUBDIRS:
        os.mkdir(box.path(sub), 0o700)
        os.chown(box.path(sub), uid, gid)
    ipc = box.path("ipc")
    os.mkdir(ipc, 0o700)
    if "uid" in modes:
        os.chown(ipc, uid, server_gid)
        os.chmod(ipc, 0o2770)
    return box


def enter(box, modes, launcher_pid):
    """In the kernel's child process, before exec: everything that makes the box a box."""
    os.setsid()
    if box.group is not None:
        box.group.attach(os.getpid())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if "mnt" in modes:
        system.unshare(system.CLONE_NEWNS)
        system.mount(None, "/", None, system.MS_REC | system.MS_SLAVE)
        # Held open first: the box itself may live under /tmp, which the first mount covers.
        held = {name: os.open(box.path(name), os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW) for name in ("tmp", "shm")}
        for source, target in (("tmp", "/tmp"), ("tmp", "/var/tmp"), ("shm", "/dev/shm")):
            if os.path.isdir(target):
                system.mount(f"/proc/self/fd/{held[source]}", target, None, system.MS_BIND)
                flags = system.MS_REMOUNT | system.MS_BIND | system.MS_NOSUID | system.MS_NODEV
                system.mount(None, target, None, flags)
        for fd in held.values():
            os.close(fd)
    if "net" in modes:
        system.private_network()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for kind, value in rlimits(box.limits, modes):
        resource.setrlimit(kind, (value, value))
    os.chdir(box.work)
    if "uid" in modes:
        system.become(box.uid, box.gid)
    system.prctl(system.PR_SET_NO_NEW_PRIVS, 1)
    # Set after the change of user (which clears it): the kernel dies with the launcher.
    system.prctl(system.PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != launcher_pid:
        os._exit(1)
    os.umask(0o007 if "uid" in modes else 0o077)


def rlimits(limits, modes):
    """The rlimits that enforce `limits` where no cgroup or tmpfs does (soft = hard: a kernel
    can lower them, never raise them)."""
    chosen = []
    if "cgroup" not in modes:
        if "uid" in modes:
            chosen.append((resource.RLIMIT_NPROC, limits["processes"]))
        chosen.append((resource.RLIMIT_AS, limits["memoryMiB"] * MIB))
    if "mnt" not in modes:
        chosen.append((resource.RLIMIT_FSIZE, limits["diskMiB"] * MIB))
    return chosen


# The kernel host's own settings, and the ECS agent's and task metadata endpoints (a kernel
# could otherwise drop the task's scale-in protection or read the task's description).
PRIVATE_ENV = ("KERNEL_HOST_", "ECS_", "AWS_CONTAINER_")


def kernel_environment(box, env, modes, launcher_pid):
    """The server's environment for the kernel, minus the kernel host's own settings (and
    ECS's endpoints), with the
    box's HOME and TMPDIR; JPY_PARENT_PID names the kernel's parent (the launcher), as
    jupyter_client does for the processes it starts. KERNEL_MEMORY_MIB tells the
    kernel its memory limit at start (the scala kernel sizes its JVM by it, whichever of a
    cgroup or an rlimit enforces it)."""
    env = {k: v for k, v in env.items() if isinstance(k, str) and isinstance(v, str) and not k.startswith(PRIVATE_ENV)}
    env["KERNEL_MEMORY_MIB"] = str(box.limits["memoryMiB"])
    env["HOME"] = box.path("home")
    env["TMPDIR"] = "/tmp" if "mnt" in modes else box.path("tmp")
    env["JPY_PARENT_PID"] = str(launcher_pid)
    return env


def write_connection_file(box, content):
    """The kernel's own copy of its connection file (the server's stays the server's)."""
    path = box.path("ipc/connection.json")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, json.dumps(content).encode())
        os.fchown(fd, box.uid, box.gid)
    finally:
        os.close(fd)
    return path


def in_box(box, modes, work):
    """Runs `work()` in a child that has become the box's user; returns its exit status.
    The caller's process is single-threaded, so the fork is safe."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            if "uid" in modes:
                system.become(box.uid, box.gid)
            work()
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1]


def processes(box, modes, by_uid=None):
    """Live (not zombie) processes of the box: its group's, or its user's (from `by_uid`,
    a `processes_by_uid()` taken once for many boxes, else a fresh scan of /proc)."""
    if box.group is not None:
        try:
            return [p for p in box.group.pids() if not _zombie(p)]
        except OSError:
            pass
    if "uid" not in modes:
        return [box.pid] if box.pid and not _zombie(box.pid) else []
    return (by_uid if by_uid is not None else processes_by_uid()).get(box.uid, [])


def processes_by_uid():
    """Every live process of the machine by the user that owns it (one scan of /proc)."""
    found = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                uid = os.stat(f"/proc/{name}").st_uid
                if not _zombie(int(name)):
                    found.setdefault(uid, []).append(int(name))
            except OSError:
                continue
    return found


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
        return data[data.rindex(b")") + 2 : data.rindex(b")") + 3] in (b"Z", b"X")
    except (OSError, ValueError):
        return True


def kill_all(box, modes):
    """Ends every process of the box, detached or double-forked: as the box's user,
    kill(-1, SIGKILL) reaches exactly the processes of that user (atomically with respect to
    forks), repeated until none is left. Returns how many rounds it took."""
    for rounds in range(1, KILL_ROUNDS + 1):
        left = processes(box, modes)
        if not left:
            return rounds - 1
        if "uid" in modes:
            in_box(box, modes, lambda: os.kill(-1, signal.SIGKILL))
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.01 * rounds)
    return KILL_ROUNDS


def teardown(box, modes):
    """After kill_all: removes the box's files (as its user), its tmpfs, its group, and what
    it left in the shared temporary directories."""
    if "mnt" in modes:
        try:
            system.umount(box.root)
        except OSError:
            pass
    else:
        if "uid" in modes:
            in_box(box, modes, lambda: _clear_owned(box))
        for sub in (*SUBDIRS, "ipc"):
            files.remove_tree(box.path(sub))
    try:
        os.rmdir(box.root)
    except OSError:
        files.remove_tree(box.root)
    if box.group is not None:
        box.group.remove()


def _clear_owned(box):
    for sub in (*SUBDIRS, "ipc"):
        root = box.path(sub)
        try:
            dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            for name in os.listdir(dir_fd):
                try:
                    files.remove_entry(name, dir_fd)
                except OSError:
                    pass
        finally:
            os.close(dir_fd)
    files.sweep_owned(SHARED_TMP, box.uid)
