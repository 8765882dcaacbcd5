"""The nbgrader pipeline end to end: validate, release, stubs fail, nothing leaks, a class is graded.

These tests run real notebooks in quick mode in the grading kernel, and the
judge decides every score, exactly as `make autograde` does. Each notebook is
executed twice, side by side (the reference and the released stub, each judged on
every public and hidden case); a whole class -- honest, broken, crashing and
tampering submissions -- is autograded on one representative assignment,
since the per-function known-wrong tests (test_graders.py) prove the checks
of every other one.
"""

import csv
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from graders import messages, records
from graders.assignment import OBSERVATION_MIME
from graders.instructor import judge, pipeline, solutions

from conftest import ASSIGNMENTS, solution_lines

pytestmark = pytest.mark.slow

CLASS_ASSIGNMENT = ASSIGNMENTS[0]  # the fastest notebook stands for all in the class test
TRIVIAL_NUMBERS = {"0.0000", "1.0000", "-1.0000", "0.5000", "-0.5000"}
# what a student may try inside the kernel: replace the checks and numpy's comparisons (graded cells are restored)
TAMPERING = """import numpy as np
import graders.assignment as _ga
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
_ga.Assignment.check = lambda *a, **k: None
"""


def points(assignment):
    """{grade_id: points} of the graded cells, from the notebook's nbgrader metadata."""
    nb = nbformat.read(solutions.notebook_path(assignment), as_version=4)
    return {solutions.nbgrader_meta(c)["grade_id"]: solutions.nbgrader_meta(c)["points"]
            for c in nb.cells if solutions.nbgrader_meta(c).get("grade")}


def release_path(course, assignment):
    return course / "release" / assignment / solutions.notebook_path(assignment).name


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with the release generated, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("course")
    assert pipeline.release(course_root=root)
    return root


def test_source_notebook_passes_every_graded_cell(assignment, course, request):
    executed = validation_run(request, course, assignment, SOURCE_TEST)
    assert pipeline.validate_notebook(solutions.notebook_path(assignment), course_root=course, executed=executed) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_stub_fails_every_graded_cell(assignment, course, request):
    executed = validation_run(request, course, assignment, STUB_TEST)
    assert pipeline.validate_notebook(release_path(course, assignment), invert=True, course_root=course,
                                      executed=executed) == []


SOURCE_TEST, STUB_TEST = "test_source_notebook_passes_every_graded_cell", "test_released_stub_fails_every_graded_cell"
_executed = {}  # (assignment, test name) -> a validation run that test has not judged yet


def validation_run(request, course, assignment, test_name):
    """This test's notebook run; the first of the two validation tests of an assignment runs both notebooks.

    The reference notebook and its released stub are executed side by side (pipeline.validation_runs) when this
    session runs both tests of the assignment; each test judges its own run. The first test's duration holds
    both runs, the second's only its judging.
    """
    if (assignment, test_name) not in _executed:
        wanted = [name for name in (SOURCE_TEST, STUB_TEST)
                  if any(item.originalname == name and item.callspec.params["assignment"] == assignment
                         for item in request.session.items)]
        paths = {SOURCE_TEST: solutions.notebook_path(assignment), STUB_TEST: release_path(course, assignment)}
        runs = pipeline.validation_runs([paths[name] for name in wanted], course_root=course)
        _executed.update({(assignment, name): run for name, run in zip(wanted, runs)})
    return _executed.pop((assignment, test_name))


def test_a_graded_cell_that_raised_in_the_kernel_is_a_validation_problem():
    """The judge passes a behaviour-graded function on its own run; validation also wants the kernel's check."""
    nb = nbformat.read(solutions.notebook_path(CLASS_ASSIGNMENT), as_version=4)
    graded = [c for c in nb.cells if solutions.nbgrader_meta(c).get("grade")]
    graded[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="all public cases passed\n")]
    graded[-1].outputs = [nbformat.v4.new_output("error", ename="CheckFailure", evalue="rnn_cell_forward failed",
                                                 traceback=[])]
    problems = pipeline.kernel_failures(nb)
    assert problems == [f"graded cell {solutions.nbgrader_meta(graded[-1])['grade_id']} fails in the notebook's "
                        "kernel: CheckFailure: rnn_cell_forward failed"]


