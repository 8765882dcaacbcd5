"""The instructor workflow with real exit codes: release, validate, autograde, feedback, export.

Every step goes through nbgrader's Python API (its `validate` command always
exits 0, so it cannot gate CI). Student code runs in the "course-grading"
sandbox kernel (graders/instructor/sandbox_kernel.py) with a per-cell
timeout, and in quick mode (COURSE_QUICK=1) so each notebook takes about a
minute. Each submission is graded on its own: one broken notebook is
reported and the others are still graded; a submission that was already
autograded is kept (use --force to regrade), so an interrupted run loses nothing.

Usage (the Makefile's targets call these):
    python -m graders.instructor.pipeline release   [ASSIGNMENT ...]
    python -m graders.instructor.pipeline validate  [--invert] [ASSIGNMENT ...]
    python -m graders.instructor.pipeline autograde [--force] [ASSIGNMENT ...]
    python -m graders.instructor.pipeline feedback  [ASSIGNMENT ...]
    python -m graders.instructor.pipeline export    [--to exports/grades.csv]
    python -m graders.instructor.pipeline install-kernel
"""

import argparse
import csv
import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from graders.instructor import judge, sandbox_kernel, solutions
from helpers import budget

REPO_ROOT = solutions.REPO_ROOT
KIT_DIR_NAME = "course_kit"
# what a student receives beside the notebooks; graders/instructor is left out
KIT_CONTENTS = ("helpers", "graders", "datasets", "pyproject.toml", "requirements.txt",
                "requirements.lock", "requirements-nodeps.txt")
KIT_EXCLUDED = ("instructor", "__pycache__", "*.egg-info", ".ipynb_checkpoints")


def course_config(course_root=REPO_ROOT):
    """nbgrader configuration: nbgrader_config.py, pointed at `course_root`, grading in the sandbox kernel.

    `course_root` holds release/, submitted/, autograded/, feedback/ and
    gradebook.db; the source notebooks always come from this repository.
    """
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    course_root = Path(course_root).resolve()
    overrides = Config()
    overrides.CourseDirectory.root = str(course_root)
    overrides.CourseDirectory.source_directory = str(REPO_ROOT / "notebooks")
    overrides.CourseDirectory.db_url = "sqlite:///" + str(course_root / "gradebook.db")
    overrides.Exchange.root = str(course_root / "exchange")
    overrides.Execute.kernel_name = sandbox_kernel.KERNEL_NAME
    config.merge(overrides)
    return config


def _environment_on_path():
    """nbgrader runs command-line tools (alembic) by name: make this environment's bin/ findable."""
    bin_dir = str(Path(sys.prefix) / "bin")
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def nbgrader_api(course_root=REPO_ROOT):
    _environment_on_path()
    Path(course_root).mkdir(parents=True, exist_ok=True)  # nbgrader expects the course folder to exist
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = course_config(course_root)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _quick_mode():
    os.environ[budget.QUICK_ENV_VAR] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _assignments(names):
    known = solutions.assignment_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown assignment(s) {unknown}; known: {known}")
    return names or known


# --------------------------------------------------------------------------- kernel


KERNEL_CONFIG = "c.IPKernelApp.capture_fd_output = False\n"


def install_kernel(prefix=sys.prefix):
    """Install the kernels of this environment (share/jupyter/kernels/).

    - course-grading: the sandbox used by validation and autograding;
    - python3 (what the notebooks name): this environment's interpreter.

    Both read a small config file that keeps TensorFlow's C++ log lines out of
    cell outputs (DESIGN.md, known traps). It is a file, not a command-line
    flag, because nbgrader passes the same flag (Execute.extra_arguments) and a
    kernel given the flag twice refuses to start.
    """
    config = Path(prefix) / "etc" / "ipython" / "course_kernel_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(KERNEL_CONFIG)
    kernels = Path(prefix) / "share" / "jupyter" / "kernels"
    python3 = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "env": {"TF_CPP_MIN_LOG_LEVEL": "2"},
        "metadata": {"debugger": True},
    }
    for name, spec in ((sandbox_kernel.KERNEL_NAME, sandbox_kernel.kernel_spec()), ("python3", python3)):
        spec["argv"].append(f"--config={config}")
        (kernels / name).mkdir(parents=True, exist_ok=True)
        (kernels / name / "kernel.json").write_text(json.dumps(spec, indent=1))
    return kernels


# --------------------------------------------------------------------------- release


def release(assignments=(), course_root=REPO_ROOT):
    """Generate the student notebooks (release/NN_name/) and the course kit (release/course_kit/)."""
    api = nbgrader_api(course_root)
    ok = True
    for assignment in _assignments(list(assignments)):
        result = api.generate_assignment(assignment, force=True, create=True)
        status = "released" if result["success"] else "FAILED"
        print(f"{assignment}: {status}")
        if not result["success"]:
            print(result.get("error") or result.get("log"))
            ok = False
    build_kit(Path(course_root) / "release" / KIT_DIR_NAME)
    return ok


