"""The judge's own observations of the functions graded by behaviour.

A function graded by behaviour (its grader declares `observe` or `expect`:
Keras models, samplers, training loops, properties) is not judged on what the
grading kernel observed: every cell of a submission runs in that kernel, and
code built to hide its names could replace the probe there. Instead the judge
has the probes run again, in a fresh sandboxed process of its own
(graders/instructor/reprobe_runner.py) that holds the kit's grading code,
imported first, the instructor's setup cells and the submission's solution
cells, nothing else. The kernel's test cell must still have run (a graded
cell after a crash scores 0, as before); its verdict comes from here.

`request(assignment, nb)` builds what the runner needs from a sanitized
notebook; `run(...)` runs it (on a worker); `observations(...)` gives the
judge the observations of one function, or the sentence that replaces them.
"""

import json
import secrets
from pathlib import Path

from graders import probe
from graders.instructor import sandbox, solutions

RUNNER = Path(__file__).resolve().with_name("reprobe_runner.py")
RESULT_VERSION = 1
# the judge's run imports TensorFlow and probes every behaviour-graded function once per case: far below this
WALL_S = 600


def behaviour_functions(assignment):
    """Names of the functions of `assignment` graded by behaviour, in the notebook's order."""
    grader = solutions.grader_module(assignment).GRADER
    return [name for name, graded in grader.graded.items() if graded.observe is not None or graded.expect is not None]


def _label(nb, index):
    grade_id = solutions.nbgrader_meta(nb.cells[index]).get("grade_id", "")
    return f"cell {index + 1} ({grade_id})"


def request(assignment, nb):
    """What the judge's run needs (JSON-able), or None when `assignment` grades nothing by behaviour.

    The setup cells come from the instructor's source notebook; from the submission only its solution cells.
    """
    functions = behaviour_functions(assignment)
    if not functions:
        return None
    cells = [[_label(nb, i), cell.source] for i, cell in enumerate(nb.cells)
             if cell.cell_type == "code" and solutions.nbgrader_meta(cell).get("solution")]
    return {"assignment": assignment, "functions": functions, "setup": solutions.setup_sources(assignment),
            "cells": cells}


def run(probe_request, kit_dir, repo_root, limits, isolate=True):
    """Run the judge's probes in a fresh sandbox; return {"functions": {name: record}, "tampering": [...],
    "cause": str or None, "seconds": float} (JSON-able, so a worker can send it back)."""
    nonce = secrets.token_hex(16)
    limits = sandbox.Limits(**{**limits.__dict__, "wall_s": min(limits.wall_s, WALL_S)})
    result, output = sandbox.run_runner(json.dumps(probe_request), RUNNER, lambda fd: [str(fd)], kit_dir, repo_root,
                                        limits, isolate=isolate, stdin_text=nonce + "\n")
    functions, tampering, runner_error = {}, [], None
    for line in output.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict) or record.get("nonce") != nonce or record.get("version") != RESULT_VERSION:
            continue  # not written by the runner: a student's code wrote it
        if "tampering" in record and "function" not in record:
            tampering.append(str(record["tampering"]))
        elif "runner_error" in record:
            runner_error = str(record["runner_error"])
        elif isinstance(record.get("function"), str) and record["function"] not in functions:
            # a function reported after a finding was probed in a process that can no longer be trusted
            functions[record["function"]] = record if not tampering else {"tampering": tampering[0]}
    cause = result.cause or (f"the judge's run failed ({runner_error})" if runner_error else None)
    return {"functions": functions, "tampering": tampering, "cause": cause, "seconds": result.seconds,
            "log_tail": result.log_tail[-2000:]}


def observations(reprobed, func_name, nb=None):
    """({suite: [Observation]}, None) of `func_name` from the judge's run, or (None, the failure message)."""
    record = (reprobed.get("functions") or {}).get(func_name)
    if record is None:
        why = reprobed.get("cause") or "it ended before this function"
        return None, (f"{func_name}: the judge's own run of your solution cells did not finish ({why}); "
                      f"run the notebook from the top and check that every solution cell runs quickly on its own")
    if "tampering" in record:
        return None, (f"{func_name}: tampering detected: while the judge probed your solution cells, "
                      f"{record['tampering']}. Graded functions may only compute their result; this check scores 0")
    if record.get("missing"):
        errors = record.get("cell_errors") or []
        why = f" ({'; '.join(errors)})" if errors else ""
        return None, (f"{func_name}: your solution cells, run after the setup cells alone, define no function "
                      f"{func_name}{why}; the judge runs only those cells, so define {func_name} (and anything "
                      f"it uses) in the solution cells")
    if "unsendable" in record:
        return None, f"{func_name}: a returned value cannot be graded ({record['unsendable']})"
    try:
        found = {suite: probe.decode(items) for suite, items in record["observations"].items()}
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        return None, f"{func_name}: the judge's run came back unreadable ({err})"
    return found, None


def outside_name(message, nb):
    """A hint for a NameError of the judge's run: the cell outside the solution cells that defines the name."""
    import re

    match = re.search(r"NameError: name '(\w+)' is not defined", message or "")
    if not match or nb is None:
        return None
    name = match.group(1)
    pattern = re.compile(rf"^(def|class)\s+{name}\b|^{name}\s*=|^import .*\b{name}\b|^from .* import .*\b{name}\b",
                         re.M)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and not solutions.nbgrader_meta(cell).get("solution") and pattern.search(
                cell.source):
            return (f"note:   the judge runs your graded functions with only the setup cells and the solution "
                    f"cells; '{name}' is defined in cell {index + 1}, outside them: move it into a solution cell")
    return None
