"""The judge at autograde time: scores come from here, never from the student's kernel.

After a notebook has run in the grading kernel (COURSE_GRADING_MODE=probe),
each graded test cell holds observations, not verdicts (graders.assignment).
This module, running in the instructor's own process, reads them, compares
them with the public and hidden records (graders/instructor/hidden/, which no
student kernel ever loads) or with a trusted oracle, and

- replaces the cell's outputs with the verdict (the check's message on a
  failure, so feedback shows it first and without a traceback);
- gives the cell its points only when every public and every hidden case
  passed; a cell with missing, duplicated or malformed observations gets 0.

`judge_notebook` works on an nbformat notebook; the pipeline writes the
scores into nbgrader's gradebook.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from graders import assignment as graded_assignment
from graders import probe, records
from graders.instructor import reprobe, solutions

HIDDEN_RECORD_DIR = Path(__file__).resolve().parent / "hidden"
TEST_CELL_PREFIX = "test_"  # a graded test cell's grade_id is test_<function name>


@dataclass(frozen=True)
class Verdict:
    """The judge's decision on one graded cell."""

    grade_id: str
    passed: bool
    points: float
    max_points: float
    message: str


def suite_folder(suite):
    """Where the records of a suite live: graders/references/ (public) or graders/instructor/hidden/."""
    return records.PUBLIC_RECORD_DIR if suite == "public" else HIDDEN_RECORD_DIR


def load_suite_record(assignment, suite):
    return records.load_record(assignment, suite_folder(suite), suite)


def judge_function(assignment, func_name, func, records_by_suite=None):
    """The first failure message of `func` as `func_name`, over the public then the hidden cases (None: all pass).

    The same observe-then-judge path as autograding, in one process (tests, portability checks), taken one
    case at a time: the cases after the first failure are not observed, since the message is that failure's
    (every case is observed on fresh copies of its inputs, so no case sees another's).
    """
    grader = solutions.grader_module(assignment).GRADER
    records_by_suite = suite_records(assignment) if records_by_suite is None else records_by_suite
    observer = grader.graded[func_name].observer()
    for suite in graded_assignment.SUITES:
        record = records_by_suite[suite]
        judged_cases = {case.name: case for case in grader.cases(func_name, suite, grader.judging_record(record))}
        for case in grader.cases(func_name, suite):
            observation = probe.observe(observer, func, case, func_name)
            failure = grader.judge(func_name, suite, [observation], record, cases=[judged_cases[case.name]])
            if failure:
                return failure
    return None


def _payloads(cell, assignment):
    """{(function, suite): [Observation]} from a cell's outputs; raises ValueError on a malformed one."""
    found = {}
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
        if graded_assignment.OBSERVATION_MIME not in data:
            continue
        payload = data[graded_assignment.OBSERVATION_MIME]
        if isinstance(payload, str):
            payload = json.loads(payload)
        if payload.get("version") != graded_assignment.OBSERVATION_VERSION or payload.get("assignment") != assignment:
            raise ValueError("observations of another version or assignment")
        key = (str(payload.get("function")), str(payload.get("suite")))
        if key in found:
            raise ValueError(f"the {key[1]} cases of {key[0]} were observed twice")
        found[key] = probe.decode(payload.get("observations", []))
    return found


