"""Structure of the nbgrader source notebooks."""

import ast
import re

import nbformat
import pytest

from graders.instructor import solutions

from conftest import ASSIGNMENTS

GRADE_ID = re.compile(r"^[a-z][a-z0-9_]{3,}$")


def load(assignment):
    return nbformat.read(solutions.notebook_path(assignment), as_version=4)


def meta(cell):
    return solutions.nbgrader_meta(cell)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_is_valid_and_uses_python3(assignment):
    nb = load(assignment)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_outputs_are_cleared(assignment):
    for cell in load(assignment).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_metadata(assignment):
    nb = load(assignment)
    ids = [meta(c)["grade_id"] for c in nb.cells if meta(c)]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids in {assignment}"
    for cell in nb.cells:
        m = meta(cell)
        if not m:
            continue
        assert m["schema_version"] == 3
        assert GRADE_ID.match(m["grade_id"]), f"grade_id {m['grade_id']!r} is not descriptive snake_case"
        if m.get("grade"):
            assert isinstance(m["points"], int) and m["points"] > 0, m["grade_id"]
            assert m.get("locked") is True and not m.get("solution")
        if m.get("solution"):
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_function_has_a_solution_cell_and_a_test_cell_with_hidden_tests(assignment):
    nb = load(assignment)
    grader = solutions.grader_module(assignment).GRADER
    solution_ids = {meta(c)["grade_id"] for c in nb.cells if meta(c).get("solution")}
    tests = {meta(c)["grade_id"]: c.source for c in nb.cells if meta(c).get("grade")}
    assert solution_ids == set(grader.graded), "solution cells and graded functions differ"
    for func_name in grader.graded:
        source = tests.get("test_" + func_name)
        assert source is not None, f"no test cell test_{func_name}"
        assert source.startswith('"""'), "a test cell starts with a one-line docstring saying what it checks"
        assert f"check_{func_name}({func_name})" in source
        hidden = source.split("### BEGIN HIDDEN TESTS", 1)
        assert len(hidden) == 2 and 'suite="hidden"' in hidden[1] and "### END HIDDEN TESTS" in hidden[1]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_setup_is_tagged_and_the_code_follows_the_house_rules(assignment):
    nb = load(assignment)
    assert solutions.setup_sources(assignment), "one code cell must carry the 'setup' tag"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert "pip install" not in cell.source, "no pip install cells"
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not any(alias.name == "*" for alias in node.names), "no star imports"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_notebook_opens_with_title_objectives_and_notation(assignment):
    markdown = [c.source for c in load(assignment).cells if c.cell_type == "markdown"]
    assert markdown[0].startswith("# ")
    assert "Learning objectives" in markdown[0]
    assert any(m.startswith("## Notation") for m in markdown)
    assert markdown[-1].startswith("## Summary") or any(m.startswith("## Summary") for m in markdown[-3:])
