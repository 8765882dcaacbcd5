"""Shared fixtures: the assignments, their reference solutions and their graders."""

import functools

import pytest

from graders.instructor import solutions


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs notebooks through nbgrader (minutes)")


ASSIGNMENTS = solutions.assignment_names()

# the tests that check one reference function at a time (in the judge on every suite; in a kernel on the public
# cases), and the test that validates the whole reference notebook, which does both for every graded function
# (pipeline.validate_notebook: the judge's verdicts, and no graded cell raising in the notebook's own kernel)
PER_FUNCTION_REFERENCE_TESTS = ("test_reference_passes_the_judge_on_every_suite",
                                "test_reference_passes_in_the_students_kernel")
WHOLE_NOTEBOOK_TEST = "test_source_notebook_passes_every_graded_cell"


@pytest.hookimpl(trylast=True)  # after -m and -k have deselected what this run leaves out
def pytest_collection_modifyitems(config, items):
    """Skip the per-function checks of a reference whose whole notebook is validated in the same run.

    `make test` validates every source notebook: the judge passes or fails each graded function on its public
    and hidden cases, and each visible check runs in the notebook's kernel, so checking the functions again one
    by one costs time and proves nothing new. A run without the notebook validation (`make test-fast`,
    `make test-portable`, `-k`) keeps the per-function tests.
    """
    validated = {item.callspec.params["assignment"] for item in items
                 if item.originalname == WHOLE_NOTEBOOK_TEST and hasattr(item, "callspec")}
    for item in items:
        if item.originalname in PER_FUNCTION_REFERENCE_TESTS and item.callspec.params["assignment"] in validated:
            item.add_marker(pytest.mark.skip(reason=f"checked with the whole notebook by {WHOLE_NOTEBOOK_TEST}"))


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
