"""Collect and the files that travel: every attack on a real exchange folder, refused with the student named.

A submission is written into the exchange's inbound folder the way nbgrader's
submit writes it (STUDENT+ASSIGNMENT+TIMESTAMP+RANDOM/ holding the notebook,
timestamp.txt and submission_secret.txt), then an attacker's variant beside
it. No notebook is executed here; the attacks that need another user's files
(a shared, multi-user exchange) run where the tests may create them (root).
"""

import json
import os
import pwd
import secrets
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest

from graders.instructor import autograde, course, exchange, feedback, solutions

from conftest import ASSIGNMENTS

A = ASSIGNMENTS[0]
NOTEBOOK = solutions.notebook_path(A).name
AS_ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not AS_ROOT, reason="files owned by other users can only be made as root")
# Submission times are named from now on: an honest submission's notebook is written when its folder is named,
# and collect takes the notebook's ctime when it is later than the name (a backdated folder).
START = datetime.now(timezone.utc)


def _stamp(minutes):
    return (START + timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")


@pytest.fixture
def course_root(tmp_path, monkeypatch):
    monkeypatch.delenv(exchange.EXCHANGE_ENV_VAR, raising=False)
    monkeypatch.delenv(exchange.TRUST_NAMES_ENV_VAR, raising=False)
    monkeypatch.delenv(exchange.MAX_SIZE_ENV_VAR, raising=False)
    exchange.inbound_folder(tmp_path).mkdir(parents=True)
    return tmp_path


def _notebook(marker):
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = {marker!r}")]))


def submit(course_root, student, minutes=0, notebook=None, owner=None):
    """A submission folder as nbgrader's submit writes it; returns its path."""
    folder = exchange.inbound_folder(course_root) / f"{student}+{A}+{_stamp(minutes)}+{secrets.token_hex(4)}"
    folder.mkdir()
    (folder / NOTEBOOK).write_text(_notebook(notebook or f"{student}'s work"))
    (folder / exchange.TIMESTAMP_FILE).write_text(_stamp(minutes))
    (folder / exchange.SECRET_FILE).write_text(secrets.token_hex(64))
    if owner is not None:
        for path in [folder, *folder.iterdir()]:
            os.chown(path, owner, -1, follow_symlinks=False)
    return folder


def collected(course_root, student):
    folder = course_root / "submitted" / student / A
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else None


def submitted_text(course_root, student):
    return (course_root / "submitted" / student / A / NOTEBOOK).read_text()


def collect(course_root, capsys):
    ok = exchange.collect([A], course_root=course_root)
    return ok, capsys.readouterr().out


def test_an_honest_submission_brings_only_its_notebook_time_and_secret(course_root, capsys):
    folder = submit(course_root, "alice")
    (folder / "scratch.py").write_text("print('mine')\n")
    ok, out = collect(course_root, capsys)
    assert ok, out
    assert collected(course_root, "alice") == sorted([NOTEBOOK, exchange.SECRET_FILE, exchange.TIMESTAMP_FILE])
    assert "alice's work" in submitted_text(course_root, "alice")
    assert "left in the exchange: scratch.py" in out


def test_a_notebook_that_links_to_an_instructor_file_is_refused(course_root, capsys):
    folder = submit(course_root, "mallory")
    (folder / NOTEBOOK).unlink()
    (folder / NOTEBOOK).symlink_to(solutions.notebook_path(A))
    ok, out = collect(course_root, capsys)
    assert not ok and "REFUSED mallory" in out and "symbolic link" in out, out
    assert collected(course_root, "mallory") is None


def test_a_submission_folder_that_is_a_link_is_refused(course_root, tmp_path, capsys):
    elsewhere = submit(course_root, "alice")
    link = exchange.inbound_folder(course_root) / f"mallory+{A}+{_stamp(5)}+0000"
    link.symlink_to(elsewhere, target_is_directory=True)
    ok, out = collect(course_root, capsys)
    assert not ok and "REFUSED mallory: the submission is a symbolic link" in out, out
    assert collected(course_root, "mallory") is None and collected(course_root, "alice") is not None


def test_linked_extra_files_never_leave_the_exchange(course_root, capsys):
    folder = submit(course_root, "mallory")
    secret_targets = {"record.npz": Path(autograde.judge.HIDDEN_RECORD_DIR) / f"{A}.npz",
                      "gradebook.html": course_root / "gradebook.db", "solution.ipynb": solutions.notebook_path(A)}
    for name, target in secret_targets.items():
        (folder / name).symlink_to(target)
    ok, out = collect(course_root, capsys)
    assert ok, out
    assert collected(course_root, "mallory") == sorted([NOTEBOOK, exchange.SECRET_FILE, exchange.TIMESTAMP_FILE])


def test_a_linked_timestamp_or_secret_refuses_the_submission(course_root, capsys):
    folder = submit(course_root, "mallory")
    (folder / exchange.SECRET_FILE).unlink()
    (folder / exchange.SECRET_FILE).symlink_to(course_root / "gradebook.db")
    ok, out = collect(course_root, capsys)
    assert not ok and "REFUSED mallory" in out and f"{exchange.SECRET_FILE} is a symbolic link" in out, out


def test_a_hard_link_to_another_file_is_refused(course_root, capsys):
    alice = submit(course_root, "alice")
    folder = submit(course_root, "mallory")
    (folder / NOTEBOOK).unlink()
    os.link(alice / NOTEBOOK, folder / NOTEBOOK)
    ok, out = collect(course_root, capsys)
    assert not ok and "REFUSED mallory" in out and "hard link" in out, out
    assert collected(course_root, "mallory") is None


def test_a_pipe_or_device_in_place_of_the_notebook_is_refused_without_blocking(course_root, capsys):
    folder = submit(course_root, "mallory")
    (folder / NOTEBOOK).unlink()
    os.mkfifo(folder / NOTEBOOK)  # reading it would wait forever for a writer
    if AS_ROOT:
        other = submit(course_root, "oscar")
        (other / NOTEBOOK).unlink()
        os.mknod(other / NOTEBOOK, stat.S_IFCHR | 0o644, os.makedev(1, 5))  # /dev/zero: endless bytes
    ok, out = collect(course_root, capsys)
    assert not ok and "REFUSED mallory" in out and "a named pipe" in out, out
    if AS_ROOT:
        assert "REFUSED oscar" in out and "a character device" in out, out


def test_an_oversized_notebook_is_refused_and_reported_as_such(course_root, capsys):
    folder = submit(course_root, "mallory")
    with open(folder / NOTEBOOK, "r+b") as handle:  # sparse: costs no disk
        handle.truncate(exchange.DEFAULT_MAX_NOTEBOOK_MB * exchange.MIB + 1)
    ok, out = collect(course_root, capsys)
    assert not ok and "REFUSED mallory" in out and f"more than the {exchange.DEFAULT_MAX_NOTEBOOK_MB:.1f} MB" in out


def test_the_newest_submission_of_a_student_wins_and_an_older_one_never_replaces_it(course_root, capsys):
    submit(course_root, "alice", minutes=0, notebook="first")
    submit(course_root, "alice", minutes=10, notebook="second")
    assert collect(course_root, capsys)[0]
    assert "second" in submitted_text(course_root, "alice")
    submit(course_root, "alice", minutes=5, notebook="late copy of an older one")
    assert collect(course_root, capsys)[0]
    assert "second" in submitted_text(course_root, "alice")


def _collected_time(course_root, student):
    from nbgrader.utils import parse_utc

    return parse_utc((course_root / "submitted" / student / A / exchange.TIMESTAMP_FILE).read_text().strip())


def test_a_backdated_folder_name_gives_way_to_the_time_the_notebook_was_written(course_root, capsys):
    submit(course_root, "mallory", minutes=-3 * 24 * 60)  # named three days ago, written now
    ok, out = collect(course_root, capsys)
    assert ok, out
    taken = _collected_time(course_root, "mallory")
    assert abs((taken - START.replace(tzinfo=None)).total_seconds()) < exchange.CLOCK_SKEW_S, taken
    assert "mallory: the folder's name gives the time" in out and "the later time is the submission time" in out


def test_an_honest_time_within_the_clock_skew_is_kept_and_trusted_times_are_taken_as_named(course_root, capsys,
                                                                                            monkeypatch):
    submit(course_root, "alice", minutes=-exchange.CLOCK_SKEW_S / 60 / 2)  # a server clock a few minutes behind
    submit(course_root, "bob", minutes=-3 * 24 * 60)
    monkeypatch.setenv(exchange.TRUST_TIMES_ENV_VAR, "1")  # an exchange restored from a backup
    assert collect(course_root, capsys)[0]
    for student, minutes in (("alice", -exchange.CLOCK_SKEW_S / 60 / 2), ("bob", -3 * 24 * 60)):
        named = (START + timedelta(minutes=minutes)).replace(tzinfo=None)
        assert abs((_collected_time(course_root, student) - named).total_seconds()) < 1e-3


def test_the_submission_time_is_the_named_one_unless_the_notebook_was_written_later_than_the_clock_skew():
    named = datetime(2026, 3, 1, 12, 0)  # naive UTC, as nbgrader's parse_utc gives it
    stamp = named.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    epoch = (named - datetime(1970, 1, 1)).total_seconds()
    for written, expected in ((epoch - 3600, named),  # written before it was named: a slow clock, not a backdating
                              (epoch + exchange.CLOCK_SKEW_S - 1, named),
                              (epoch + exchange.CLOCK_SKEW_S + 1, named + timedelta(seconds=exchange.CLOCK_SKEW_S + 1))):
        time, text, notes = exchange.submission_time(named, stamp, written)
        assert time == expected and bool(notes) == (time != named), (written, time, notes)
        assert (text == stamp) == (time == named)


def test_a_name_that_is_no_student_id_is_refused(course_root, capsys):
    submit(course_root, "..")
    ok, out = collect(course_root, capsys)
    assert not ok and "REFUSED ..: '..' is not a valid student id" in out, out
    assert not (course_root / "submitted" / "..").exists() or collected(course_root, "..") is None


def test_on_the_local_exchange_a_folder_named_after_a_classmate_is_taken_by_its_name(course_root, capsys):
    """What the single-machine exchange cannot prove (README): every folder belongs to the collecting user."""
    submit(course_root, "bob", minutes=0, notebook="bob's own")
    submit(course_root, "bob", minutes=10, notebook="written by someone else")
    assert collect(course_root, capsys)[0]
    assert "someone else" in submitted_text(course_root, "bob")


def _two_users():
    found = [u for u in pwd.getpwall() if u.pw_uid not in (0, os.geteuid()) and exchange.STUDENT_ID.fullmatch(u.pw_name)]
    if len({u.pw_uid for u in found}) < 2:
        pytest.skip("this machine has fewer than two other user accounts")
    first = found[0]
    second = next(u for u in found if u.pw_uid != first.pw_uid)
    return first, second


@needs_root
def test_on_a_shared_exchange_a_folder_named_after_a_classmate_cannot_replace_the_classmates_work(course_root,
                                                                                                 capsys):
    victim, attacker = _two_users()
    submit(course_root, victim.pw_name, minutes=0, notebook="the victim's work", owner=victim.pw_uid)
    submit(course_root, victim.pw_name, minutes=30, notebook="the attacker's", owner=attacker.pw_uid)
    ok, out = collect(course_root, capsys)
    assert not ok, out
    assert (f"REFUSED {victim.pw_name}: the folder is named as {victim.pw_name}'s submission but belongs to user "
            f"{attacker.pw_name}") in out
    assert "the victim's work" in submitted_text(course_root, victim.pw_name)
    assert collected(course_root, attacker.pw_name) is None


@needs_root
def test_on_a_shared_exchange_a_file_of_another_owner_is_refused(course_root, capsys):
    student, other = _two_users()
    folder = submit(course_root, student.pw_name, owner=student.pw_uid)
    os.chown(folder / NOTEBOOK, other.pw_uid, -1)  # as a hard link to the other's notebook would be
    ok, out = collect(course_root, capsys)
    assert not ok and f"REFUSED {student.pw_name}" in out and f"belongs to {other.pw_name}" in out, out


@needs_root
def test_on_a_shared_exchange_the_student_is_the_owner(course_root, capsys):
    student, _ = _two_users()
    submit(course_root, student.pw_name, owner=student.pw_uid)
    ok, out = collect(course_root, capsys)
    assert ok, out
    assert collected(course_root, student.pw_name) is not None


# --------------------------------------------------------------------------- after collect


def _submitted(course_root, student, make):
    folder = course_root / "submitted" / student / A
    folder.mkdir(parents=True)
    make(folder / NOTEBOOK)
    return folder


@pytest.mark.parametrize("kind, words", [("symlink", "symbolic link"), ("hardlink", "hard link"),
                                         ("fifo", "named pipe")])
def test_autograde_reads_no_submitted_notebook_through_a_link(course_root, kind, words):
    source = course_root / "someone_elses.ipynb"
    source.write_text(_notebook("not mine"))
    make = {"symlink": lambda path: path.symlink_to(source), "hardlink": lambda path: os.link(source, path),
            "fifo": os.mkfifo}[kind]
    _submitted(course_root, "mallory", make)
    with pytest.raises(autograde.NotGraded, match=words):
        autograde.prepare(course_root, "mallory", A)


def test_a_feedback_folder_holding_anything_else_is_not_released(course_root):
    folder = course_root / "feedback" / "mallory" / A
    folder.mkdir(parents=True)
    html, timestamp, secret = exchange.feedback_files(A)
    (folder / html).write_text("<html></html>")
    (folder / timestamp).write_text(_stamp(0))
    (folder / secret).write_text(secrets.token_hex(64))
    assert exchange.feedback_problems(folder, A) == []
    (folder / "gradebook.html").symlink_to(course_root / "gradebook.db")
    problems = exchange.feedback_problems(folder, A)
    assert problems == ["gradebook.html was not written by `make feedback`"]
    assert feedback.prune(folder, A) == ["gradebook.html"]
    assert exchange.feedback_problems(folder, A) == []


def test_feedback_of_a_submission_that_came_without_a_secret_is_held_back(course_root):
    folder = course_root / "feedback" / "bob" / A
    folder.mkdir(parents=True)
    (folder / exchange.feedback_files(A)[0]).write_text("<html></html>")
    assert any("no submission_secret.txt" in p for p in exchange.feedback_problems(folder, A))


# --------------------------------------------------------------------------- the modules' layers


def _imports(path):
    """Names of the graders.instructor modules a file imports, at any depth of its code."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "graders.instructor":
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("graders.instructor."):
            found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[2] for a in node.names if a.name.startswith("graders.instructor."))
    return found


def test_the_instructor_modules_import_each_other_without_a_circle():
    folder = Path(course.__file__).parent
    modules = {p.stem: p for p in folder.glob("*.py") if p.stem != "__init__"}
    graph = {name: _imports(path) & set(modules) for name, path in modules.items()}
    visiting, done = [], set()

    def visit(name):
        if name in done:
            return
        assert name not in visiting, "import circle: " + " -> ".join(visiting[visiting.index(name):] + [name])
        visiting.append(name)
        for other in sorted(graph[name]):
            visit(other)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert "pipeline" not in set().union(*(graph[n] for n in graph if n not in ("pipeline", "bench_autograde")))


# --------------------------------------------------------------------------- nbgrader's own commands


def test_nbgraders_own_collect_makes_the_same_checks(course_root):
    submit(course_root, "alice")
    folder = submit(course_root, "mallory")
    (folder / NOTEBOOK).unlink()
    (folder / NOTEBOOK).symlink_to(solutions.notebook_path(A))
    result = exchange.exchange_api(course_root).collect(A)
    assert result["success"] and "REFUSED mallory" in result["log"], result
    assert collected(course_root, "alice") is not None and collected(course_root, "mallory") is None


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    from graders.instructor import pipeline

    root = tmp_path_factory.mktemp("released")
    assert pipeline.release([A], course_root=root)
    return root


def test_plain_nbgrader_autograde_refuses_naming_make_autograde_and_runs_no_student_code(released):
    from test_pipeline import _submission, _submit

    marker = released / "student-code-ran"
    first = next(iter(solutions.solution_cells(A)))
    _submit(released, "plain", A, _submission(released, A, sabotage=(first, f"open({str(marker)!r}, 'w')\n", True)))
    result = course.nbgrader_api(released).autograde(A, "plain", force=True, create=True)  # what formgrader calls
    text = (result.get("log") or "") + (result.get("error") or "")
    assert not result["success"] and "make autograde" in text, text
    assert not marker.exists()
    assert not list((released / "autograded").glob(f"plain/{A}/*.ipynb"))
    from nbgrader.api import Gradebook

    with Gradebook(course.course_config(released).CourseDirectory.db_url) as gradebook:
        grades = gradebook.find_submission(A, "plain").notebooks[0].grades
        assert all(grade.auto_score is None for grade in grades)


# --------------------------------------------------------------------------- fair to an honest notebook


def _prepared(released, student, nb):
    from test_pipeline import _submit

    _submit(released, student, A, nb)
    return autograde.prepare(released, student, A)


def _reference(released):
    from test_pipeline import _submission

    return _submission(released, A)


def _pasted(cell):
    """A copy of a cell as JupyterLab pastes it: the same metadata (grade id included), a new cell id."""
    copy = nbformat.from_dict(json.loads(json.dumps(cell)))
    copy["id"] = secrets.token_hex(4)
    return copy


def _cell_index(nb, grade_id):
    return next(i for i, c in enumerate(nb.cells) if solutions.nbgrader_meta(c).get("grade_id") == grade_id)


def test_a_copied_solution_cell_is_graded_once_the_last_definition_winning(released):
    nb = _reference(released)
    first = next(iter(solutions.solution_cells(A)))
    index = _cell_index(nb, first)
    nb.cells.insert(index + 1, _pasted(nb.cells[index]))  # pasted right below
    prepared, notes = _prepared(released, "copier", nb)
    assert [solutions.nbgrader_meta(c).get("grade_id") for c in prepared.cells].count(first) == 1
    assert _cell_index(prepared, first) == index + 1  # the last one carries the grade id
    assert "nbgrader" not in prepared.cells[index].metadata  # the first copy runs as a plain cell
    assert len(notes) == 1 and f"cell {index + 1} (" in notes[0] and "the last one is graded" in notes[0], notes


def test_a_copied_test_cell_is_not_run_twice(released):
    nb = _reference(released)
    test = next(i for i, c in enumerate(nb.cells) if solutions.nbgrader_meta(c).get("grade"))
    grade_id = solutions.nbgrader_meta(nb.cells[test])["grade_id"]
    nb.cells.insert(test, _pasted(nb.cells[test]))
    prepared, notes = _prepared(released, "copier2", nb)
    assert prepared.cells[test].source.startswith("# a copy of the cell") and _cell_index(prepared, grade_id) == test + 1
    assert autograde.tampering_findings(prepared) == []  # the copy neither observes nor looks like tampering
    assert "is a copy of the cell" in notes[0], notes


def test_broken_metadata_names_the_cell_in_the_students_words(released):
    nb = _reference(released)
    test = next(i for i, c in enumerate(nb.cells) if solutions.nbgrader_meta(c).get("grade"))
    nb.cells[test].metadata.nbgrader["points"] = "ten"
    with pytest.raises(autograde.NotGraded) as caught:
        _prepared(released, "broken", nb)
    message = str(caught.value)
    assert f"cell {test + 1} (" in message and "copy that cell back" in message, message
    assert "schema" not in message.lower()


def test_an_oversized_notebook_is_reported_as_oversized(released):
    nb = _reference(released)
    nb.cells.append(nbformat.v4.new_code_cell("padding = '" + "x" * (autograde.MAX_SOURCE_BYTES + 1) + "'"))
    with pytest.raises(autograde.NotGraded, match="oversized submission: its code and text alone are"):
        _prepared(released, "large", nb)


# --------------------------------------------------------------------------- feedback that reads well offline


def test_maths_is_drawn_into_the_feedback_and_code_keeps_its_dollars():
    page = feedback.offline_maths("the state $a^{\\langle t \\rangle}$, `echo $HOME`, and\n\n$$\\notamacro{x}$$\n")
    assert page.count('<img src="data:image/svg+xml;base64,') == 1 and 'alt="a^{\\langle t \\rangle}"' in page
    assert "`echo $HOME`" in page
    assert "<code>\\notamacro{x}</code>" in page  # what mathtext cannot draw stays readable as TeX
    assert "$" not in page.replace("`echo $HOME`", "")


def test_every_formula_of_the_notebooks_is_drawn_or_shown_as_tex():
    for assignment in ASSIGNMENTS:
        nb = nbformat.read(solutions.notebook_path(assignment), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                rendered = feedback.offline_maths(cell.source)
                outside_code = "".join(feedback.CODE.split(rendered)[::2])
                assert "$" not in outside_code.replace("\\$", ""), (assignment, cell.source[:80])


def test_tracebacks_of_ungraded_cells_are_cut_to_their_last_line():
    error = {"output_type": "error", "ename": "ValueError", "evalue": "shapes (3,) and (4,) not aligned",
             "traceback": ["Traceback (most recent call last)", "  File ...", "ValueError: shapes ..."]}
    plain = nbformat.v4.new_code_cell("x @ y")
    graded = nbformat.v4.new_code_cell("check()", metadata={"nbgrader": {"grade": True, "grade_id": "test_f"}})
    plain.outputs = [nbformat.from_dict(dict(error))]
    graded.outputs = [nbformat.from_dict(dict(error))]
    nb = nbformat.v4.new_notebook(cells=[plain, graded])
    feedback.ShortTracebacks().preprocess(nb, {})
    assert plain.outputs[0]["traceback"] == ["ValueError: shapes (3,) and (4,) not aligned"]
    assert len(graded.outputs[0]["traceback"]) == 3  # the check's message is the judge's, kept whole


def test_the_table_of_contents_names_functions_and_no_cdn_is_loaded():
    page = ('<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/latest.js?config=TeX"> </script>'
            '<li><a href="#test_rnn_cell_forward">Test cell</a> (Score: 1.0 / 1.0)</li>')
    fixed = feedback.without_cdn(feedback.name_test_cells(page))
    assert '<a href="#test_rnn_cell_forward">rnn_cell_forward</a>' in fixed
    assert "Test cell" not in fixed and "cdnjs" not in fixed