def judge_cell(grader, func_name, cell, records_by_suite, reprobed=None, nb=None):
    """(passed, message) for one graded cell of `func_name`.

    reprobed : the judge's own run (graders/instructor/reprobe.py); when given, a function graded by behaviour
               is judged on its observations, not on the kernel's (the test cell must still have run)
    nb : the notebook, to name a cell in a message
    """
    try:
        payloads = _payloads(cell, grader.name)
    except (ValueError, TypeError, AttributeError) as err:
        return False, f"{func_name}: the test cell's observations are unreadable ({err}); run the cell as given"
    for suite in graded_assignment.SUITES:
        if payloads.get((func_name, suite)) is None:
            return False, (f"{func_name}: the test cell recorded no {suite} observations "
                           f"(did the cell run to its end, unchanged?)")
    graded = grader.graded[func_name]
    if reprobed is None or (graded.observe is None and graded.expect is None):
        return _judge_suites(grader, func_name, payloads, records_by_suite)
    kernel_passed, _ = _judge_suites(grader, func_name, payloads, records_by_suite)
    found, failure = reprobe.observations(reprobed, func_name)
    if not failure:
        passed, failure = _judge_suites(grader, func_name, {(func_name, s): found.get(s, []) for s in found},
                                        records_by_suite)
        if passed:
            return True, failure
        note = reprobe.outside_name(failure, nb)
        failure += "\n" + note if note else ""
    if kernel_passed:  # the notebook's own observations passed where the judge's run of the same cells failed
        failure = (f"{func_name}: the observations your notebook sent pass, the judge's own run of your solution "
                   f"cells does not, so something in the notebook changed what the test cell saw; the judge's "
                   f"run decides:\n" + failure)
    return False, failure


def _judge_suites(grader, func_name, payloads, records_by_suite):
    """(passed, message) of the observations {(function, suite): [Observation]} over both suites."""
    counts = []
    for suite in graded_assignment.SUITES:
        observations = payloads.get((func_name, suite))
        if observations is None:
            return False, f"{func_name}: no {suite} observations"
        try:
            failure = grader.judge(func_name, suite, observations, records_by_suite[suite])
        except Exception as err:  # a judge error is the grader's fault: say so, never pass
            return False, f"{func_name}: the judge could not check the {suite} cases ({type(err).__name__}: {err})"
        if failure:
            return False, failure
        counts.append(f"{len(observations)} {suite}")
    return True, f"{func_name}: all {' and '.join(counts)} cases passed"


def verdict_outputs(passed, text):
    if passed:
        return [{"output_type": "stream", "name": "stdout", "text": text + "\n"}]
    lines = text.split("\n")
    return [{"output_type": "error", "ename": "CheckFailure", "evalue": lines[0], "traceback": lines}]


def suite_records(assignment):
    """{suite: Record} of an assignment; load them before any student kernel starts, and keep them."""
    return {suite: load_suite_record(assignment, suite) for suite in graded_assignment.SUITES}


def judge_notebook(assignment, nb, records_by_suite=None, reprobed=None):
    """Judge every graded test cell of an executed notebook; rewrite their outputs; return [Verdict].

    records_by_suite : from suite_records(), loaded before any student code ran (default: read now)
    reprobed : the judge's own run of the behaviour probes (reprobe.run); autograding and validation always
               pass it; None judges behaviour-graded functions on the kernel's observations (tests of the
               judge alone)
    """
    import nbformat

    grader = solutions.grader_module(assignment).GRADER
    records_by_suite = suite_records(assignment) if records_by_suite is None else records_by_suite
    verdicts = []
    for cell in nb.cells:
        meta = solutions.nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("grade"):
            continue
        grade_id = meta["grade_id"]
        func_name = grade_id[len(TEST_CELL_PREFIX):]
        if not grade_id.startswith(TEST_CELL_PREFIX) or func_name not in grader.graded:
            raise ValueError(f"graded cell {grade_id} of {assignment} names no graded function")
        passed, text = judge_cell(grader, func_name, cell, records_by_suite, reprobed, nb)
        max_points = float(meta.get("points", 0))
        cell.outputs = [nbformat.from_dict(o) for o in verdict_outputs(passed, text)]
        verdicts.append(Verdict(grade_id, passed, max_points if passed else 0.0, max_points, text))
    return verdicts


def judge_file(assignment, path, records_by_suite=None):
    """Judge an executed notebook file in place (its graded cells get the verdicts); return [Verdict]."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    verdicts = judge_notebook(assignment, nb, records_by_suite)
    nbformat.write(nb, str(path))
    return verdicts
