"""The nbgrader pipeline end to end: validate, release, stubs fail, nothing leaks, a class is graded.

These tests run real notebooks in quick mode through nbgrader's Python API,
in the sandbox kernel, exactly as `make autograde` does.
"""

import csv
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pytest

from graders import core
from graders.instructor import pipeline, solutions

from conftest import ASSIGNMENTS

pytestmark = pytest.mark.slow

TOTAL_POINTS = {"01_rnn_step_by_step": 22, "02_dinosaur_names": 10, "03_jazz_improvisation": 10, "04_gru_deep_bidirectional": 12}
# a known bug per assignment in a function no other graded function calls, so exactly its points are lost
KNOWN_BUG = {
    "01_rnn_step_by_step": ("lstm_backward", "not_accumulated", 3),
    "02_dinosaur_names": ("clip", "copy_not_in_place", 2),
    "03_jazz_improvisation": ("predict_and_sample", "global_random_state", 2),
    "04_gru_deep_bidirectional": ("clip_by_global_norm", "clipped_separately", 2),
}
TRIVIAL_NUMBERS = {"0.0000", "1.0000", "-1.0000", "0.5000", "-0.5000"}
# a line of reference code is a secret when it computes something, not when it only sets up zeros or calls given code
COMPUTING = ("@", "np.tanh", "sigmoid(", "softmax(", "np.clip", "rng.choice", "+=", " * ", "np.sum(", "np.concatenate")


def release_path(course, assignment):
    return course / "release" / assignment / solutions.notebook_path(assignment).name


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with the release generated, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("course")
    assert pipeline.release(course_root=root)
    return root


def test_points_table_matches_the_notebooks():
    for assignment in ASSIGNMENTS:
        nb = nbformat.read(solutions.notebook_path(assignment), as_version=4)
        points = sum(solutions.nbgrader_meta(c).get("points", 0) for c in nb.cells
                     if solutions.nbgrader_meta(c).get("grade"))
        assert points == TOTAL_POINTS[assignment]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_passes_every_graded_cell(assignment, course):
    assert pipeline.validate_notebook(solutions.notebook_path(assignment), course_root=course) == []


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_released_stub_fails_every_graded_cell(assignment, course):
    assert pipeline.validate_notebook(release_path(course, assignment), invert=True, course_root=course) == []


def test_a_cell_of_hidden_tests_only_counts_as_empty():
    """Under validate --invert such a cell would pass on any stub; validate_notebook must flag it."""
    assert not pipeline._has_code('"""Checks something."""\n')
    assert not pipeline._has_code("# only a comment\n")
    assert pipeline._has_code('"""Checks."""\ngrader.check_clip(clip)\n')


def _solution_lines(assignment):
    """Distinctive lines of reference code: none of them may reach a student."""
    lines = set()
    for source in solutions.solution_cells(assignment).values():
        body = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        for line in body.splitlines():
            line = line.strip()
            if len(line) >= 25 and not line.startswith("#") and any(op in line for op in COMPUTING):
                lines.add(line)
    return lines


def _hidden_numbers(assignment):
    """Formatted first entries of the hidden expected values (what a message would show)."""
    numbers = set()
    for key, value in core.load_record(assignment, "hidden").arrays.items():
        if core.WRONG_MARK in key:
            continue
        text = core.fmt_number(np.asarray(value).ravel()[0])
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
    assert (kit / "graders" / "core.py").is_file() and (kit / "helpers" / "data.py").is_file()
    assert not (kit / "graders" / "instructor").exists()
    assert not list(kit.rglob("*hidden*")), "hidden records must stay with the instructor"
    secret_lines = set().union(*(_solution_lines(a) for a in ASSIGNMENTS))
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
            assert not [k for k in record.files if k.split("|")[1] in hidden_cases], assignment


def _hidden_case_names(assignment):
    return {key.split("|")[1] for key in core.load_record(assignment, "hidden").arrays}


# --------------------------------------------------------------------------- a class, end to end


def _submission(course, assignment, mutant=None, sabotage=None):
    """The released notebook with the reference (optionally mutated or sabotaged) typed into its stubs."""
    nb = nbformat.read(release_path(course, assignment), as_version=4)
    references = solutions.solution_cells(assignment)
    for cell in nb.cells:
        grade_id = solutions.nbgrader_meta(cell).get("grade_id")
        if not solutions.nbgrader_meta(cell).get("solution"):
            continue
        source = references[grade_id]
        if mutant is not None and mutant[0] == grade_id:
            source = source.replace(mutant[1].old, mutant[1].new)
        if sabotage is not None and sabotage[0] == grade_id:
            source = sabotage[1] + source
        cell.source = "\n".join(line for line in source.splitlines()
                                if line.strip() not in solutions.SOLUTION_MARKERS)
    return nb


