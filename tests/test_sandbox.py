"""The grading sandbox: what student code sees and may do, and the output cap."""

import json
import sys

import nbformat
import pytest

from graders.instructor import grading_kit, sandbox, sandbox_runner, solutions

needs_sandbox = pytest.mark.skipif(sandbox.isolation_problem() is not None,
                                   reason=f"no sandbox here: {sandbox.isolation_problem()}")

PROBE = r"""
import json, os, socket, sys
seen = {"uid": os.getuid(), "cwd": os.getcwd(), "cwd_on_path": "" in sys.path or os.getcwd() in sys.path,
        "repo": sorted(os.listdir(%(repo)r)), "instructor": os.path.exists(%(instructor)r),
        "notebooks": os.path.exists(%(notebooks)r), "mode": os.environ.get("COURSE_GRADING_MODE")}
try:
    socket.create_connection(("93.184.216.34", 80), timeout=2)
    seen["network"] = "open"
except OSError as err:
    seen["network"] = type(err).__name__
try:
    open(%(grader)r, "a")
    seen["graders_writable"] = True
except OSError:
    seen["graders_writable"] = False
print(json.dumps(seen))
"""


@needs_sandbox
def test_student_code_sees_only_the_kit_and_reaches_nothing(tmp_path):
    repo = solutions.REPO_ROOT
    kit = tmp_path / "kit"
    grading_kit.build(kit)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE % {
        "repo": str(repo), "instructor": str(repo / "graders" / "instructor"), "notebooks": str(repo / "notebooks"),
        "grader": str(repo / "graders" / "assignment.py")})])
    result = sandbox.run_notebook(nb, kit, repo, sandbox.Limits(wall_s=120))
    assert result.cause is None, (result.cause, result.log_tail)
    seen = json.loads(result.notebook["cells"][0]["outputs"][0]["text"])
    assert seen["instructor"] is False and seen["notebooks"] is False
    assert "graders" in seen["repo"] and "helpers" in seen["repo"] and "notebooks" not in seen["repo"]
    assert seen["network"] != "open" and seen["graders_writable"] is False
    assert seen["cwd"] == sandbox.WORK_DIR and not seen["cwd_on_path"]
    assert seen["mode"] == "probe"
    if sandbox._running_as_root():
        assert seen["uid"] == sandbox.NOBODY


def test_the_output_cap_keeps_the_start_notes_once_and_spares_observations():
    mime = "application/x-observations"
    cap = sandbox_runner.OutputCap(100, 1000, exempt_mime=mime)
    first = {"outputs": [{"output_type": "stream", "name": "stdout", "text": "a" * 500}]}
    second = {"outputs": [{"output_type": "stream", "name": "stdout", "text": "b" * 10},
                          {"output_type": "display_data", "data": {mime: {"x": 1}}, "metadata": {}}]}
    assert cap.apply(first) == ["text"] and cap.apply(second) == []
    assert first["outputs"][0]["text"].startswith("a") and len(first["outputs"][0]["text"]) < 100
    assert "output cut" in first["outputs"][-1]["text"]
    assert second["outputs"] == [{"output_type": "display_data", "data": {mime: {"x": 1}}, "metadata": {}}]
    figure = {"output_type": "display_data", "data": {"image/png": "A" * 500}, "metadata": {}}
    third = {"outputs": [dict(figure), dict(figure), {"output_type": "stream", "name": "stdout", "text": "c"}]}
    assert cap.apply(third) == ["media"]  # media have their own budget: one figure fits, the second does not
    assert third["outputs"][0] == figure and "1,000 bytes of media" in third["outputs"][1]["text"]
    assert len(third["outputs"]) == 2  # text stays cut


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_SANDBOX_MEMORY_GB", "3.5")
    monkeypatch.setenv("COURSE_SANDBOX_PROCESSES", "64")
    limits = sandbox.Limits.from_environment(wall_s=10)
    assert (limits.memory_gb, limits.processes, limits.wall_s) == (3.5, 64, 10)


def test_other_systems_are_refused_with_what_to_do(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    problem = sandbox._probe_isolation()
    assert "Linux" in problem and "--no-sandbox" in problem


def test_the_runner_and_the_grader_agree_on_the_observation_type():
    from graders.assignment import OBSERVATION_MIME

    assert sandbox._runner_args(5, sandbox.Limits())[-1] == OBSERVATION_MIME


@pytest.mark.parametrize("assignment", solutions.assignment_names())
def test_no_honest_notebook_looks_like_tampering(assignment):
    """The tampering scan must not fire on the course's own cells (reference solutions and given code)."""
    from graders.instructor import autograde

    nb = nbformat.read(solutions.notebook_path(assignment), as_version=4)
    assert autograde.tampering_findings(nb) == []


def test_code_that_reaches_into_the_grading_is_found():
    from graders.instructor import autograde

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("import graders.assignment as g\ng.GRADER = None")])
    assert autograde.tampering_findings(nb) == ['cell 2 ("import graders.assignment as g"): GRADER, graders.assignment']


@needs_sandbox
def test_the_wall_time_stops_the_notebook_in_a_named_cell_and_what_ran_comes_back(tmp_path):
    kit = tmp_path / "kit"
    grading_kit.build(kit)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# title"),
                                         nbformat.v4.new_code_cell("print('before')"),
                                         nbformat.v4.new_code_cell("import time\nwhile True:\n    time.sleep(1)")])
    # the wall time ends well inside the per-cell timeout, so the runner, not the cell timeout, stops it
    result = sandbox.run_notebook(nb, kit, solutions.REPO_ROOT, sandbox.Limits(wall_s=20, cell_timeout_s=600))
    assert result.cause == "the notebook reached its wall-time limit of 20 s in cell 3", (result.cause, result.log_tail)
    assert result.failed_cell == 2
    assert result.notebook["cells"][1]["outputs"][0]["text"] == "before\n"
