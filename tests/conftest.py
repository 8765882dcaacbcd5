"""Shared fixtures: the assignments, their reference solutions and their graders."""

import functools

import pytest

from graders.instructor import solutions


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs notebooks through nbgrader (minutes)")


ASSIGNMENTS = solutions.assignment_names()

# a test that judges one reference function on every suite, and the test that judges the whole reference notebook
# (every graded function, every suite, through the same judge); the second makes the first redundant in one run
JUDGED_PER_FUNCTION = "test_reference_passes_the_judge_on_every_suite"
JUDGED_PER_NOTEBOOK = "test_source_notebook_passes_every_graded_cell"


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected what this run leaves out
def pytest_collection_modifyitems(config, items):
    """Skip the per-function judging of a reference whose whole notebook is judged in the same run.

    `make test` validates every source notebook: the judge passes or fails each graded function on its public
    and hidden cases, as the per-function test does, so judging them again costs time and proves nothing new.
    A run without the notebook validation (`make test-fast`, `make test-portable`, `-k`) keeps the per-function
    test.
    """
    validated = {item.callspec.params["assignment"] for item in items
                 if item.originalname == JUDGED_PER_NOTEBOOK and hasattr(item, "callspec")}
    for item in items:
        if item.originalname == JUDGED_PER_FUNCTION and item.callspec.params["assignment"] in validated:
            item.add_marker(pytest.mark.skip(reason=f"judged on every suite by {JUDGED_PER_NOTEBOOK} in this run"))


@functools.lru_cache(maxsize=None)
def reference_namespace(assignment):
    """The reference solutions of an assignment, loaded once per test session."""
    return solutions.load_solutions(assignment)


# a line of reference code is a secret when it computes something, not when it only sets up zeros or calls given code
COMPUTING = ("@", "np.tanh", "sigmoid(", "softmax(", "np.clip", "rng.choice", "+=", " * ", "np.sum(", "np.concatenate")


def solution_lines(assignment):
    """Distinctive lines of reference code: none of them may reach a student."""
    lines = set()
    for source in solutions.solution_cells(assignment).values():
        body = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        for line in body.splitlines():
            line = line.strip()
            if len(line) >= 25 and not line.startswith("#") and any(op in line for op in COMPUTING):
                lines.add(line)
    return lines


@functools.lru_cache(maxsize=None)
def suite_records(assignment):
    """The committed public and hidden records, as the judge loads them (once per test session)."""
    from graders.instructor import judge

    return judge.suite_records(assignment)


def judged(assignment, func_name, func):
    """The judge's first failure message over the public then the hidden cases (None when every case passes)."""
    from graders.instructor import judge

    return judge.judge_function(assignment, func_name, func, suite_records(assignment))


@pytest.fixture(params=ASSIGNMENTS)
def assignment(request):
    return request.param
