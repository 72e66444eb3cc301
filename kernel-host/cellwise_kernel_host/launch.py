"""Starts one kernel in its sandbox (see ``sandbox``), then becomes the kernel (exec).

    launch.py --private DIR [--uid N] [--isolate-network] [--connection-file F]
              [--exit-with-parent] -- KERNEL COMMAND...

Run by the kernel host as the first word of every kernel's command, in the kernel's working
directory. Only the standard library: it runs before every kernel start.
"""

import ctypes
import fcntl
import os
import shutil
import signal
import socket
import struct
import sys

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000
PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1


class LaunchError(Exception):
    pass


def parse(argv):
    options = {"uid": None, "net": False, "connection_file": None, "exit_with_parent": False, "private": None}
    if "--" not in argv:
        raise LaunchError("no kernel command after --")
    split = argv.index("--")
    own, command = argv[:split], argv[split + 1 :]
    words = iter(own)
    for word in words:
        if word == "--private":
            options["private"] = next(words)
        elif word == "--uid":
            options["uid"] = int(next(words))
        elif word == "--isolate-network":
            options["net"] = True
        elif word == "--connection-file":
            options["connection_file"] = next(words)
        elif word == "--exit-with-parent":
            options["exit_with_parent"] = True
        else:
            raise LaunchError(f"unknown option {word!r}")
    if not options["private"] or not command:
        raise LaunchError("--private and a kernel command are required")
    return options, command


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise LaunchError(f"{what}: {os.strerror(errno)}")


def isolate_network(libc):
    """A network namespace of the kernel's own, with its loopback up and nothing else."""
    if os.geteuid() == 0:
        _check(libc.unshare(CLONE_NEWNET), "unshare(network)")
    else:
        uid, gid = os.geteuid(), os.getegid()
        _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNET), "unshare(user, network)")
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as f:
                f.write(text)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        request = struct.pack("16sh22x", b"lo", 0)
        flags = struct.unpack("16sh22x", fcntl.ioctl(s, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(s, SIOCSIFFLAGS, struct.pack("16sh22x", b"lo", flags | IFF_UP))


def hand_over(path, uid):
    """The kernel's working directory (and what is in it) becomes its user's, private."""
    os.lchown(path, uid, uid)
    os.chmod(path, 0o700)
    for parent, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(parent, name), uid, uid)


def main(argv):
    options, command = parse(argv)
    libc = ctypes.CDLL(None, use_errno=True)
    private, uid = options["private"], options["uid"]
    home, tmp = os.path.join(private, "home"), os.path.join(private, "tmp")
    for path in (home, tmp):
        os.makedirs(path, mode=0o700, exist_ok=True)
    if options["connection_file"]:
        # The server's copy is its own (0600); the kernel reads one in its private directory.
        own_copy = os.path.join(private, "connection.json")
        shutil.copyfile(options["connection_file"], own_copy)
        os.chmod(own_copy, 0o600)
        command = [own_copy if word == options["connection_file"] else word for word in command]
    if uid is not None:
        for path in (private, home, tmp, *([own_copy] if options["connection_file"] else [])):
            os.lchown(path, uid, uid)
        hand_over(os.getcwd(), uid)
    if options["net"]:
        isolate_network(libc)
    if uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(no_new_privs)")
    if options["exit_with_parent"]:
        _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0), "prctl(pdeathsig)")
        if os.getppid() == 1:
            sys.exit(1)
    os.umask(0o077)
    env = dict(os.environ, HOME=home, TMPDIR=tmp)
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (LaunchError, OSError, ValueError, StopIteration) as error:
        print(f"cellwise kernel launcher: {error}", file=sys.stderr)
        sys.exit(70)
