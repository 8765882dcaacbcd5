"""Runs one notebook inside the grading sandbox and reports what happened (executed by sandbox.py).

This file is the only course code that runs inside the sandbox besides the
student kit (helpers/, public graders/, datasets/). It is started as
``python -I sandbox_runner.py NOTEBOOK RESULT_FD CELL_TIMEOUT_S OUTPUT_BYTES MEDIA_BYTES WALL_S OBSERVATION_MIME`` in a fresh private working folder and:

1. writes a kernel spec of its own (``python -I -m ipykernel_launcher`` with
   ``--ignore-cwd``: nothing in the working folder can shadow a module), with
   COURSE_GRADING_MODE=probe so test cells only record observations;
2. executes the cells one by one with nbclient, keeping going after an error
   in a cell (as nbgrader does), and stops at a dead kernel, a cell timeout or
   the notebook's wall time (each cell may use at most what is left of it),
   naming the cell, so that what ran before still comes back;
3. caps the outputs (bytes of text and of media per notebook), replacing what was cut with a note
   (the test cells' observations, read only by the judge, are not capped);
4. writes one JSON document -- the executed notebook and the events -- to a
   file descriptor the kernel never inherits. The process is made
   non-dumpable, so the student's processes cannot reach that descriptor
   through /proc.

It imports nothing from graders/ on purpose: the judge runs outside.
"""

import ctypes
import json
import math
import os
import sys
import time

RESULT_VERSION = 1
KERNEL_NAME = "course-grading"
OUTPUT_NOTE = "[output cut: more than {limit:,} bytes of {kind} output in this notebook; the rest was dropped]\n"
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
    """Keeps at most `limit` bytes (JSON size) of text outputs and `media_limit` of the others, per notebook.

    Text is what a notebook prints (streams, errors); media are figures,
    audio and HTML, which an honest notebook (03's audio players) can fill
    with a few MB. Each kind has its own budget, so a text flood never hides
    the figures and the other way round. A stream that crosses its limit keeps
    its first part; one note says where each kind was cut; later outputs of
    that kind are dropped. Observations (exempt_mime) go to the judge, never
    to a reader, and are not capped.
    """

    def __init__(self, limit, media_limit, exempt_mime=None):
        self.limits = {"text": limit, "media": media_limit}
        self.used = {"text": 0, "media": 0}
        self.cut = {"text": False, "media": False}
        self.exempt_mime = exempt_mime

    def _exempt(self, output):
        return self.exempt_mime is not None and self.exempt_mime in (output.get("data") or {})

    @staticmethod
    def kind(output):
        return "text" if output.get("output_type") in ("stream", "error") else "media"

    def apply(self, cell):
        """Cap the outputs of a cell that just ran; return the kinds ("text", "media") first cut in this cell."""
        kept, cut_here = [], []
        for output in cell.get("outputs", []):
            if self._exempt(output):
                kept.append(output)
                continue
            kind, size = self.kind(output), _output_size(output)
            if not self.cut[kind] and self.used[kind] + size <= self.limits[kind]:
                self.used[kind] += size
                kept.append(output)
                continue
            if not self.cut[kind]:
                room = self.limits[kind] - self.used[kind]
                if output.get("output_type") == "stream" and room > 0:
                    output["text"] = output["text"][: room // 2]  # JSON escaping at most doubles a character
                    kept.append(output)
                kept.append({"output_type": "stream", "name": "stdout",
                             "text": OUTPUT_NOTE.format(limit=self.limits[kind], kind=kind)})
                self.cut[kind] = True
                cut_here.append(kind)
        cell["outputs"] = kept
        return cut_here


def execute(nb, cell_timeout, output_limit, media_limit, exempt_mime=None, wall_s=None):
    """Execute `nb` (nbformat) in place; return the list of events (dicts).

    wall_s : seconds for the whole notebook, kernel start included (None: no limit but the per-cell one)
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    events = []
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=cell_timeout, allow_errors=True,
                            interrupt_on_timeout=False, resources={"metadata": {"path": os.getcwd()}})
    started, cap = time.monotonic(), OutputCap(output_limit, media_limit, exempt_mime)
    deadline = None if wall_s is None else started + wall_s
    try:
        with client.setup_kernel():
            events.append({"event": "kernel_started", "seconds": round(time.monotonic() - started, 3)})
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                left = cell_timeout if deadline is None else deadline - time.monotonic()
                if left <= 0:
                    events.append({"event": "wall_time", "cell": index, "seconds": wall_s})
                    break
                client.timeout = max(1, math.ceil(min(cell_timeout, left)))
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    cap.apply(cell)
                    if left < cell_timeout:
                        events.append({"event": "wall_time", "cell": index, "seconds": wall_s})
                    else:
                        events.append({"event": "timeout", "cell": index, "seconds": cell_timeout})
                    break
                except DeadKernelError:
                    cap.apply(cell)
                    events.append({"event": "kernel_died", "cell": index})
                    break
                for kind in cap.apply(cell):
                    events.append({"event": "output_capped", "cell": index, "kind": kind, "limit": cap.limits[kind]})
    except DeadKernelError:
        events.append({"event": "kernel_died", "cell": None})
    except Exception as err:  # the kernel could not start, or nbclient failed: say so, in one line
        events.append({"event": "runner_error", "error": f"{type(err).__name__}: {str(err)[:500]}"})
    events.append({"event": "finished", "seconds": round(time.monotonic() - started, 3)})
    return events


def main(argv):
    notebook_path, result_fd = argv[1], int(argv[2])
    cell_timeout, output_limit, media_limit, wall_s = int(argv[3]), int(argv[4]), int(argv[5]), int(argv[6])
    exempt_mime = argv[7]
    _not_dumpable()
    os.set_inheritable(result_fd, False)  # the kernel and its children never get it
    result = os.fdopen(result_fd, "w")
    import nbformat

    from helpers.budget import QUICK_ENV_VAR  # the student kit's, which the kernel reads too

    jupyter_dir = os.path.join(os.environ["HOME"], ".course-jupyter")
    kernel_env = {key: os.environ[key] for key in ("COURSE_GRADING_MODE", QUICK_ENV_VAR, "TF_CPP_MIN_LOG_LEVEL",
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
    events = execute(nb, cell_timeout, output_limit, media_limit, exempt_mime, wall_s)
    json.dump({"version": RESULT_VERSION, "notebook": nb, "events": events}, result)
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
