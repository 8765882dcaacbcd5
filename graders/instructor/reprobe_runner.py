"""The judge's own run of the behaviour probes, inside a sandbox of its own (started by reprobe.py).

A function graded by behaviour (a Keras model, a sampler, a training loop)
is judged on what it does when the probe drives it. The grading kernel's
observations cannot be trusted for that: any cell of the notebook may have
replaced the probe, the observers or numpy before the test cell ran. So the
judge runs the probes again, here, in a fresh Python process that holds only

1. the grading code of the kit, imported before any student code, and the
   cases of both suites, built from it (the hidden ones from the public
   record's inputs: no hidden answer ever comes here);
2. the instructor's setup cells (from the source notebook, not the
   submission's copy);
3. the submission's solution cells, and nothing else of the notebook: no
   cell the student added, no test cell, no training cell.

It is started as ``python -I reprobe_runner.py REQUEST RESULT_FD``; the
first line of stdin is a nonce that every result line must carry (stdin is
closed before any student code runs, so the nonce lives only in this
function's locals). Code in the solution cells still runs in this process,
so two guards watch it while it runs:

- `Guard` snapshots the grading code's, the helpers', numpy's, Keras's and
  the builtins' module namespaces, the code of their Python functions and
  the attributes of their classes, and the entries of sys.modules; after
  every cell and every probed case it verifies that nothing was replaced,
  added or removed, under whatever name it was reached;
- `Sentinel`, an audit hook (it cannot be removed once added), notes what
  student code does that honest code never needs: tracing or profiling
  (which would blind the probe's line counter), walking the object graph
  (gc), reading other frames from its own lines, native memory (ctypes),
  reading the process's own memory or descriptors under /proc, changing the
  attributes of a protected class or function, compiling code under a name
  that is not its own.

A function probed after either guard fired gets no observations, only the
reason, and so scores 0. What remains possible is in docs/grading.md.
Output: one JSON line per function, ``{"nonce", "function", ...}``, to
RESULT_FD, written as soon as that function is done, so a run cut short by
its time limit still returns the functions it finished.
"""

import builtins
import contextlib
import importlib
import io
import json
import os
import sys
import types

RESULT_VERSION = 1
STUDENT_FILE = "<submission "  # the filename every student cell is compiled under starts with this
SETUP_FILE = "<setup cell>"
# modules whose namespaces, functions and classes must stay as imported (name prefixes)
PROTECTED_PREFIXES = ("graders", "helpers", "numpy", "keras", "builtins", "copy", "functools", "json", "base64", "math")
# events honest code never causes while a student's function runs; attributed to a student frame on the stack
ALWAYS_SUSPICIOUS = ("sys.settrace", "sys.setprofile", "gc.get_objects", "gc.get_referrers", "gc.get_referents",
                     "sys._current_frames", "code.__new__", "sys.addaudithook")
PROCESS_EVENTS = ("os.system", "subprocess.Popen", "os.kill", "os.killpg", "pty.spawn")
FRAME_EVENTS = ("sys._getframe", "sys._getframemodulename")  # suspicious when a student's line asks for a frame
FRAME_ATTRIBUTES = ("tb_frame", "gi_frame", "cr_frame", "ag_frame", "gi_code", "cr_code", "ag_code")
PROC_FILES = ("/mem", "/fd", "/maps", "/environ", "/pagemap")
# functions of sys the probe calls; sys itself cannot be frozen (redirecting stdout changes it)
SYS_FUNCTIONS = ("settrace", "gettrace", "setprofile", "getprofile", "_getframe", "audit", "addaudithook", "modules")
_PR_SET_DUMPABLE = 4  # prctl option, <linux/prctl.h>


