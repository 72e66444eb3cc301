"""Measuring a box from outside: nothing a kernel reports about itself is trusted.

With a control group: the group's memory peak, CPU time and out-of-memory kills. Without
one: the box user's processes in /proc, sampled (resident memory summed, CPU time of live
processes plus what the launcher reaped). Disk: the box's tmpfs (statvfs) with `mnt`, else a
walk of its directories through directory handles, which also stops a kernel past its disk
limit (files outside the box, in the shared temporary directories, count too).
"""

import os

from . import boxes, files
from .limits import MIB

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")
# Without `mnt`, a box whose directories hold more entries than this is over its disk limit
# (the walk that measures it must stay cheap).
MAX_ENTRIES = 100_000
DISK_WALK_SECONDS = 2.0


def _proc_figures(pid):
    """(resident bytes, CPU seconds incl. reaped children) of one process, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        with open(f"/proc/{pid}/statm", "rb") as f:
            resident = int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return None
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return resident, (utime + stime + cutime + cstime) / _TICKS


def sample(box, modes, now, walk=False, by_uid=None):
    """Updates `box.usage` with a fresh measurement; returns "disk" when the box is over its
    disk limit (without `mnt`, where nothing else enforces it), else None. Without `mnt` the
    disk is walked every DISK_WALK_SECONDS, or now with `walk` (a report's figures are fresh)."""
    u = box.usage
    if box.group is not None:
        stats = box.group.stats()
        u.memory = stats["memoryBytes"]
        u.peak_memory = max(u.peak_memory, stats["peakMemoryBytes"], u.memory)
        u.cpu = max(u.cpu, stats["cpuNanoseconds"] / 1e9)
        u.oom_kills = stats["oomKills"]
        u.processes = stats["processes"]
    else:
        memory, cpu, count = 0, 0.0, 0
        for pid in boxes.processes(box, modes, by_uid):
            figures = _proc_figures(pid)
            if figures:
                memory += figures[0]
                cpu += figures[1]
                count += 1
        u.memory, u.processes = memory, count
        u.peak_memory = max(u.peak_memory, memory)
        u.cpu = max(u.cpu, cpu + u.reaped_cpu)
    if "mnt" in modes:
        try:
            st = os.statvfs(box.root)
            u.disk = (st.f_blocks - st.f_bfree) * st.f_frsize
        except OSError:
            pass
    elif walk or now - u.sampled_at >= DISK_WALK_SECONDS or u.sampled_at == 0:
        u.sampled_at = now
        u.disk, u.disk_entries = files.disk_usage(
            [box.path(sub) for sub in (*boxes.SUBDIRS, "ipc")] + _owned_in_shared(box, modes), MAX_ENTRIES
        )
    u.peak_disk = max(u.peak_disk, u.disk)
    if "mnt" not in modes and (u.disk > box.limits["diskMiB"] * MIB or u.disk_entries >= MAX_ENTRIES):
        return "disk"
    return None


def _owned_in_shared(box, modes):
    if "uid" not in modes:
        return []
    owned = []
    for directory in boxes.SHARED_TMP:
        try:
            for entry in os.scandir(directory):
                if entry.stat(follow_symlinks=False).st_uid == box.uid:
                    owned.append(entry.path)
        except OSError:
            continue
    return owned


def reset(box, modes, now):
    """At a lease: peaks start again from what the kernel holds now, CPU from zero."""
    if box.group is not None:
        try:
            box.group.reset_peak()
        except OSError:
            pass
    u = box.usage
    u.peak_memory = u.peak_disk = 0
    u.sampled_at = 0.0
    sample(box, modes, now)
    u.peak_memory, u.peak_disk = u.memory, u.disk
    u.cpu_base = u.cpu
    u.oom_base = u.oom_kills


def report(box):
    u = box.usage
    return {
        "peakMemoryBytes": u.peak_memory,
        "memoryBytes": u.memory,
        "cpuSeconds": round(max(0.0, u.cpu - u.cpu_base), 3),
        "peakDiskBytes": u.peak_disk,
        "diskBytes": u.disk,
        "processes": u.processes,
        "oomKilled": u.oom_kills > u.oom_base,
        "breach": box.breach,
        "limits": box.limits,
        "measuredBy": "cgroup" if box.group is not None else "proc",
        "alive": box.exit_status is None,
        "exitStatus": box.exit_status,
    }
