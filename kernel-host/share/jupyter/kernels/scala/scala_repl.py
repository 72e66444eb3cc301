"""Debian's Scala 2.11 REPL as the kernel's child process: started, fed cells, interrupted, ended.

The JVM is started directly (not through ``/usr/bin/scala``, a shell script that would stand
between the kernel and the JVM's signals) with ``-Xnojline`` (its line editor needs a jansi
class Debian's jar lacks), in a session of its own (the launcher's SIGINT to the kernel's
process group does not reach it: the kernel forwards interrupts itself), and dies with the
kernel (PR_SET_PDEATHSIG). Its heap and other reservations are fitted to the kernel's memory
limit (as the launcher tells it, else the box's RLIMIT_AS or cgroup), leaving room for the
kernel itself. A pooled kernel keeps the JVM of the pool's default limit: a run that leases it
with less memory may meet the limit (MemoryLimitExceeded) before Java's OutOfMemoryError.

Three channels, read together: the REPL's own stdout (its account of each cell, then its
prompt), the program's stdout (a FIFO the prelude points ``System.out`` and ``Console.out``
at) and the JVM's stderr (the program's ``System.err``).
"""

import codecs
import ctypes
import glob
import os
import re
import resource
import select
import signal
import subprocess
import tempfile

SCALA_HOME = "/usr/share/scala"
#: Debian's default Java runtime (the one its scala package depends on), not whichever comes
#: first on PATH: Scala 2.11 and the prelude's Thread.stop need a Java of at most 17.
JAVA = "/usr/bin/java"
PROMPT = "[cellwise-scala]> "
START_TIMEOUT_SECONDS = 180
MIB = 1 << 20
DEFAULT_MEMORY_MIB = 2048

# Compiled once at start (which also warms the compiler for the first cell): the program's
# stdout goes to the FIFO; SIGINT interrupts the cell running on the REPL's thread (a sleep
# or wait ends with InterruptedException), then, if that very cell still runs a second later,
# stops it (ThreadDeath);
# a SIGINT between cells does nothing (the JVM's default would end the REPL).
PRELUDE = """
object CellwiseKernelSupport {
  private val repl = Thread.currentThread
  // The cell running on the REPL's thread (its wrapper class, $lineN, new for each cell).
  private def cell = repl.getStackTrace.map(_.getClassName).find(_.startsWith("$line")).map(_.takeWhile(_ != '.'))
  def install(stdoutPath: String): Unit = {
    val out = new java.io.PrintStream(new java.io.FileOutputStream(stdoutPath), true, "UTF-8")
    System.setOut(out)
    Console.setOut(out)
    sun.misc.Signal.handle(new sun.misc.Signal("INT"), new sun.misc.SignalHandler {
      def handle(signal: sun.misc.Signal): Unit = for (interrupted <- cell) {
        repl.interrupt()
        val stopper = new Thread(new Runnable {
          def run(): Unit = { Thread.sleep(1000); if (cell == Some(interrupted)) repl.stop() }
        })
        stopper.setDaemon(true)
        stopper.start()
      }
    })
  }
}
CellwiseKernelSupport.install(%s)
"""


class ReplError(Exception):
    """The REPL did not start, or answered what the kernel cannot read."""


class ReplDiedError(ReplError):
    """The JVM ended (``sys.exit``, ``Runtime.halt``, killed by a limit)."""

    def __init__(self, returncode, stderr=""):
        said = f": {stderr.strip()[-1000:]}" if stderr.strip() else ""
        super().__init__(f"the Scala REPL exited with status {returncode}{said}")
        self.returncode = returncode


