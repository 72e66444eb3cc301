"""File operations in a kernel's box that never follow a path the kernel controls.

The launcher runs each of these in a child process that has become the kernel's own user
(see ``boxes.as_kernel_user``), so even a mistake here could only reach what the kernel
itself may reach. On top of that, every path is resolved one component at a time relative
to a directory handle, with O_NOFOLLOW: a symbolic link anywhere in a path is refused, never
followed; only regular files with a single link are read; FIFOs, sockets and devices are
refused without blocking; sizes are capped. `checks=False` turns the second layer off (plain
path resolution, as the kernel host did before): only the tests use it, to show what each
layer stops on its own.
"""

import os
import secrets
import shutil
import stat

from .protocol import INVALID, MISSING, REFUSED, TOO_LARGE, LauncherError

MAX_PATH_CHARS = 1024
MAX_DEPTH = 32
MAX_LIST_ENTRIES = 10_000
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC

_KINDS = {
    stat.S_IFREG: "file",
    stat.S_IFDIR: "directory",
    stat.S_IFLNK: "symbolic link",
    stat.S_IFIFO: "FIFO",
    stat.S_IFSOCK: "socket",
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
}


def kind_of(mode):
    return _KINDS.get(stat.S_IFMT(mode), "special file")


def parts_of(path):
    """The components of a relative, '/'-separated path inside a box ('' is the directory itself)."""
    if not isinstance(path, str) or len(path) > MAX_PATH_CHARS or "\0" in path or path.startswith("/"):
        raise LauncherError(INVALID, f"not a relative path: {path!r}")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts or len(parts) > MAX_DEPTH or any(len(p.encode()) > 255 for p in parts):
        raise LauncherError(INVALID, f"not a path inside the box: {path!r}")
    return parts


def refusal(path, st):
    """Why a file may not be read or collected (None for a regular file with one link)."""
    if not stat.S_ISREG(st.st_mode):
        return f"{path} is a {kind_of(st.st_mode)}, not a regular file"
    if st.st_nlink != 1:
        return f"{path} has {st.st_nlink} hard links"
    return None


def _lstat(name, dir_fd):
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def open_dir(root, parts, create=False, replaced=None):
    """A descriptor of the directory `parts` under `root`, never through a symbolic link.

    With `create`, missing directories are made (0700) and anything else standing where a
    directory belongs (a symbolic link, a file) is removed first and named in `replaced`.
    """
    fd = os.open(root, _DIR_FLAGS)
    try:
        for depth, name in enumerate(parts):
            where = "/".join(parts[: depth + 1])
            st = _lstat(name, fd)
            if st is not None and not stat.S_ISDIR(st.st_mode):
                if not create:
                    raise LauncherError(REFUSED, f"{where} is a {kind_of(st.st_mode)}, not a directory")
                os.unlink(name, dir_fd=fd)
                if replaced is not None:
                    replaced.append(f"{where} was a {kind_of(st.st_mode)}; replaced by a directory")
                st = None
            if st is None:
                if not create:
                    raise LauncherError(MISSING, f"{where} does not exist")
                os.mkdir(name, 0o700, dir_fd=fd)
            try:
                child = os.open(name, _DIR_FLAGS, dir_fd=fd)
            except OSError as error:
                raise LauncherError(REFUSED, f"{where}: {error.strerror}") from error
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def open_read(root, path, max_bytes, checks=True):
    """An open descriptor of the regular file `path` and its size; refuses what is not one."""
    parts = parts_of(path)
    if not parts:
        raise LauncherError(INVALID, "a file path is required")
    if not checks:
        fd = os.open(os.path.join(root, *parts), os.O_RDONLY | os.O_CLOEXEC)
        return fd, os.fstat(fd).st_size
    dir_fd = open_dir(root, parts[:-1])
    try:
        st = _lstat(parts[-1], dir_fd)
        if st is None:
            raise LauncherError(MISSING, f"{path} does not exist")
        reason = refusal(path, st)
        if reason:
            raise LauncherError(REFUSED, reason)
        try:
            fd = os.open(parts[-1], _READ_FLAGS, dir_fd=dir_fd)
        except OSError as error:  # replaced meanwhile (ELOOP: now a link; ENXIO: a socket)
            raise LauncherError(REFUSED, f"{path}: {error.strerror}") from error
    finally:
        os.close(dir_fd)
    opened = os.fstat(fd)
    reason = refusal(path, opened)
    if reason:
        os.close(fd)
        raise LauncherError(REFUSED, reason)
    if opened.st_size > max_bytes:
        os.close(fd)
        raise LauncherError(TOO_LARGE, f"{path} is larger than {max_bytes} bytes")
    os.set_blocking(fd, True)
    return fd, opened.st_size