def _not_dumpable():
    """Keep other processes of the same user from reading this process's memory or descriptors via /proc."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the sandbox refuses to run there anyway
        pass


def _protected(name):
    return any(name == p or name.startswith(p + ".") for p in PROTECTED_PREFIXES)


class Guard:
    """The state of the protected modules, taken before student code runs, and a check that it still holds."""

    def __init__(self):
        self.modules = {}
        self.namespaces = {}
        self.functions = {}
        self.classes = {}
        self.sys_modules = {}
        self.sys_functions = {}

    def snapshot(self):
        for name, module in list(sys.modules.items()):
            if module is None or not _protected(name):
                continue
            self.sys_modules[name] = module
            namespace = vars(module)
            self.namespaces[name] = dict(namespace)
            for value in list(namespace.values()):
                self._remember(value, name)
        self.sys_functions = {name: getattr(sys, name) for name in SYS_FUNCTIONS}

    def _remember(self, value, module_name):
        owner = getattr(value, "__module__", None)
        if not isinstance(owner, str) or not _protected(owner):
            return
        if isinstance(value, types.FunctionType) and id(value) not in self.functions:
            self.functions[id(value)] = (value, value.__code__, value.__defaults__, value.__kwdefaults__)
        elif isinstance(value, type) and id(value) not in self.classes:
            self.classes[id(value)] = (value, dict(vars(value)))
            for member in list(vars(value).values()):
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                if isinstance(member, types.FunctionType) and id(member) not in self.functions:
                    self.functions[id(member)] = (member, member.__code__, member.__defaults__, member.__kwdefaults__)

    def problem(self):
        """None while everything is as imported, else a sentence naming the first thing that changed."""
        for name, value in self.sys_functions.items():
            if getattr(sys, name, None) is not value:
                return f"sys.{name} was replaced"
        for name, module in self.sys_modules.items():
            if sys.modules.get(name) is not module:
                return f"the module {name} was replaced in sys.modules"
        for name, before in self.namespaces.items():
            now = vars(self.sys_modules[name])
            for key, value in before.items():
                if now.get(key, _MISSING) is not value:
                    return f"{name}.{key} was replaced"
            for key in now.keys() - before.keys():
                if not isinstance(now[key], types.ModuleType) and not (key.startswith("__") and key.endswith("__")):
                    return f"{name}.{key} was added"
        for value, code, defaults, kwdefaults in self.functions.values():
            if value.__code__ is not code or value.__defaults__ is not defaults or value.__kwdefaults__ is not kwdefaults:
                return f"the code of {value.__module__}.{value.__qualname__} was replaced"
        for cls, before in self.classes.values():
            now = vars(cls)
            for key, value in before.items():
                if key != "__abstractmethods__" and now.get(key, _MISSING) is not value:
                    return f"{cls.__module__}.{cls.__qualname__}.{key} was replaced"
        return None


_MISSING = object()


class Sentinel:
    """An audit hook noting what student code does that honest code never needs (see the module docstring).

    report(text) is called at once for each finding (the runner writes it to the result at once), so code that
    later reaches this object cannot take a finding back.
    """

    def __init__(self, report):
        self.findings = []
        self.report = report
        self.busy = False

    def install(self):
        sys.addaudithook(self._hook)

    def _found(self, text):
        self.findings.append(text)
        self.report(text)

    def _hook(self, event, args):
        if self.busy:  # the hook's own sys._getframe
            return
        self.busy = True
        try:
            self._check(event, args)
        finally:
            self.busy = False

    def _check(self, event, args):
        if event in ALWAYS_SUSPICIOUS or event.startswith(("ctypes.", "os.fork", "os.exec", "os.posix_spawn")) \
                or event in PROCESS_EVENTS:
            if _student_on_stack():
                self._found(f"{event} was called while your code ran")
        elif event in FRAME_EVENTS:
            if _student_near():
                self._found(f"your code read the interpreter's frames ({event})")
        elif event == "object.__getattr__":
            if len(args) > 1 and args[1] in FRAME_ATTRIBUTES and _student_near():
                self._found(f"your code read the interpreter's frames ({args[1]})")
        elif event in ("object.__setattr__", "object.__delattr__"):
            target = args[0] if args else None
            owner = getattr(target, "__module__", None)
            if isinstance(owner, str) and _protected(owner) and _student_on_stack():
                self._found(f"your code changed {owner}.{getattr(target, '__qualname__', '?')}.{args[1]}")
        elif event == "open":
            path = str(args[0]) if args else ""
            if path.startswith("/proc/") and any(part in path for part in PROC_FILES) and _student_on_stack():
                self._found(f"your code opened {path}")
        elif event == "compile":
            filename = str(args[1]) if len(args) > 1 else ""
            if _student_near() and not filename.startswith(("<string>", STUDENT_FILE)):
                self._found(f"your code compiled code under the name {filename!r}")


def _stack_files(limit=None):
    """Filenames of the code above the event, nearest first (frames 0-3: this, the test, _check, the hook)."""
    frame, files = sys._getframe(4), []
    while frame is not None and (limit is None or len(files) < limit):
        files.append(frame.f_code.co_filename)
        frame = frame.f_back
    return files


def _student_on_stack():
    return any(name.startswith(STUDENT_FILE) for name in _stack_files())


def _student_near(depth=2):
    """The event comes from a student's line or from a library function the student's line called directly
    (inspect.currentframe(), traceback.walk_tb(), logging.currentframe())."""
    return any(name.startswith(STUDENT_FILE) for name in _stack_files(depth))


class _NoShell:
    """What get_ipython() returns here: magics and shell commands of a cell do nothing."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _python_source(source):
    """A cell's source as plain Python (IPython magics become get_ipython() calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _one_line(err):
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text[:300]}" if text else type(err).__name__


def _write_line(handle, nonce, record):
    handle.write(json.dumps({"version": RESULT_VERSION, "nonce": nonce, **record}) + "\n")
    handle.flush()


def run(request, write):
    """Probe request["functions"] of request["assignment"] on the setup and solution cells; write() each result."""
    from graders import probe
    from graders.assignment import SUITES

    observe, encode = probe.observe, probe.encode
    grader = importlib.import_module("graders." + request["assignment"].split("_", 1)[1]).GRADER
    namespace = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": _NoShell}
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        for source in request["setup"]:
            exec(compile(_python_source(source), SETUP_FILE, "exec"), namespace)
    plan = {}
    for func_name in request["functions"]:
        graded = grader.graded[func_name]
        plan[func_name] = (graded.observer(), [(suite, case) for suite in SUITES
                                               for case in grader.cases(func_name, suite)])
    guard, sentinel = Guard(), Sentinel(lambda text: write({"tampering": text}))
    guard.snapshot()
    sentinel.install()  # from here on, every finding is written at once
    reported = []

    def tampering():
        problem = guard.problem()
        if problem and problem not in reported:
            reported.append(problem)
            write({"tampering": problem})
        return problem or next(iter(sentinel.findings), None)

    cell_errors = []
    sink = _Sink()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        for label, source in request["cells"]:
            try:
                code = compile(_python_source(source), f"{STUDENT_FILE}{label}>", "exec")
                exec(code, namespace)
            except BaseException as err:  # a cell's error (SystemExit too) is the student's: note it, go on
                cell_errors.append(f"{label} raised {_one_line(err)}")
        found_tampering = tampering()
        for func_name, (observer, cases) in plan.items():
            record = {"function": func_name, "cell_errors": cell_errors}
            func = namespace.get(func_name)
            if found_tampering is None and func is None:
                record["missing"] = True
            observations = {suite: [] for suite in SUITES}
            for suite, case in cases if found_tampering is None and func is not None else ():
                found = observe(observer, func, case, func_name)
                found_tampering = tampering()
                if found_tampering:
                    break
                observations[suite].append(found)
            if found_tampering:
                record["tampering"] = found_tampering
            elif func is not None:
                try:
                    record["observations"] = {suite: encode(found) for suite, found in observations.items()}
                except (TypeError, ValueError) as err:
                    record["unsendable"] = _one_line(err)
            write(record)


class _Sink(io.TextIOBase):
    """Where a student's prints go here: nowhere (the notebook's own run shows them)."""

    def write(self, text):
        return len(text)


def main(argv):
    request_path, result_fd = argv[1], int(argv[2])
    nonce = sys.stdin.readline().strip()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the nonce cannot be read again
    _not_dumpable()
    handle = os.fdopen(result_fd, "w")
    with open(request_path) as f:
        request = json.load(f)
    try:
        run(request, lambda record: _write_line(handle, nonce, record))
    except Exception as err:  # the runner's own failure: say so in one line, never pass
        _write_line(handle, nonce, {"runner_error": _one_line(err)})
    handle.close()
    os._exit(0)  # no student object's finalizer runs after the results


if __name__ == "__main__":
    main(sys.argv)
