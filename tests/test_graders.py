"""Every graded function of every assignment: the reference passes, known bugs are caught, records are current.

Nothing here names an assignment or a function: the list comes from the
graders modules (GRADER) and the instructor declarations (MUTANTS), so a new
notebook is tested without editing this file.
"""

import ast
from pathlib import Path

import pytest

from graders.assignment import MIN_MARGIN, SUITES
from graders.instructor import portability, solutions

from conftest import ASSIGNMENTS, judged, reference_namespace, solution_lines

MIN_KNOWN_WRONG = 3  # every graded function is proven by at least this many realistic bugs
PUBLIC_GRADERS = Path(__file__).resolve().parents[1] / "graders"


def graded_functions():
    return [(a, f) for a in ASSIGNMENTS for f in solutions.grader_module(a).GRADER.graded]


def mutants():
    return [(a, f, v, m) for a in ASSIGNMENTS for f, v, m in solutions.iter_mutants(a)]


@pytest.mark.parametrize("assignment, func_name", graded_functions())
def test_reference_passes_in_the_students_kernel(assignment, func_name, capsys):
    grader = solutions.grader_module(assignment).GRADER
    grader.check(func_name, reference_namespace(assignment)[func_name])
    assert "public cases passed" in capsys.readouterr().out


@pytest.mark.parametrize("assignment, func_name", graded_functions())
def test_reference_passes_the_judge_on_every_suite(assignment, func_name):
    assert judged(assignment, func_name, reference_namespace(assignment)[func_name]) is None


@pytest.mark.parametrize("assignment, func_name", graded_functions())
def test_every_graded_function_has_known_wrong_variants(assignment, func_name):
    variants = solutions.declaration(assignment).MUTANTS.get(func_name, {})
    assert len(variants) >= MIN_KNOWN_WRONG, f"{func_name} has {len(variants)} known-wrong variants"


@pytest.mark.parametrize("assignment, func_name, variant, mutant", mutants(),
                         ids=[f"{a[:2]}-{f}-{v}" for a, f, v, _ in mutants()])
def test_known_bug_is_caught_with_a_pointed_message(assignment, func_name, variant, mutant):
    grader = solutions.grader_module(assignment).GRADER
    wrong = solutions.load_solutions(assignment, (func_name, mutant))[func_name]
    message = judged(assignment, func_name, wrong)
    assert message, f"{func_name}/{variant} passes every public and hidden case"
    expected = mutant.expect or grader.graded[func_name].spec.hints[variant]
    assert expected in message, f"{func_name}/{variant}: the message does not point at the bug:\n{message}"
    assert expected in first_hint_and_above(message), f"{func_name}/{variant}: the first hint is another bug's:\n{message}"
    assert message.startswith(f"{func_name} failed"), message
    assert "Traceback" not in message and "\x1b[" not in message, message
    assert not any(word in message for word in GRADER_WORDS), f"the message shows grader internals:\n{message}"


# what a message never shows: a raw TensorFlow op wrapper, a grader class or a method's dunder name
GRADER_WORDS = ("{{function_node", "[Op:", "Spy", ".__call__", "graders.")


def first_hint_and_above(message):
    """The message up to the end of its first hint line: the declared bug must be named by then."""
    lines = message.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip().startswith("hint:")), len(lines) - 1)
    return "\n".join(lines[:first + 1])


def test_the_first_hint_is_what_a_message_is_judged_by():
    message = "f failed\n  output y differs\n  hint:   the real bug\n  hint:   another"
    assert "the real bug" in first_hint_and_above(message) and "another" not in first_hint_and_above(message)
    assert first_hint_and_above("f failed\n  raised KeyError") == "f failed\n  raised KeyError"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_recorded_references_are_current(assignment):
    """Re-recording from the notebooks reproduces the committed records, within float64 round-off."""
    assert portability.record_differences(assignment) == [], "stale records: run `make references`"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_discrete_choices_have_a_margin(assignment):
    """Every exactly compared choice (argmax, sampled index) is far from a tie in every case."""
    grader = solutions.grader_module(assignment).GRADER
    for func_name, graded in grader.graded.items():
        if graded.margin is None:
            continue
        for suite in SUITES:
            for case in grader.cases(func_name, suite):
                assert graded.margin(case) >= MIN_MARGIN, (func_name, suite, case.name, graded.margin(case))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_hidden_cases_are_not_public_cases(assignment):
    grader = solutions.grader_module(assignment).GRADER
    for func_name in grader.graded:
        public = {case.name for case in grader.cases(func_name, "public")}
        hidden = {case.name for case in grader.cases(func_name, "hidden")}
        assert public and hidden and not public & hidden, func_name


def test_public_graders_never_import_instructor_code():
    """The student's kernel loads graders/*.py: none of them may reach graders/instructor (hidden records)."""
    for path in PUBLIC_GRADERS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any("instructor" in name for name in names), f"{path.name} imports {names}"
        assert "hidden/" not in path.read_text() and '"hidden" /' not in path.read_text(), path.name


def test_public_graders_and_helpers_hold_no_solution_line():
    """Hints and docstrings ship to students: none may spell out a line of a reference solution."""
    secret = set().union(*(solution_lines(a) for a in ASSIGNMENTS))
    for folder in (PUBLIC_GRADERS, PUBLIC_GRADERS.parent / "helpers"):
        for path in folder.glob("*.py"):
            leaked = [line for line in secret if line in path.read_text()]
            assert not leaked, f"{path.name} spells out solution code: {leaked[:3]}"