def list_dir(root, path):
    """The entries of a directory: name, kind, size, and why each that is not a plain file is
    refused. A directory that does not exist has no entries (`exists` false)."""
    try:
        dir_fd = open_dir(root, parts_of(path))
    except LauncherError as error:
        if error.code == MISSING:
            return {"entries": [], "truncated": False, "exists": False}
        raise
    entries, truncated = [], False
    try:
        with os.scandir(dir_fd) as listing:
            for entry in listing:
                if len(entries) >= MAX_LIST_ENTRIES:
                    truncated = True
                    break
                st = entry.stat(follow_symlinks=False)
                item = {"name": entry.name, "kind": kind_of(st.st_mode), "bytes": st.st_size}
                if not stat.S_ISDIR(st.st_mode):
                    reason = refusal(entry.name, st)
                    if reason:
                        item["refused"] = reason
                entries.append(item)
    finally:
        os.close(dir_fd)
    entries.sort(key=lambda e: e["name"])
    return {"entries": entries, "truncated": truncated, "exists": True}


def create_temp(root, path):
    """A new, empty file beside `path` to write into (its directories made as needed); returns
    (descriptor, temporary name, what was replaced to make the directories)."""
    parts = parts_of(path)
    if not parts:
        raise LauncherError(INVALID, "a file path is required")
    replaced = []
    dir_fd = open_dir(root, parts[:-1], create=True, replaced=replaced)
    try:
        temp = f".{parts[-1][:200]}.{secrets.token_hex(6)}.part"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(temp, flags, 0o600, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)
    return fd, "/".join([*parts[:-1], temp]), replaced


def commit(root, temp, path):
    """Renames a written temporary file over `path` (a link there is replaced, not followed)."""
    parts, temp_parts = parts_of(path), parts_of(temp)
    if not parts or temp_parts[:-1] != parts[:-1]:
        raise LauncherError(INVALID, "the temporary file must be beside its target")
    dir_fd = open_dir(root, parts[:-1])
    try:
        st = _lstat(parts[-1], dir_fd)
        if st is not None and stat.S_ISDIR(st.st_mode):
            shutil.rmtree(parts[-1], dir_fd=dir_fd)
        os.rename(temp_parts[-1], parts[-1], src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def delete(root, path):
    """Removes a file (or a link, never what it points at); a missing one is fine."""
    parts = parts_of(path)
    if not parts:
        raise LauncherError(INVALID, "a file path is required")
    try:
        dir_fd = open_dir(root, parts[:-1])
    except LauncherError as error:
        if error.code == MISSING:
            return
        raise
    try:
        os.unlink(parts[-1], dir_fd=dir_fd)
    except FileNotFoundError:
        pass
    except IsADirectoryError as error:
        raise LauncherError(REFUSED, f"{path} is a directory") from error
    finally:
        os.close(dir_fd)


def disk_usage(paths, max_entries):
    """Bytes allocated under `paths` and how many entries there are, walking through
    directory handles only (links are counted, never followed). Stops at `max_entries`."""
    total, count = 0, 0
    for top in paths:
        try:
            st = os.lstat(top)
        except OSError:
            continue
        total, count = total + st.st_blocks * 512, count + 1
        if not stat.S_ISDIR(st.st_mode):
            continue
        try:
            for _dir, dirs, names, dir_fd in os.fwalk(top, follow_symlinks=False):
                for name in dirs + names:
                    count += 1
                    entry = _lstat(name, dir_fd)
                    if entry is not None:
                        total += entry.st_blocks * 512
                if count >= max_entries:
                    return total, count
        except OSError:
            continue
    return total, count


def remove_tree(path):
    """Removes a directory tree through handles (shutil.rmtree's fd-based walk), never a link's target."""
    if not shutil.rmtree.avoids_symlink_attacks:  # pragma: no cover - Linux always has it
        raise LauncherError(REFUSED, "no symlink-safe rmtree on this platform")
    shutil.rmtree(path, ignore_errors=True)


def remove_entry(name, dir_fd):
    """Removes one entry of a directory: a directory with its tree, anything else (a link
    too) by unlinking it. Never follows a link."""
    st = _lstat(name, dir_fd)
    if st is None:
        return
    if stat.S_ISDIR(st.st_mode):
        shutil.rmtree(name, dir_fd=dir_fd)
    else:
        os.unlink(name, dir_fd=dir_fd)


def sweep_owned(directories, uid):
    """Removes what `uid` left directly in shared directories (/tmp, /dev/shm): every entry
    it owns, links as links. Runs as that user, so nothing else can be touched."""
    removed = 0
    for directory in directories:
        try:
            dir_fd = os.open(directory, _DIR_FLAGS)
        except OSError:
            continue
        try:
            for name in os.listdir(dir_fd):
                st = _lstat(name, dir_fd)
                if st is None or st.st_uid != uid:
                    continue
                try:
                    remove_entry(name, dir_fd)
                    removed += 1
                except OSError:
                    continue
        finally:
            os.close(dir_fd)
    return removed
