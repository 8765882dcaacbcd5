"""Autograding a class you can trust: hostile and broken submissions beside honest ones, in one run.

One class of 01 (the fastest notebook) is graded serially with tight limits.
Each honest student must get the exact score; each hostile one what it earned
(0 where it cheats) with a readable reason; nothing outside the sandboxes may
change. The dangerous kinds stay bounded on a shared machine: processes
against a pids limit (no real fork bomb), one allocation against the memory
limit, network probes to 127.0.0.1 only, and every process the test started
is found and killed by PID.

Then the same submissions go through a Dask cluster (a scheduler and two
workers on 127.0.0.1) and must get the serial grades; a client killed with
SIGKILL half-way resumes without regrading or losing anything.
"""

import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from graders.instructor import autograde, pipeline, sandbox, solutions

from conftest import ASSIGNMENTS, solution_lines
from test_pipeline import _hidden_numbers, _submission, _submit, points, release_path

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(sandbox.isolation_problem() is not None,
                                 reason=f"no sandbox here: {sandbox.isolation_problem()}")]

A = ASSIGNMENTS[0]
CGROUPS = sandbox.Cgroup.available()
# tight enough to hit quickly, loose enough for an honest 01 (numpy only: ~300 MB, ~30 threads, cells < 2 s)
LIMITS = sandbox.Limits(memory_gb=2, processes=96, cell_timeout_s=20, wall_s=300, tmp_mb=256)
SLEEP_MARKER = 987654  # seconds; the argv of the processes a hostile submission leaves behind
FLOOD_MIB = 200


def _first_function(source):
    return re.search(r"^def (\w+)\(", source, re.M).group(1)


def hostile_code(course, host_port):
    """{student: code put at the top of the first solution cell of a stub} -- one kind of attack each."""
    repo = solutions.REPO_ROOT
    other = course / "submitted" / "alice" / A / solutions.notebook_path(A).name
    gradebook = course / "gradebook.db"
    first = next(iter(solutions.solution_cells(A)))
    return {
        # the gradebook: raise its own manual score, zero a classmate's
        "h_gradebook": f"""import sqlite3
con = sqlite3.connect({str(gradebook)!r})
con.execute("UPDATE grade SET manual_score = 100")
con.execute("UPDATE grade SET auto_score = 0")
con.commit()
""",
        # other students' files: overwrite, write into autograded/, copy solution cells
        "h_classmates": f"""import json, pathlib
pathlib.Path({str(other)!r}).write_text("{{}}")
pathlib.Path({str(course / 'autograded' / 'alice' / A / 'x.txt')!r}).write_text("owned")
stolen = json.loads(pathlib.Path({str(other)!r}).read_text())
""",
        # course code on disk: the graders (kit and repository) and the environment
        "h_code_on_disk": f"""import pathlib, sys, graders.assignment as ga
for target in (ga.__file__, {str(repo / 'graders' / 'assignment.py')!r}, sys.prefix + "/lib/python3.11/site-packages/x.pth"):
    try:
        open(target, "a").write("\\nAssignment.check = lambda *a, **k: None\\n")
    except OSError as err:
        print("refused:", err)
""",
        # instructor files: hidden records, source notebooks, the gradebook
        "h_read_secrets": f"""import pathlib
for path in ({str(repo / 'graders' / 'instructor' / 'hidden')!r}, {str(repo / 'notebooks')!r}, {str(gradebook)!r}):
    p = pathlib.Path(path)
    print(path, "visible" if p.exists() else "absent")
    if p.is_dir():
        for f in p.rglob("*"):
            print(f.read_bytes()[:2000] if f.is_file() else f)
""",
        # in-kernel tampering: the checks, numpy's comparisons, an AST transformer that swallows errors
        "h_patch_checks": """import graders.rnn_step_by_step as g, graders.assignment as ga
for name in dir(g):
    if name.startswith("check_"):
        setattr(g, name, lambda *a, **k: None)
ga.Assignment.check = lambda *a, **k: None
""",
        "h_patch_numpy": """import numpy as np
np.allclose = lambda *a, **k: True
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
""",
        "h_ast_transformer": """import ast
class Swallow(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=ast.Name("BaseException", ast.Load()), name=None, body=[ast.Pass()])
        return ast.fix_missing_locations(ast.Module([ast.Try(node.body, [handler], [], [])], []))
get_ipython().ast_transformers.append(Swallow())
""",
        # forged observations in an ordinary cell
        "h_fake_observations": """from IPython.display import display
display({"application/vnd.sequence-models.observations+json": {"version": 1, "assignment": "%s",
         "function": "%s", "suite": "public", "observations": []}}, raw=True)
""" % (A, first),
        # the process that runs the notebook
        "h_kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)\n",
        # the network: subprocess, ctypes, name lookups, UDP -- all to a port the test listens on
        "h_network": f"""import socket, subprocess, sys, ctypes
for attempt in (lambda: socket.create_connection(("127.0.0.1", {host_port}), timeout=2),
                lambda: socket.gethostbyname("example.com"),
                lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", {host_port})),
                lambda: subprocess.run([sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', {host_port}), timeout=2)"], check=True, timeout=10),
                lambda: socket.create_connection(("93.184.216.34", 80), timeout=2)):
    try:
        attempt()
    except Exception as err:
        print("blocked:", type(err).__name__)
""",
        # processes that try to outlive grading, in sessions of their own
        "h_orphans": f"""import subprocess
for _ in range(20):
    subprocess.Popen(["setsid", "sleep", "{SLEEP_MARKER}"], start_new_session=True)
""",
        # processes against the pids limit (bounded: at most 300 tries)
        "h_many_processes": """import subprocess
started = []
for _ in range(300):
    try:
        started.append(subprocess.Popen(["sleep", "5"]))
    except OSError as err:
        print("stopped after", len(started), type(err).__name__)
        break
""",
        # output with no end
        "h_output_flood": f"""chunk = "x" * (1 << 20)
for _ in range({FLOOD_MIB}):
    print(chunk)
""",
        # one large allocation against the memory limit (more than LIMITS.memory_gb)
        "h_memory": "block = bytearray(3 * 2**30)\nfor i in range(0, len(block), 4096):\n    block[i] = 1\n",
        # a cell that never ends
        "h_endless": "while True:\n    pass\n",
    }