def test_a_cell_of_hidden_tests_only_counts_as_empty():
    """Under validate --invert such a cell would pass on any stub; validate_notebook must flag it."""
    assert not pipeline._has_code('"""Checks something."""\n')
    assert not pipeline._has_code("# only a comment\n")
    assert pipeline._has_code('"""Checks."""\ngrader.check_clip(clip)\n')


def _hidden_numbers(assignment):
    """Formatted first entries of the hidden expected values (what a message would show)."""
    numbers = set()
    for key, value in judge.load_suite_record(assignment, "hidden").arrays.items():
        if records.WRONG_MARK in key or np.asarray(value).size == 0:
            continue
        if np.asarray(value).dtype.kind in "biu":  # a label or word index ("2") is no secret and matches any text
            continue
        text = messages.fmt_number(np.asarray(value).ravel()[0])
        if text not in TRIVIAL_NUMBERS:
            numbers.add(text)
    return numbers


def _text_files(folder):
    for path in Path(folder).rglob("*"):
        if path.is_file() and path.suffix in {".py", ".ipynb", ".md", ".txt", ".html", ".json", ".toml", ".csv"}:
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_release_holds_no_solution_no_hidden_test_and_no_hidden_value(course):
    release = course / "release"
    kit = release / pipeline.KIT_DIR_NAME
    assert (kit / "graders" / "assignment.py").is_file() and (kit / "helpers" / "data.py").is_file()
    assert not (kit / "graders" / "instructor").exists()
    assert not list(kit.rglob("*hidden*")), "hidden records must stay with the instructor"
    secret_lines = set().union(*(solution_lines(a) for a in ASSIGNMENTS))
    hidden_numbers = set().union(*(_hidden_numbers(a) for a in ASSIGNMENTS))
    assert secret_lines and hidden_numbers
    for path, text in _text_files(release):
        assert "BEGIN HIDDEN TESTS" not in text and 'suite="hidden"' not in text, path
        assert "BEGIN SOLUTION" not in text, path
        leaked = [line for line in secret_lines if line in text]
        assert not leaked, f"{path} contains solution code: {leaked[:3]}"
        if path.suffix == ".ipynb":
            assert not [n for n in hidden_numbers if n in text], path
    for assignment in ASSIGNMENTS:
        with np.load(kit / "graders" / "references" / f"{assignment}.npz") as record:
            hidden_cases = _hidden_case_names(assignment)
            assert not [k for k in record.files if k.split("|")[1] in hidden_cases
                        and not k.startswith(records.FIXTURE_MARK)], assignment


def _hidden_case_names(assignment):
    grader = solutions.grader_module(assignment).GRADER
    return {case.name for func_name in grader.graded for case in grader.cases(func_name, "hidden")}


# --------------------------------------------------------------------------- a class, end to end


def _submission(course, assignment, mutant=None, sabotage=None):
    """The released notebook with the reference (optionally mutated or sabotaged) typed into its stubs."""
    nb = nbformat.read(release_path(course, assignment), as_version=4)
    references = solutions.solution_cells(assignment)
    for cell in nb.cells:
        grade_id = solutions.nbgrader_meta(cell).get("grade_id")
        if not solutions.nbgrader_meta(cell).get("solution"):
            continue
        source = references[grade_id] if sabotage is None or sabotage[2] else cell.source
        if mutant is not None and mutant[0] == grade_id:
            source = source.replace(mutant[1].old, mutant[1].new)
        if sabotage is not None and sabotage[0] == grade_id:
            source = sabotage[1] + source
        cell.source = "\n".join(line for line in source.splitlines()
                                if line.strip() not in solutions.SOLUTION_MARKERS)
    return nb


def _submit(course, student, assignment, nb=None, raw=None):
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / solutions.notebook_path(assignment).name
    if raw is not None:
        target.write_text(raw)
    else:
        nbformat.write(nb, target)


