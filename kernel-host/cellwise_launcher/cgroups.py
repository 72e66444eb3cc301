"""A control group per kernel, cgroup v1 or v2, whichever the host offers.

v1 (this project's machines): a group per kernel under the launcher's own group in each of
the memory, pids and cpuacct hierarchies. v2: a group per kernel under a group of the
launcher's that has the memory and pids controllers delegated (a container or a systemd
unit with Delegate=yes); without that, `detect` finds no usable cgroups and the launcher
falls back to rlimits. Limits apply to the kernel and everything it starts; usage and
out-of-memory kills are read from the group, never from inside the kernel.
"""

import os

V1_ROOT = "/sys/fs/cgroup"
V1_CONTROLLERS = ("memory", "pids", "cpuacct")


def _read(path):
    with open(path) as f:
        return f.read().strip()


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _own_paths(text=None):
    """{controller or '': path} of this process's groups (from /proc/self/cgroup)."""
    paths = {}
    for line in (text if text is not None else _read("/proc/self/cgroup")).splitlines():
        _id, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _keyed(text):
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if value.strip().lstrip("-").isdigit():
            values[key] = int(value)
    return values


class V1Group:
    def __init__(self, dirs):
        self.dirs = dirs  # controller -> directory

    def attach(self, pid):
        for directory in self.dirs.values():
            _write(os.path.join(directory, "cgroup.procs"), pid)

    def set_limits(self, memory_bytes, processes):
        memory = self.dirs["memory"]
        swap = os.path.join(memory, "memory.memsw.limit_in_bytes")
        # memsw (memory + swap) must never be below memory: order the writes accordingly.
        raising = memory_bytes >= int(_read(os.path.join(memory, "memory.limit_in_bytes")))
        names = ["memory.limit_in_bytes"]
        if os.path.exists(swap):
            names = ["memory.memsw.limit_in_bytes", *names] if raising else [*names, "memory.memsw.limit_in_bytes"]
        for name in names:
            _write(os.path.join(memory, name), memory_bytes)
        _write(os.path.join(self.dirs["pids"], "pids.max"), processes)

    def reset_peak(self):
        _write(os.path.join(self.dirs["memory"], "memory.max_usage_in_bytes"), 0)

    def stats(self):
        memory = self.dirs["memory"]
        oom = _keyed(_read(os.path.join(memory, "memory.oom_control")))
        return {
            "memoryBytes": int(_read(os.path.join(memory, "memory.usage_in_bytes"))),
            "peakMemoryBytes": int(_read(os.path.join(memory, "memory.max_usage_in_bytes"))),
            "cpuNanoseconds": int(_read(os.path.join(self.dirs["cpuacct"], "cpuacct.usage"))),
            "oomKills": oom.get("oom_kill", 0),
            "processes": int(_read(os.path.join(self.dirs["pids"], "pids.current"))),
        }

    def pids(self):
        return [int(p) for p in _read(os.path.join(self.dirs["pids"], "cgroup.procs")).split()]

    def remove(self):
        for directory in self.dirs.values():
            try:
                os.rmdir(directory)
            except OSError:
                pass


class V2Group:
    def __init__(self, directory):
        self.dir = directory
        self._peak = 0

    def attach(self, pid):
        _write(os.path.join(self.dir, "cgroup.procs"), pid)

    def set_limits(self, memory_bytes, processes):
        _write(os.path.join(self.dir, "memory.max"), memory_bytes)
        swap = os.path.join(self.dir, "memory.swap.max")
        if os.path.exists(swap):
            _write(swap, 0)
        _write(os.path.join(self.dir, "pids.max"), processes)

    def reset_peak(self):
        self._peak = 0

    def stats(self):
        current = int(_read(os.path.join(self.dir, "memory.current")))
        self._peak = max(self._peak, current)
        cpu = _keyed(_read(os.path.join(self.dir, "cpu.stat"))).get("usage_usec", 0)
        events = _keyed(_read(os.path.join(self.dir, "memory.events")))
        return {
            "memoryBytes": current,
            "peakMemoryBytes": self._peak,  # sampled: memory.peak cannot be reset per kernel lease
            "cpuNanoseconds": cpu * 1000,
            "oomKills": events.get("oom_kill", 0),
            "processes": int(_read(os.path.join(self.dir, "pids.current"))),
        }

    def pids(self):
        return [int(p) for p in _read(os.path.join(self.dir, "cgroup.procs")).split()]

    def remove(self):
        try:
            kill = os.path.join(self.dir, "cgroup.kill")
            if os.path.exists(kill):
                _write(kill, 1)
            os.rmdir(self.dir)
        except OSError:
            pass


class Cgroups:
    """The launcher's parent groups; `create(name)` makes a kernel's group."""

    def __init__(self, version, parents):
        self.version = version
        self.parents = parents  # v1: controller -> directory; v2: {"": directory}

    def create(self, name):
        if self.version == 1:
            dirs = {c: os.path.join(parent, name) for c, parent in self.parents.items()}
            for directory in dirs.values():
                os.makedirs(directory, exist_ok=True)
            return V1Group(dirs)
        directory = os.path.join(self.parents[""], name)
        os.makedirs(directory, exist_ok=True)
        return V2Group(directory)

    def remove_stale(self, is_stale):
        """Removes the launcher-named parent groups of launchers that are gone."""
        for parent in self.parents.values():
            above = os.path.dirname(parent)
            for name in _listdir(above):
                if name.startswith("cellwise-") and name != os.path.basename(parent) and is_stale(name):
                    _remove_group_tree(os.path.join(above, name))

    def remove(self):
        for parent in self.parents.values():
            _remove_group_tree(parent)


def _listdir(path):
    try:
        return os.listdir(path)
    except OSError:
        return []


def _remove_group_tree(directory):
    """Kills what is left in a group tree and removes it (children first)."""
    for name in _listdir(directory):
        child = os.path.join(directory, name)
        if os.path.isdir(child):
            _remove_group_tree(child)
    try:
        for pid in _read(os.path.join(directory, "cgroup.procs")).split():
            try:
                os.kill(int(pid), 9)
            except OSError:
                pass
        os.rmdir(directory)
    except OSError:
        pass


def detect(name, root=V1_ROOT, own_text=None):
    """The host's cgroups under a parent group `name` of this process's, or None when the host
    offers no writable memory and pids controllers (not root, read-only cgroupfs, no delegation).
    `root` and `own_text` (a /proc/self/cgroup) are for the tests, which build a fake cgroupfs."""
    if os.geteuid() != 0:
        return None
    try:
        own = _own_paths(own_text)
    except OSError:
        return None
    if not os.path.exists(os.path.join(root, "cgroup.controllers")):
        parents = {}
        for controller in V1_CONTROLLERS:
            if controller not in own:
                return None
            parents[controller] = os.path.join(root, controller, own[controller].lstrip("/"), name)
        try:
            for directory in parents.values():
                os.makedirs(directory, exist_ok=True)
        except OSError:
            return None
        return Cgroups(1, parents)
    if "" in own:
        parent = os.path.join(root, own[""].lstrip("/"), name)
        try:
            os.makedirs(parent, exist_ok=True)
            _write(os.path.join(parent, "cgroup.subtree_control"), "+memory +pids +cpu")
        except OSError:
            try:
                os.rmdir(parent)
            except OSError:
                pass
            return None
        return Cgroups(2, {"": parent})
    return None