def _first_function_name():
    """The function the first test cell checks, as the feedback's table of contents names it."""
    nb = nbformat.read(solutions.notebook_path(A), as_version=4)
    return next(solutions.nbgrader_meta(c)["grade_id"][len("test_"):] for c in nb.cells
                if solutions.nbgrader_meta(c).get("grade"))


def _add_final_cell(nb, source):
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def _stderr_debug(course):
    """A correct submission whose first function prints a debug line to stderr each time it is called."""
    first_cell = next(iter(solutions.solution_cells(A)))
    nb = _submission(course, A)
    for cell in nb.cells:
        if solutions.nbgrader_meta(cell).get("grade_id") == first_cell:
            name = _first_function(cell.source)
            cell.source += (f"\n\n_reference = {name}\n\ndef {name}(*args, **kwargs):\n    import sys, warnings\n"
                            f"    print('debug: called', file=sys.stderr)\n    warnings.warn('just a warning')\n"
                            f"    return _reference(*args, **kwargs)\n")
    return nb


def _copied_cells(course):
    """An honest submission where the student copy-pasted the first solution cell and its test cell (same grade ids)."""
    nb = _submission(course, A)
    first = next(iter(solutions.solution_cells(A)))
    index = next(i for i, c in enumerate(nb.cells) if solutions.nbgrader_meta(c).get("grade_id") == first)
    test = next(i for i, c in enumerate(nb.cells) if i > index and solutions.nbgrader_meta(c).get("grade"))
    for at in (index, test + 1):  # an earlier copy of each, as JupyterLab pastes it (a new cell id)
        copy = nbformat.from_dict(json.loads(json.dumps(nb.cells[at])))
        copy["id"] = f"pasted-{at}"
        nb.cells.insert(at, copy)
    return nb


