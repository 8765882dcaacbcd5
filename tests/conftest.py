"""Shared fixtures: the assignments, their reference solutions and their graders."""

import functools

import pytest

from graders.instructor import solutions


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs notebooks through nbgrader (minutes)")


ASSIGNMENTS = solutions.assignment_names()


@functools.lru_cache(maxsize=None)
def reference_namespace(assignment):
    """The reference solutions of an assignment, loaded once per test session."""
    return solutions.load_solutions(assignment)


@pytest.fixture(params=ASSIGNMENTS)
def assignment(request):
    return request.param