@pytest.fixture(scope="module")
def graded_class(course):
    """Reference, untouched stub, one known bug, a malformed file, a kernel that dies, a tampering stub."""
    assignment = CLASS_ASSIGNMENT
    declaration = solutions.declaration(assignment)
    func_name, variant = declaration.CLASS_BUG
    first_solution = next(iter(solutions.solution_cells(assignment)))
    _submit(course, "alice", assignment, _submission(course, assignment))
    shutil.copytree(course / "release" / assignment, course / "submitted" / "bob" / assignment)
    _submit(course, "carol", assignment,
            _submission(course, assignment, mutant=(func_name, declaration.MUTANTS[func_name][variant])))
    _submit(course, "dave", assignment, raw='{"cells": [ this is not json')
    _submit(course, "eve", assignment, _submission(course, assignment, sabotage=(first_solution,
                                                                               "import os\nos._exit(1)\n", True)))
    _submit(course, "mallory", assignment, _submission(course, assignment, sabotage=(first_solution, TAMPERING,
                                                                                   False)))
    outcome = pipeline.autograde(course_root=course)
    assert pipeline.feedback(course_root=course) is True
    csv_path = pipeline.export(course_root=course)
    with open(csv_path) as f:
        grades = {row["student"]: row for row in csv.DictReader(f) if row["assignment"] == assignment}
    return outcome, grades


def _score(grades, student):
    return float(grades[student]["score"])


def test_reference_submission_gets_full_marks(graded_class):
    _, grades = graded_class
    total = sum(points(CLASS_ASSIGNMENT).values())
    assert _score(grades, "alice") == total and float(grades["alice"]["max_score"]) == total


def test_untouched_stub_gets_zero(graded_class):
    _, grades = graded_class
    assert grades["bob"]["graded"] == "True" and _score(grades, "bob") == 0


def test_known_bug_loses_exactly_its_points(graded_class):
    _, grades = graded_class
    func_name, _ = solutions.declaration(CLASS_ASSIGNMENT).CLASS_BUG
    lost = points(CLASS_ASSIGNMENT)["test_" + func_name]
    assert _score(grades, "carol") == sum(points(CLASS_ASSIGNMENT).values()) - lost


def test_tampering_inside_the_kernel_earns_nothing(graded_class):
    """Patching the checks and numpy's comparisons cannot pass a stub: the judge runs elsewhere."""
    outcome, grades = graded_class
    assert outcome[("mallory", CLASS_ASSIGNMENT)] is None and _score(grades, "mallory") == 0


def test_a_broken_submission_is_reported_and_the_others_are_graded(graded_class):
    outcome, grades = graded_class
    assert outcome[("dave", CLASS_ASSIGNMENT)] is not None, "a malformed notebook must be reported"
    assert grades["dave"]["graded"] == "False"
    assert outcome[("eve", CLASS_ASSIGNMENT)] is not None  # a kernel that dies is reported too
    assert _score(grades, "eve") == 0
    graded_ok = {student for (student, _), error in outcome.items() if error is None}
    assert graded_ok == {"alice", "bob", "carol", "mallory"}


def test_autograde_keeps_what_was_graded(graded_class, course, capsys):
    """A second run (as after an interruption) regrades nothing and loses nothing."""
    outcome = pipeline.autograde(course_root=course)
    assert f"alice/{CLASS_ASSIGNMENT}: kept" in capsys.readouterr().out
    assert outcome[("alice", CLASS_ASSIGNMENT)] is None


def test_feedback_shows_the_message_first_and_no_hidden_value(graded_class, course):
    func_name, variant = solutions.declaration(CLASS_ASSIGNMENT).CLASS_BUG
    mutant = solutions.declaration(CLASS_ASSIGNMENT).MUTANTS[func_name][variant]
    hint = mutant.expect or solutions.grader_module(CLASS_ASSIGNMENT).GRADER.graded[func_name].spec.hints[variant]
    html_files = list((course / "feedback").rglob("*.html"))
    assert {p.parent.parent.name for p in html_files} >= {"alice", "bob", "carol"}
    name = solutions.notebook_path(CLASS_ASSIGNMENT).stem
    carol = (course / "feedback" / "carol" / CLASS_ASSIGNMENT / f"{name}.html").read_text()
    assert f"{func_name} failed" in carol and hint.split(":")[0] in carol
    assert "Traceback (most recent call last)" not in carol and "graders/probe.py" not in carol
    assert OBSERVATION_MIME not in carol  # observations are replaced by verdicts
    hidden_numbers = _hidden_numbers(CLASS_ASSIGNMENT)
    secret_lines = solution_lines(CLASS_ASSIGNMENT)
    for path in html_files:
        text = path.read_text(errors="replace")
        assert not [n for n in hidden_numbers if f"expected {n}" in text], path
        if path.parent.parent.name == "bob":
            assert not [line for line in secret_lines if line in text], path