def _tamper_metadata(course):
    nb = _submission(course, A)
    for cell in nb.cells:
        meta = solutions.nbgrader_meta(cell)
        if meta.get("grade"):
            meta["points"] = 100
            meta["grade_id"] = "mine_" + meta["grade_id"]
    return nb


def _tree_hash(root, skip=()):
    digest = hashlib.sha256()
    for path in sorted(Path(root).rglob("*")):
        rel = path.relative_to(root)
        if rel.parts and rel.parts[0] in skip or "__pycache__" in rel.parts:
            continue
        if path.is_symlink():  # a link a submission planted: its target, never what it points at
            digest.update(str(rel).encode() + os.readlink(path).encode())
        elif path.is_file():
            digest.update(str(rel).encode() + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _processes_with(text):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    assert pipeline.release([A], course_root=root)
    return root


@pytest.fixture(scope="module")
def hostile_class(course):
    """Grade the whole class once; return (outcomes by student, listener findings, hashes before and after)."""
    total = sum(points(A).values())
    func_name, variant = solutions.declaration(A).CLASS_BUG
    _submit(course, "alice", A, _submission(course, A))
    _submit(course, "carol", A, _submission(course, A, mutant=(func_name, solutions.declaration(A).MUTANTS[func_name][variant])))
    _submit(course, "dana", A, _stderr_debug(course))
    _submit(course, "erin", A, _add_final_cell(_submission(course, A), "import os\nos._exit(1)\n"))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", listener.getsockname()[1]))
    udp.settimeout(0.2)
    first_cell = next(iter(solutions.solution_cells(A)))
    for student, code in hostile_code(course, listener.getsockname()[1]).items():
        _submit(course, student, A, _submission(course, A, sabotage=(first_cell, code, False)))
    graders_folder = course / "submitted" / "h_shadow_graders" / A / "graders"
    _submit(course, "h_shadow_graders", A, _submission(course, A))
    (course / "submitted" / "h_shadow_graders" / A / solutions.notebook_path(A).name).write_text(
        nbformat.writes(nbformat.read(release_path(course, A), as_version=4)))  # a stub, with a fake graders/
    graders_folder.mkdir()
    (graders_folder / "__init__.py").write_text("")
    (graders_folder / "assignment.py").write_text("class Assignment:\n    def check(self, *a, **k):\n        pass\n")
    _submit(course, "fay", A, _copied_cells(course))
    _submit(course, "gina", A, _add_final_cell(_submission(course, A), "while True:\n    pass\n"))
    _submit(course, "h_linked_files", A, nbformat.read(release_path(course, A), as_version=4))
    linked = course / "submitted" / "h_linked_files" / A
    for name, target in {"record.npz": solutions.REPO_ROOT / "graders" / "instructor" / "hidden" / f"{A}.npz",
                         "gradebook.html": course / "gradebook.db", "solution.html": solutions.notebook_path(A),
                         "timestamp.txt": course / "gradebook.db"}.items():
        (linked / name).symlink_to(target)
    (course / "submitted" / "h_linked_notebook" / A).mkdir(parents=True)
    (course / "submitted" / "h_linked_notebook" / A / solutions.notebook_path(A).name).symlink_to(
        solutions.notebook_path(A))  # the reference solution itself
    oversized = _submission(course, A)
    oversized.cells.append(nbformat.v4.new_code_cell("padding = '" + "x" * (9 << 20) + "'"))
    _submit(course, "h_oversized", A, oversized)
    _submit(course, "h_invalid_json", A, raw='{"cells": [ not json')
    _submit(course, "h_empty_file", A, raw="")
    _submit(course, "h_tampered_metadata", A, _tamper_metadata(course))
    (course / "submitted" / "zed").mkdir()  # an untouched stub graded after every attack
    pipeline.shutil.copytree(course / "release" / A, course / "submitted" / "zed" / A)

    before = {"course": _tree_hash(course, skip={"autograded", "feedback", "reports", "backups", "exports",
                                                 ".grading", "gradebook.db"}),
              "code": _tree_hash(solutions.REPO_ROOT / "graders"), "helpers": _tree_hash(solutions.REPO_ROOT / "helpers")}
    try:
        outcomes = pipeline.autograde([A], course_root=course, limits=LIMITS, progress=False)
        report = {row["student"]: row for row in json.loads((course / "reports" / "autograde.json").read_text())}
        connections = 0
        for _ in range(3):
            try:
                listener.accept()[0].close()
                connections += 1
            except OSError:
                pass
            try:
                udp.recvfrom(16)
                connections += 1
            except OSError:
                pass
    finally:
        listener.close()
        udp.close()
        leftovers = _processes_with(f"sleep {SLEEP_MARKER}")
        for pid in leftovers:  # never leave them running, whatever the assertions say
            os.kill(pid, signal.SIGKILL)
    after = {"course": _tree_hash(course, skip={"autograded", "feedback", "reports", "backups", "exports",
                                                ".grading", "gradebook.db"}),
             "code": _tree_hash(solutions.REPO_ROOT / "graders"), "helpers": _tree_hash(solutions.REPO_ROOT / "helpers")}
    assert pipeline.feedback([A], course_root=course)
    return {"outcomes": outcomes, "report": report, "connections": connections, "leftovers": leftovers,
            "before": before, "after": after, "total": total}


def test_at_least_fifteen_kinds_of_hostile_or_broken_submission(hostile_class):
    kinds = [s for s in hostile_class["report"] if s.startswith("h_")]
    assert len(kinds) >= 15, kinds


@pytest.mark.parametrize("student, lost", [("alice", 0), ("dana", 0), ("erin", 0), ("fay", 0), ("gina", 0),
                                           ("carol", None), ("zed", "all")])
def test_honest_students_get_the_exact_score(hostile_class, student, lost):
    row, total = hostile_class["report"][student], hostile_class["total"]
    if lost is None:  # carol: exactly the known bug's points
        func_name, _ = solutions.declaration(A).CLASS_BUG
        lost = points(A)["test_" + func_name]
    expected = 0 if lost == "all" else total - lost
    assert row["status"] == "graded" and row["score"] == expected and row["max_score"] == total, row


def test_a_crash_after_the_graded_cells_keeps_the_points_and_says_so(hostile_class):
    notes = " ".join(hostile_class["report"]["erin"]["notes"])
    assert 'the kernel died in cell' in notes and '("import os")' in notes and "keep their points" in notes


def test_a_timeout_in_a_later_ungraded_cell_keeps_the_points_and_says_so(hostile_class):
    notes = " ".join(hostile_class["report"]["gina"]["notes"])
    assert '("while True:") ran past the per-cell timeout' in notes and "keep their points" in notes, notes


def test_copied_cells_are_graded_once_the_last_definition_winning_with_a_note(hostile_class):
    notes = " ".join(hostile_class["report"]["fay"]["notes"])
    assert "repeats the grade id" in notes and "the last one is graded" in notes, notes
    assert "is a copy of the cell" in notes and "Outdated schema" not in notes, notes


def test_only_what_was_made_for_the_student_reaches_autograded_and_feedback(hostile_class, course):
    name = solutions.notebook_path(A).stem
    allowed = {"autograded": {f"{name}.ipynb", "timestamp.txt", "submission_secret.txt", autograde.STATE_FILE},
               "feedback": {f"{name}.html", "timestamp.txt", "submission_secret.txt"}}
    for step, names in allowed.items():
        folders = list((course / step).glob(f"*/{A}"))
        assert len(folders) >= 10, step
        for folder in folders:
            found = {p.name for p in folder.iterdir()}
            assert found <= names, (folder, found - names)
            assert not [p for p in folder.iterdir() if p.is_symlink()], folder


HOSTILE_VERDICTS = {
    # student: (status, words the cause or notes must hold)
    "h_gradebook": ("graded", None),
    "h_classmates": ("graded", None),
    "h_code_on_disk": ("graded", None),
    "h_read_secrets": ("graded", None),
    "h_patch_checks": ("graded", "tampering detected"),
    "h_patch_numpy": ("graded", None),
    "h_ast_transformer": ("graded", "tampering detected"),
    "h_fake_observations": ("graded", "tampering detected"),
    "h_network": ("graded", None),
    "h_orphans": ("graded", None),
    # without cgroups (not root) the limits are rlimits: the attacks still earn 0, but are not named as such
    "h_many_processes": ("graded", "process limit" if CGROUPS else None),
    "h_output_flood": ("graded", "output cut at 1,000,000 bytes"),
    "h_shadow_graders": ("graded", None),
    "h_kill_parent": ("not graded", "no result"),
    "h_memory": ("not graded", "memory limit (2 GiB) was reached") if CGROUPS else ("graded", None),
    "h_endless": ("not graded", "ran past the per-cell timeout of 20 s"),
    "h_invalid_json": ("not graded", "invalid notebook"),
    "h_empty_file": ("not graded", "is empty"),
    "h_tampered_metadata": ("not graded", "carries the grade id 'mine_"),
    "h_linked_files": ("graded", None),
    "h_linked_notebook": ("not graded", "symbolic link"),
    "h_oversized": ("not graded", "oversized submission: its code and text alone are 9.0 MB"),
}


@pytest.mark.parametrize("student", sorted(HOSTILE_VERDICTS))
def test_each_hostile_submission_earns_nothing_and_says_why(hostile_class, student):
    row = hostile_class["report"][student]
    status, words = HOSTILE_VERDICTS[student]
    assert row["status"] == status, row
    if status == "graded":
        assert row["score"] == 0, row
    text = " ".join([row["cause"] or ""] + row["notes"])
    if words:
        assert words in text, row
    if status == "not graded":
        assert row["cause"] and "Traceback" not in row["cause"] and len(row["cause"]) < 400, row


def test_nothing_outside_the_sandboxes_changed(hostile_class):
    assert hostile_class["before"] == hostile_class["after"]
    assert hostile_class["connections"] == 0, "a sandbox reached the host's loopback"
    assert hostile_class["leftovers"] == [], "processes outlived grading"


def test_gradebook_holds_only_the_judges_scores(hostile_class, course):
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as con:
        assert con.execute("SELECT COUNT(*) FROM grade WHERE manual_score IS NOT NULL").fetchone()[0] == 0


def test_feedback_of_a_hostile_submission_holds_no_secret_and_is_capped(hostile_class, course):
    secret_lines, hidden_numbers = solution_lines(A), _hidden_numbers(A)
    name = solutions.notebook_path(A).stem
    for student in ("h_read_secrets", "h_output_flood", "h_patch_checks", "zed"):
        html = (course / "feedback" / student / A / f"{name}.html").read_text(errors="replace")
        assert "BEGIN HIDDEN TESTS" not in html and 'suite="hidden"' not in html, student
        assert not [line for line in secret_lines if line in html], student
        assert not [n for n in hidden_numbers if f"expected {n}" in html], student
        assert len(html) < 3_000_000, (student, len(html))
        assert "Feedback summary" in html and "graded cells pass" in html, student
        assert "cdnjs" not in html and "data:image/svg+xml" in html, student  # maths drawn, read offline
        assert "Test cell</a>" not in html and f">{_first_function_name()}</a>" in html, student
    flood = (course / "autograded" / "h_output_flood" / A / f"{name}.ipynb").stat().st_size
    assert flood < 2_000_000, flood


def test_reports_name_the_limits_in_force(hostile_class, course):
    row = hostile_class["report"]["alice"]
    limits = " ".join(row["limits"])
    assert "network namespace" in limits and ("2 GiB" in limits if CGROUPS else "rlimit" in limits)
    import csv

    with open(course / "reports" / "autograde.csv") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    if CGROUPS:
        assert rows["h_memory"]["status"] == "not graded" and "memory limit" in rows["h_memory"]["cause"]


# --------------------------------------------------------------------------- Dask, resume


DASK_STUDENTS = ("alice", "carol", "h_patch_numpy", "h_invalid_json", "zed")


def _start(cmd, log):
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True,
                            env=dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1"))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def _copy_class(source, target, students):
    target.mkdir(parents=True)
    pipeline.shutil.copytree(source / "release", target / "release")
    pipeline.shutil.copy2(source / "gradebook.db", target / "gradebook.db")
    for student in students:
        pipeline.shutil.copytree(source / "submitted" / student, target / "submitted" / student)


def test_a_two_worker_dask_cluster_gives_the_serial_grades(hostile_class, course, tmp_path):
    cluster_course = tmp_path / "cluster"
    _copy_class(course, cluster_course, DASK_STUDENTS)
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    started = [_start([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard"], tmp_path / "scheduler.log")]
    try:
        _wait_for_port(port)
        started.append(_start([str(bin_dir / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "2",
                               "--nthreads", "1", "--no-dashboard", "--memory-limit", "0"], tmp_path / "workers.log"))
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            assert len(client.scheduler_info()["workers"]) == 2
        outcomes = pipeline.autograde([A], course_root=cluster_course, scheduler=f"tcp://127.0.0.1:{port}",
                                      limits=LIMITS, progress=False)
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    report = {r["student"]: r for r in json.loads((cluster_course / "reports" / "autograde.json").read_text())}
    for student in DASK_STUDENTS:
        serial = hostile_class["report"][student]
        assert (report[student]["status"], report[student]["score"]) == (serial["status"], serial["score"]), student
    assert set(outcomes) == {(s, A) for s in DASK_STUDENTS}


HANG_MARKER = 876543  # seconds; the sleep that holds the killed client inside its second submission


def test_a_client_killed_half_way_resumes_without_regrading_or_losing(hostile_class, course, tmp_path):
    """The client is killed while it is inside its second submission, whose last cell hangs.

    Grading is serial and in order, so once that cell's process exists the first
    submission is recorded and nothing else can be: the kill lands at a known
    point, however slow the machine. The resumed run keeps the first, grades
    the rest (the hanging cell now meets the per-cell timeout after the graded
    cells, which keep their points).
    """
    resumed = tmp_path / "resumed"
    students = ("alice", "carol", "zed")
    _copy_class(course, resumed, students)
    hang = f"import subprocess\nsubprocess.run(['sleep', '{HANG_MARKER}'])\n"
    _submit(resumed, "b_hangs", A, _add_final_cell(_submission(course, A), hang))  # sorts after alice
    cmd = [sys.executable, "-m", "graders.instructor.pipeline", "--course-root", str(resumed), "autograde", A]
    env = dict(os.environ, **{f"COURSE_SANDBOX_{k.upper()}": str(v) for k, v in
                              (("memory_gb", LIMITS.memory_gb), ("processes", LIMITS.processes),
                               ("cell_timeout_s", 3600))})
    client = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                              cwd=solutions.REPO_ROOT, start_new_session=True)
    guard = time.monotonic() + 900  # only against a hung test; the kill does not depend on timing
    try:
        while client.poll() is None and not _processes_with(f"sleep {HANG_MARKER}") and time.monotonic() < guard:
            time.sleep(0.5)  # waits for a state that cannot change until the kill: no race
    finally:
        if client.poll() is None:
            os.killpg(client.pid, signal.SIGKILL)  # the client and whatever sandbox it was running
        client.wait()
        for pid in _processes_with(f"sleep {HANG_MARKER}"):
            os.kill(pid, signal.SIGKILL)
    assert client.returncode == -signal.SIGKILL, f"the client ended on its own:\n{client.stdout.read()}"
    first = {p.parent.parent.name: p.stat().st_mtime_ns
             for p in (resumed / "autograded").glob(f"*/{A}/{autograde.STATE_FILE}")}
    assert set(first) == {"alice"}, (first, client.stdout.read())
    backups_before = len(list((resumed / "backups").glob("*.db")))
    outcomes = pipeline.autograde([A], course_root=resumed, limits=LIMITS, progress=False)
    report = {r["student"]: r for r in json.loads((resumed / "reports" / "autograde.json").read_text())}
    for student in students:
        assert report[student]["score"] == hostile_class["report"][student]["score"], student
    assert report["alice"]["status"] == "kept"
    assert (resumed / "autograded" / "alice" / A / autograde.STATE_FILE).stat().st_mtime_ns == first["alice"], \
        "a finished submission was regraded"
    assert [report[s]["status"] for s in ("b_hangs", "carol", "zed")] == ["graded"] * 3
    assert report["b_hangs"]["score"] == hostile_class["total"], report["b_hangs"]
    assert len(list((resumed / "backups").glob("*.db"))) == backups_before + 1, "each run backs the gradebook up"
    rows = [r for r in pipeline.grade_rows(resumed) if r["assignment"] == A and r["graded"]]
    assert sorted(r["student"] for r in rows) == sorted([*students, "b_hangs"]), "no submission lost or duplicated"
    assert all(error is None for error in outcomes.values())


def test_autograding_refuses_without_a_sandbox_unless_told(monkeypatch, tmp_path):
    monkeypatch.setitem(sandbox._AVAILABILITY, "problem", "this is not Linux")
    with pytest.raises(sandbox.SandboxUnavailable, match="not Linux"):
        autograde.grade_class([("x", A)], course_root=tmp_path)


WORKER_MARKER = 4242  # seconds; the sleep a slow submission runs while the test kills its worker


def _ancestor_worker(pid):
    """The process that started the sandbox holding `pid`: the parent of the outermost bwrap above it."""
    chain = []
    while pid > 1:
        chain.append(pid)
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    bwraps = [p for p in chain if b"bwrap" in Path(f"/proc/{p}/cmdline").read_bytes()]
    outer = bwraps[-1]
    return int(Path(f"/proc/{outer}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_worker_that_dies_is_replaced_the_submission_retried_once_then_reported(course, tmp_path):
    dying = tmp_path / "dying"
    dying.mkdir()
    pipeline.shutil.copytree(course / "release", dying / "release")
    pipeline.shutil.copy2(course / "gradebook.db", dying / "gradebook.db")
    first_cell = next(iter(solutions.solution_cells(A)))
    _submit(dying, "alice", A, _submission(course, A))
    slow = f"import subprocess\nsubprocess.run(['sleep', '{WORKER_MARKER}'])\n"
    _submit(dying, "slow", A, _submission(course, A, sabotage=(first_cell, slow, False)))
    port = _free_port()
    bin_dir = Path(sys.executable).parent
    started = [_start([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                       "--no-dashboard"], tmp_path / "scheduler.log")]
    kills = []
    try:
        _wait_for_port(port)
        started.append(_start([str(bin_dir / "dask"), "worker", f"tcp://127.0.0.1:{port}", "--nworkers", "2",
                               "--nthreads", "1", "--no-dashboard", "--memory-limit", "0"], tmp_path / "workers.log"))

        def killer():
            deadline = time.monotonic() + 240
            while len(kills) < 2 and time.monotonic() < deadline:
                for pid in _processes_with(f"sleep {WORKER_MARKER}"):
                    try:
                        worker = _ancestor_worker(pid)
                    except (OSError, IndexError):
                        continue
                    os.kill(worker, signal.SIGKILL)
                    kills.append(worker)
                    while pid in _processes_with(f"sleep {WORKER_MARKER}"):
                        time.sleep(0.2)
                time.sleep(0.2)

        import threading

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        outcomes = pipeline.autograde([A], course_root=dying, scheduler=f"tcp://127.0.0.1:{port}", limits=LIMITS,
                                      progress=False)
        thread.join(timeout=60)
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in _processes_with(f"sleep {WORKER_MARKER}"):
            os.kill(pid, signal.SIGKILL)
    assert len(kills) == 2, kills
    assert outcomes[("alice", A)] is None
    assert "died 2 times (retried once)" in outcomes[("slow", A)]
