"""Runs one notebook inside the grading sandbox and reports what happened (executed by sandbox.py).

This file is the only course code that runs inside the sandbox besides the
student kit (helpers/, public graders/, datasets/). It is started as
``python -I sandbox_runner.py NOTEBOOK RESULT_FD CELL_TIMEOUT_S OUTPUT_BYTES OBSERVATION_MIME`` in a fresh private working folder and:

1. writes a kernel spec of its own (``python -I -m ipykernel_launcher`` with
   ``--ignore-cwd``: nothing in the working folder can shadow a module), with
   COURSE_GRADING_MODE=probe so test cells only record observations;
2. executes the cells one by one with nbclient, keeping going after an error
   in a cell (as nbgrader does), and stops at a dead kernel or a cell timeout,
   naming the cell;
3. caps the outputs (bytes per notebook), replacing what was cut with a note
   (the test cells' observations, read only by the judge, are not capped);
4. writes one JSON document -- the executed notebook and the events -- to a
   file descriptor the kernel never inherits. The process is made
   non-dumpable, so the student's processes cannot reach that descriptor
   through /proc.

It imports nothing from graders/ on purpose: the judge runs outside.
"""

import ctypes
import json
import os
import sys
import time

RESULT_VERSION = 1
KERNEL_NAME = "course-grading"
OUTPUT_NOTE = "[output cut: this notebook printed more than {limit:,} bytes; the rest was dropped]\n"
_PR_SET_DUMPABLE = 4  # prctl option, <linux/prctl.h>


def _not_dumpable():
    """Keep other processes of the same user from opening this process's descriptors via /proc."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the sandbox refuses to run there anyway
        pass


def write_kernel_spec(jupyter_dir, env):
    """A kernel spec for this interpreter, isolated (-I, --ignore-cwd), in probe mode."""
    folder = os.path.join(jupyter_dir, "kernels", KERNEL_NAME)
    os.makedirs(folder, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-I", "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--ignore-cwd", "--IPKernelApp.capture_fd_output=False", "--HistoryManager.enabled=False"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "env": env,
    }
    with open(os.path.join(folder, "kernel.json"), "w") as f:
        json.dump(spec, f)


def _output_size(output):
    return len(json.dumps(output))


class OutputCap:
    """Keeps at most `limit` bytes (JSON size) of outputs over a whole notebook, cell after cell.

    A stream that crosses the limit keeps its first part; one note says where
    the cut happened; every later output is dropped.
    """

    def __init__(self, limit, exempt_mime=None):
        self.limit, self.used, self.cut = limit, 0, False
        self.exempt_mime = exempt_mime

    def _exempt(self, output):
        # the test cells' observations go to the judge, never to a reader: they are not capped here
        return self.exempt_mime is not None and self.exempt_mime in (output.get("data") or {})

    def apply(self, cell):
        """Cap the outputs of a cell that just ran; return True when this cell was cut."""
        kept, cut_here = [], False
        for output in cell.get("outputs", []):
            if self._exempt(output):
                kept.append(output)
                continue
            size = _output_size(output)
            if not self.cut and self.used + size <= self.limit:
                self.used += size
                kept.append(output)
                continue
            if not self.cut:
                room = self.limit - self.used
                if output.get("output_type") == "stream" and room > 0:
                    output["text"] = output["text"][: room // 2]  # JSON escaping at most doubles a character
                    kept.append(output)
                kept.append({"output_type": "stream", "name": "stdout", "text": OUTPUT_NOTE.format(limit=self.limit)})
                self.cut = cut_here = True
        cell["outputs"] = kept
        return cut_here


def execute(nb, cell_timeout, output_limit, exempt_mime=None):
    """Execute `nb` (nbformat) in place; return the list of events (dicts)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    events = []
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=cell_timeout, allow_errors=True,
                            interrupt_on_timeout=False, resources={"metadata": {"path": os.getcwd()}})
    started, cap = time.monotonic(), OutputCap(output_limit, exempt_mime)
    try:
        with client.setup_kernel():
            events.append({"event": "kernel_started", "seconds": round(time.monotonic() - started, 3)})
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    cap.apply(cell)
                    events.append({"event": "timeout", "cell": index, "seconds": cell_timeout})
                    break
                except DeadKernelError:
                    cap.apply(cell)
                    events.append({"event": "kernel_died", "cell": index})
                    break
                if cap.apply(cell):
                    events.append({"event": "output_capped", "cell": index, "limit": output_limit})
    except DeadKernelError:
        events.append({"event": "kernel_died", "cell": None})
    except Exception as err:  # the kernel could not start, or nbclient failed: say so, in one line
        events.append({"event": "runner_error", "error": f"{type(err).__name__}: {str(err)[:500]}"})
    events.append({"event": "finished", "seconds": round(time.monotonic() - started, 3)})
    return events


def main(argv):
    notebook_path, result_fd = argv[1], int(argv[2])
    cell_timeout, output_limit, exempt_mime = int(argv[3]), int(argv[4]), argv[5]
    _not_dumpable()
    os.set_inheritable(result_fd, False)  # the kernel and its children never get it
    result = os.fdopen(result_fd, "w")
    import nbformat

    jupyter_dir = os.path.join(os.environ["HOME"], ".course-jupyter")
    kernel_env = {key: os.environ[key] for key in ("COURSE_GRADING_MODE", "COURSE_QUICK", "TF_CPP_MIN_LOG_LEVEL",
                                                   "OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA", "MPLBACKEND")
                  if key in os.environ}
    write_kernel_spec(jupyter_dir, kernel_env)
    os.environ["JUPYTER_PATH"] = jupyter_dir
    try:
        nb = nbformat.read(notebook_path, as_version=4)
    except Exception as err:
        events = [{"event": "runner_error", "error": f"unreadable notebook: {err}"}]
        json.dump({"version": RESULT_VERSION, "notebook": None, "events": events}, result)
        return 0
    events = execute(nb, cell_timeout, output_limit, exempt_mime)
    json.dump({"version": RESULT_VERSION, "notebook": nb, "events": events}, result)
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