def build_kit(destination, quiet=False):
    """Copy what students need beside the notebooks: helpers, public graders, data, pins."""
    destination = Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for name in KIT_CONTENTS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns(*KIT_EXCLUDED))
        else:
            shutil.copy2(source, destination / name)
    if not quiet:
        print(f"course kit written to {destination}")
    return destination


# --------------------------------------------------------------------------- validate


def _graded_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code" and solutions.nbgrader_meta(c).get("grade")]


def _has_code(source):
    """True when a cell holds something besides comments and a docstring."""
    import ast

    try:
        body = ast.parse(source).body
    except SyntaxError:
        return True
    return any(not (isinstance(node, ast.Expr) and isinstance(getattr(node, "value", None), ast.Constant))
               for node in body)


def execute_notebook(nb, cwd, course_root=REPO_ROOT):
    """Run a notebook in the grading kernel (probe mode), every cell even after an error; return it."""
    from nbclient import NotebookClient

    _quick_mode()
    _environment_on_path()
    timeout = course_config(course_root).Execute.timeout
    client = NotebookClient(nb, kernel_name=sandbox_kernel.KERNEL_NAME, timeout=timeout, allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def validate_notebook(path, invert=False, course_root=REPO_ROOT):
    """Run one notebook in quick mode and judge it; return a list of problems (empty = success).

    invert=False: every graded cell must pass (a source notebook with solutions).
    invert=True: every graded cell must *fail* (a released stub); a graded cell
    that holds no code in the release (only hidden tests) is a problem too,
    because it would pass on any submission.
    The verdicts come from the judge (graders/instructor/judge.py), exactly as
    when autograding, so hidden cases are judged too.
    """
    path = Path(path)
    assignment = path.parent.name
    problems = []
    nb = nbformat.read(path, as_version=4)
    if invert:
        for cell in _graded_cells(nb):
            if not _has_code(cell.source):
                problems.append(f"graded cell {solutions.nbgrader_meta(cell)['grade_id']} holds no visible test "
                                f"in the release, so it passes on any submission")
    execute_notebook(nb, path.parent, course_root)
    for verdict in judge.judge_notebook(assignment, nb):
        if invert and verdict.passed:
            problems.append(f"graded cell {verdict.grade_id} passes on the stub")
        elif not invert and not verdict.passed:
            problems.append(f"graded cell {verdict.grade_id} fails:\n{verdict.message}")
    return problems


def validate(assignments=(), invert=False, course_root=REPO_ROOT):
    """Validate source notebooks (or, with invert, the released stubs). Returns True when all pass."""
    ok = True
    for assignment in _assignments(list(assignments)):
        if invert:
            path = Path(course_root) / "release" / assignment / solutions.notebook_path(assignment).name
        else:
            path = solutions.notebook_path(assignment)
        problems = validate_notebook(path, invert=invert, course_root=course_root)
        label = "stub fails every graded cell" if invert else "reference passes every graded cell"
        print(f"{assignment}: {label}" if not problems else f"{assignment}: {len(problems)} problem(s)")
        for problem in problems:
            print("  - " + problem.replace("\n", "\n    "))
        ok = ok and not problems
    return ok


# --------------------------------------------------------------------------- autograde, feedback, export


def submissions(course_root=REPO_ROOT, assignments=()):
    """(student, assignment) for every folder submitted/STUDENT/ASSIGNMENT, sorted."""
    wanted = set(assignments)
    root = Path(course_root) / "submitted"
    found = []
    if root.is_dir():
        for student_dir in sorted(p for p in root.iterdir() if p.is_dir()):
            for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
                if not wanted or assignment_dir.name in wanted:
                    found.append((student_dir.name, assignment_dir.name))
    return found


def autograde(assignments=(), force=False, course_root=REPO_ROOT):
    """Autograde every submission on its own; return {(student, assignment): error or None}."""
    _quick_mode()
    api = nbgrader_api(course_root)
    outcome = {}
    todo = submissions(course_root, assignments)
    if not todo:
        print(f"no submissions found under {Path(course_root) / 'submitted'}")
    # the records and the graders' code are read before any student kernel runs, so a submission that
    # writes to them cannot change how it or a later one is judged (issue 7 will keep kernels off them)
    records = {}
    for assignment in sorted({a for _, a in todo}):
        solutions.grader_module(assignment)  # imported now, not after a kernel could have edited it
        records[assignment] = judge.suite_records(assignment)
    for student, assignment in todo:
        done = Path(course_root) / "autograded" / student / assignment
        if done.is_dir() and not force:
            print(f"{student}/{assignment}: already autograded (kept; use --force to regrade)")
            outcome[(student, assignment)] = None
            continue
        try:
            result = api.autograde(assignment, student, force=force, create=True)
            error = None if result["success"] else (result.get("error") or result.get("log") or "failed")
            if error is None:
                judge_submission(assignment, student, course_root, records[assignment])
        except Exception as err:  # nothing one submission does may stop the others
            error = f"{type(err).__name__}: {err}"
        if error is not None and done.is_dir():
            shutil.rmtree(done)  # no score without a verdict; the submission itself stays for a regrade
        outcome[(student, assignment)] = error
        print(f"{student}/{assignment}: " + ("autograded" if error is None else "NOT GRADED"))
        if error is not None:
            print("  " + error.strip().splitlines()[-1][:300])
    return outcome


def judge_submission(assignment, student, course_root=REPO_ROOT, records_by_suite=None):
    """Judge an autograded notebook and write the judge's scores into the gradebook; return the verdicts.

    nbgrader's own scores (a cell passes when it raised nothing) are replaced:
    in the grading kernel a test cell only records observations, so the judge
    alone decides. A manual score left in the gradebook is cleared too.
    """
    from nbgrader.api import Gradebook

    name = solutions.notebook_path(assignment).stem
    path = Path(course_root) / "autograded" / student / assignment / f"{name}.ipynb"
    verdicts = judge.judge_file(assignment, path, records_by_suite)
    with Gradebook(course_config(course_root).CourseDirectory.db_url) as gradebook:
        for verdict in verdicts:
            grade = gradebook.find_grade(verdict.grade_id, name, assignment, student)
            grade.auto_score = verdict.points
            grade.manual_score = None
        gradebook.db.commit()
    return verdicts


def feedback(assignments=(), course_root=REPO_ROOT):
    """Write feedback/STUDENT/ASSIGNMENT/*.html for every autograded submission."""
    api = nbgrader_api(course_root)
    ok = True
    for student, assignment in submissions(course_root, assignments):
        if not (Path(course_root) / "autograded" / student / assignment).is_dir():
            continue
        result = api.generate_feedback(assignment, student, force=True)
        print(f"{student}/{assignment}: " + ("feedback written" if result["success"] else "feedback FAILED"))
        ok = ok and result["success"]
    return ok


def grade_rows(course_root=REPO_ROOT):
    """One dict per (student, assignment) in the gradebook: score, max_score, and whether it was graded."""
    from nbgrader.api import Gradebook, MissingEntry

    _environment_on_path()
    rows = []
    with Gradebook(course_config(course_root).CourseDirectory.db_url) as gradebook:
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            for student in sorted(gradebook.students, key=lambda s: s.id):
                # nbgrader enters a submission before running it; only an autograded folder proves it ran
                ran = (Path(course_root) / "autograded" / student.id / assignment.name).is_dir()
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                    rows.append({"student": student.id, "assignment": assignment.name,
                                 "score": submission.score if ran else 0.0, "max_score": submission.max_score,
                                 "graded": ran})
                except MissingEntry:
                    rows.append({"student": student.id, "assignment": assignment.name,
                                 "score": 0.0, "max_score": assignment.max_score, "graded": False})
    return rows


def export(destination=None, course_root=REPO_ROOT):
    """Write the gradebook to a CSV file (default exports/grades.csv); return its path."""
    destination = Path(destination or Path(course_root) / "exports" / "grades.csv")
    destination.parent.mkdir(parents=True, exist_ok=True)
    rows = grade_rows(course_root)
    with open(destination, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student", "assignment", "score", "max_score", "graded"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} grades written to {destination}")
    return destination


# --------------------------------------------------------------------------- command line


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m graders.instructor.pipeline", description=__doc__.split("\n")[0])
    parser.add_argument("--course-root", default=str(REPO_ROOT), help="folder for release/, submitted/, ...")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("release", "validate", "autograde", "feedback"):
        p = sub.add_parser(name)
        p.add_argument("assignments", nargs="*")
        if name == "validate":
            p.add_argument("--invert", action="store_true", help="check that the released stubs fail")
        if name == "autograde":
            p.add_argument("--force", action="store_true", help="regrade submissions already autograded")
    p = sub.add_parser("export")
    p.add_argument("--to", default=None)
    sub.add_parser("install-kernel")
    args = parser.parse_args(argv)
    root = args.course_root
    if args.command == "release":
        return 0 if release(args.assignments, course_root=root) else 1
    if args.command == "validate":
        return 0 if validate(args.assignments, invert=args.invert, course_root=root) else 1
    if args.command == "autograde":
        outcome = autograde(args.assignments, force=args.force, course_root=root)
        failed = [f"{s}/{a}" for (s, a), error in outcome.items() if error is not None]
        print(f"{len(outcome) - len(failed)} of {len(outcome)} submissions autograded"
              + (f"; not graded: {', '.join(failed)}" if failed else ""))
        return 1 if failed else 0
    if args.command == "feedback":
        return 0 if feedback(args.assignments, course_root=root) else 1
    if args.command == "export":
        export(args.to, course_root=root)
        return 0
    if args.command == "install-kernel":
        print(f"kernels installed in {install_kernel()}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