def memory_limit_mib():
    """The kernel's memory limit: what the launcher says (KERNEL_MEMORY_MIB, the
    box's limit at start), else its RLIMIT_AS, else its cgroup's, else the default."""
    told = os.environ.get("KERNEL_MEMORY_MIB", "")
    if told.isdigit() and int(told) > 0:
        return int(told)
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        return soft // MIB
    try:
        with open("/proc/self/cgroup", encoding="ascii") as groups:
            for line in groups:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                names = (
                    [f"/sys/fs/cgroup{path}/memory.max"]
                    if controllers == ""
                    else [f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes"] if "memory" in controllers.split(",") else []
                )
                for name in names:
                    if os.path.exists(name):
                        with open(name, encoding="ascii") as limit:
                            text = limit.read().strip()
                        if text.isdigit() and int(text) < 1 << 50:
                            return int(text) // MIB
    except (OSError, ValueError):
        pass
    return DEFAULT_MEMORY_MIB


#: What the JVM reserves besides its heap (measured: about 450 MiB of address space for the
#: code cache, class space, metaspace, malloc arenas, thread stacks and mapped jars); a box
#: needs at least this plus MIN_HEAP_MIB (640 MiB) for a Scala kernel.
JVM_OVERHEAD_MIB = 576
MIN_HEAP_MIB = 64


def jvm_options(memory_mib):
    """Sized so the JVM's whole address space fits ``memory_mib`` (an RLIMIT_AS counts what
    it reserves, not what it uses): half of it for the heap, at most all but JVM_OVERHEAD_MIB;
    class space, code cache and metaspace capped; the serial collector and at most two
    processors keep its threads few (14: the box counts threads as processes)."""
    heap = max(MIN_HEAP_MIB, min(memory_mib // 2, memory_mib - JVM_OVERHEAD_MIB))
    return [
        f"-Xmx{heap}m",
        f"-Xms{min(heap, 32)}m",
        "-Xss1m",
        "-XX:+UseSerialGC",
        "-XX:ActiveProcessorCount=2",
        "-XX:ReservedCodeCacheSize=64m",
        "-XX:CompressedClassSpaceSize=64m",
        f"-XX:MaxMetaspaceSize={max(96, min(256, memory_mib // 8))}m",
        "-XX:TieredStopAtLevel=1",
        "-Dfile.encoding=UTF-8",
    ]


def _prepare_child():
    """In the JVM's process before exec: it dies with the kernel (PR_SET_PDEATHSIG), and
    SIGINT is back to its default (ipykernel ignores it between cells, an ignored signal stays
    ignored across exec, and the JVM then refuses the prelude a handler for it)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class ScalaRepl:
    def __init__(self, on_stdout, on_stderr):
        self.on_stdout, self.on_stderr = on_stdout, on_stderr
        self._stderr_tail = ""  # the JVM's last words, for an error when it ends
        self.dir = tempfile.mkdtemp(prefix="cellwise-scala-")
        self.cell_file = os.path.join(self.dir, "cell.scala")
        fifo = os.path.join(self.dir, "stdout")
        os.mkfifo(fifo, 0o600)
        self.out_fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        # A writer of our own: without one, select() reports the FIFO at EOF over and over.
        self._out_keep = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        jars = sorted(glob.glob(os.path.join(SCALA_HOME, "lib", "*.jar")))
        argv = [JAVA, *jvm_options(memory_limit_mib()), "-classpath", ":".join(jars),
                f"-Dscala.home={SCALA_HOME}", "-Dscala.usejavacp=true", f"-Dscala.repl.prompt=%n{PROMPT}",
                "-Dscala.repl.maxprintstring=20000", "scala.tools.nsc.MainGenericRunner", "-Xnojline"]
        env = dict(os.environ, MALLOC_ARENA_MAX="2")  # glibc reserves 64 MiB per arena otherwise
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     env=env, cwd=os.getcwd(), start_new_session=True, preexec_fn=_prepare_child)
        for stream in (self.proc.stdout, self.proc.stderr):
            os.set_blocking(stream.fileno(), False)
        self._decoders = {fd: codecs.getincrementaldecoder("utf-8")("replace")
                          for fd in (self.out_fd, self.proc.stderr.fileno())}
        self.banner = self.wait(timeout=START_TIMEOUT_SECONDS, quiet=True)
        match = re.search(r"Welcome to Scala (\S+) \((.*)\)", self.banner)
        self.version = match.group(1) if match else "unknown"
        self.runtime = match.group(2) if match else ""
        answer = self.paste(PRELUDE % _scala_string(fifo), timeout=START_TIMEOUT_SECONDS, quiet=True)
        if re.search(r"^(?:.*: )?error: |Exception|Error", answer, re.M):
            raise ReplError(f"the kernel's prelude failed: {answer.strip()}")

    def paste(self, code, timeout=None, quiet=False):
        """Runs a cell; the REPL's account of it (``Pasting file ...`` and what follows)."""
        with open(self.cell_file, "w", encoding="utf-8") as cell:
            cell.write(code if code.endswith("\n") else code + "\n")
        self.proc.stdin.write(f":paste {self.cell_file}\n".encode())
        self.proc.stdin.flush()
        return self.wait(timeout=timeout, quiet=quiet)

    def wait(self, timeout=None, quiet=False):
        """Reads until the prompt, passing the program's output on as it comes."""
        repl_fd, end = self.proc.stdout.fileno(), ("\n" + PROMPT).encode()
        said, waited = b"", 0.0
        while True:
            ready, _, _ = select.select([repl_fd, self.out_fd, self.proc.stderr.fileno()], [], [], 0.25)
            waited += 0.25 if not ready else 0
            if repl_fd in ready:
                chunk = os.read(repl_fd, 65536)
                if not chunk:
                    self._drain(quiet)
                    raise ReplDiedError(self.proc.wait(), self._stderr_tail)
                said += chunk
            self._drain(quiet, [fd for fd in ready if fd != repl_fd])
            if said.endswith(end) or said == PROMPT.encode():
                self._drain(quiet)
                return said[: -len(end)].decode("utf-8", "replace") if said.endswith(end) else ""
            if timeout is not None and waited > timeout:
                raise ReplError(f"no prompt from the Scala REPL in {timeout} s: {said[-500:]!r}")

    def _drain(self, quiet, fds=None):
        """Passes on what the program wrote (all of it when ``fds`` is None)."""
        for fd, sink in ((self.out_fd, self.on_stdout), (self.proc.stderr.fileno(), self.on_stderr)):
            if fds is not None and fd not in fds:
                continue
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    break
                text = self._decoders[fd].decode(chunk)
                if sink is self.on_stderr:
                    self._stderr_tail = (self._stderr_tail + text)[-2000:]
                if text and not quiet:
                    sink(text)
                if not chunk or fds is not None:
                    break

    def interrupt(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGINT)

    def close(self, grace_seconds=5):
        """Ends the JVM (SIGTERM, then SIGKILL) and removes the kernel's files."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for fd in (self.out_fd, self._out_keep):
            try:
                os.close(fd)
            except OSError:
                pass
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)


def _scala_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