def _mutant(assignment, func_name, variant):
    return func_name, solutions.known_wrong_module(assignment).MUTANTS[func_name][variant]


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
    """Five students: reference, untouched stub, one known bug, a malformed file, a kernel that dies."""
    for assignment in ASSIGNMENTS:
        func_name, variant, _ = KNOWN_BUG[assignment]
        _submit(course, "alice", assignment, _submission(course, assignment))
        shutil.copytree(course / "release" / assignment, course / "submitted" / "bob" / assignment)
        _submit(course, "carol", assignment,
                _submission(course, assignment, mutant=_mutant(assignment, func_name, variant)))
    _submit(course, "dave", "01_rnn_step_by_step", raw='{"cells": [ this is not json')
    _submit(course, "dave", "02_dinosaur_names", _submission(course, "02_dinosaur_names"))
    _submit(course, "eve", "02_dinosaur_names",
            _submission(course, "02_dinosaur_names", sabotage=("clip", "import os\nos._exit(1)\n")))
    outcome = pipeline.autograde(course_root=course)
    assert pipeline.feedback(course_root=course) is True
    csv_path = pipeline.export(course_root=course)
    with open(csv_path) as f:
        grades = {(row["student"], row["assignment"]): row for row in csv.DictReader(f)}
    return outcome, grades


def _score(grades, student, assignment):
    return float(grades[(student, assignment)]["score"])


def test_reference_submission_gets_full_marks(graded_class):
    _, grades = graded_class
    for assignment in ASSIGNMENTS:
        assert _score(grades, "alice", assignment) == TOTAL_POINTS[assignment]
        assert float(grades[("alice", assignment)]["max_score"]) == TOTAL_POINTS[assignment]


def test_untouched_stub_gets_zero(graded_class):
    _, grades = graded_class
    for assignment in ASSIGNMENTS:
        assert grades[("bob", assignment)]["graded"] == "True"
        assert _score(grades, "bob", assignment) == 0


def test_known_bug_loses_exactly_its_points(graded_class):
    _, grades = graded_class
    for assignment in ASSIGNMENTS:
        lost = KNOWN_BUG[assignment][2]
        assert _score(grades, "carol", assignment) == TOTAL_POINTS[assignment] - lost


def test_a_broken_submission_is_reported_and_the_others_are_graded(graded_class):
    outcome, grades = graded_class
    assert outcome[("dave", "01_rnn_step_by_step")] is not None, "a malformed notebook must be reported"
    assert grades[("dave", "01_rnn_step_by_step")]["graded"] == "False"
    assert _score(grades, "dave", "02_dinosaur_names") == TOTAL_POINTS["02_dinosaur_names"]
    # a kernel that dies mid-notebook is reported too, and earns nothing
    assert outcome[("eve", "02_dinosaur_names")] is not None
    assert _score(grades, "eve", "02_dinosaur_names") == 0
    graded_ok = {key for key, error in outcome.items() if error is None}
    expected_ok = {(s, a) for s in ("alice", "bob", "carol") for a in ASSIGNMENTS} | {("dave", "02_dinosaur_names")}
    assert graded_ok == expected_ok


def test_autograde_keeps_what_was_graded(graded_class, course, capsys):
    """A second run (as after an interruption) regrades nothing and loses nothing."""
    outcome = pipeline.autograde(course_root=course)
    assert "already autograded (kept" in capsys.readouterr().out
    assert all(error is None for key, error in outcome.items() if key[0] == "alice")


def test_feedback_names_the_bug_and_reveals_no_hidden_value(graded_class, course):
    func_name, variant, _ = KNOWN_BUG["01_rnn_step_by_step"]
    hint = solutions.grader_module("01_rnn_step_by_step").GRADER.graded[func_name].spec.hints[variant]
    html_files = list((course / "feedback").rglob("*.html"))
    assert {p.parent.parent.name for p in html_files} >= {"alice", "bob", "carol"}
    carol = (course / "feedback" / "carol" / "01_rnn_step_by_step" / "rnn_step_by_step.html").read_text()
    assert "one time step only" in carol and hint.split(":")[0] in carol
    hidden_numbers = set().union(*(_hidden_numbers(a) for a in ASSIGNMENTS))
    secret_lines = set().union(*(_solution_lines(a) for a in ASSIGNMENTS))
    for path in html_files:
        text = path.read_text(errors="replace")
        assert not [n for n in hidden_numbers if f"expected {n}" in text], path
        if path.parent.parent.name == "bob":
            assert not [line for line in secret_lines if line in text], path
