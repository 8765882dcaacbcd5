"""The instructor workflow with real exit codes: release, validate, autograde, feedback, export.

Every step goes through nbgrader's Python API (its `validate` command always
exits 0, so it cannot gate CI). Student code runs only in a sandbox
(graders/instructor/sandbox.py), in quick mode (COURSE_QUICK=1) so each
notebook takes about a minute; the judge decides every score. Autograding a
class (graders/instructor/autograde.py) runs submissions in parallel on Dask
(--jobs N, or --scheduler tcp://host:port), reports each one's outcome, and
resumes an interrupted run without regrading what was done (--force regrades).

Usage (the Makefile's targets call these):
    python -m graders.instructor.pipeline release   [ASSIGNMENT ...]
    python -m graders.instructor.pipeline validate  [--invert] [ASSIGNMENT ...]
    python -m graders.instructor.pipeline autograde [--force] [--jobs N | --scheduler ADDRESS] [--no-sandbox] [ASSIGNMENT ...]
    python -m graders.instructor.pipeline feedback  [ASSIGNMENT ...]
    python -m graders.instructor.pipeline export    [--to exports/grades.csv]
    python -m graders.instructor.pipeline grades    (export, then a summary per assignment)
    python -m graders.instructor.pipeline install-kernel
    python -m graders.instructor.pipeline formgrader [-- JUPYTER LAB ARGS]   (the instructor's lab)
"""

import argparse
import csv
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from graders.instructor import course, judge, solutions
# the course folder's library lives in course.py; these names stay importable from here
from graders.instructor.course import (KIT_DIR_NAME, REPO_ROOT, build_kit, course_config,  # noqa: F401
                                       nbgrader_api, submissions)

_assignments = course.assignments


# --------------------------------------------------------------------------- kernel


def install_kernel(prefix=sys.prefix):
    """Install the environment's only kernel, python3, and the student-mode Jupyter config (graders/student/lab.py).

    Grading needs no installed kernel: each sandbox writes its own spec
    (graders/instructor/sandbox_runner.py). The grading kernel of earlier
    versions is removed, so students are never offered it.
    """
    from graders.student import lab

    written = lab.install(prefix)
    obsolete = Path(prefix) / "share" / "jupyter" / "kernels" / "course-grading"
    if obsolete.is_dir():
        shutil.rmtree(obsolete)
    return written


# --------------------------------------------------------------------------- the instructor's lab

INSTRUCTOR_LAYER = "course_instructor"  # etc/jupyter/<this>: what the instructor's lab adds to the student mode
INSTRUCTOR_FILE = "sequence_models_instructor.json"
INSTRUCTOR_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": True,  # review, manual grading, the gradebook
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.validate_assignment": False,  # Validate stays the course's own
    "graders.student.server": True,
}
INSTRUCTOR_PLUGINS = {"@jupyter/nbgrader:formgrader": False, "@jupyter/nbgrader:create-assignment": False,
                      "@jupyter/nbgrader:menu": False}


def instructor_layer(prefix=sys.prefix):
    """Write the instructor's configuration layer (formgrader on) into the environment; return its folder.

    The environment's own configuration stays the student mode (`make lab`);
    only a lab started with JUPYTER_CONFIG_PATH=<this folder> (`make formgrader`)
    shows formgrader. Its Autograde button refuses and names `make autograde`
    (nbgrader_config.py); Collect and Release Feedback make the checks of
    graders/instructor/exchange.py.
    """
    from graders.student import lab

    layer = Path(prefix) / "etc" / "jupyter" / INSTRUCTOR_LAYER
    lab._write_json(layer / "jupyter_server_config.d" / INSTRUCTOR_FILE,
                    {"ServerApp": {"jpserver_extensions": INSTRUCTOR_EXTENSIONS}})
    lab._write_json(layer / "labconfig" / "page_config.d" / INSTRUCTOR_FILE, {"disabledExtensions": INSTRUCTOR_PLUGINS})
    return layer


def formgrader(course_root=REPO_ROOT, extra_args=()):
    """Open JupyterLab on the course folder with formgrader (the instructor's lab); replaces this process."""
    from graders.student import lab

    lab.install()
    layer = instructor_layer()
    env = dict(os.environ, JUPYTER_CONFIG_PATH=os.pathsep.join(
        dict.fromkeys([str(layer), *filter(None, os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))])))
    course_root = Path(course_root).resolve()
    print(f"formgrader on {course_root} (Nbgrader > Formgrader): review and manual grading; autograde with "
          f"`make autograde`", flush=True)
    os.chdir(course_root)  # formgrader reads nbgrader_config.py from the folder it serves
    command = lab.jupyter_lab_command(course_root, extra_args)
    os.execve(command[0], command, env)


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
    from graders.instructor import course_kit, exchange  # the student package and the class exchange

    course_kit.add_student_files(Path(course_root) / "release", KIT_DIR_NAME)
    return exchange.publish(assignments, course_root) and ok


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


def _sandbox_settings(course_root):
    """(grading kit folder, built now; limits; isolate) of a validation run."""
    from graders.instructor import grading_kit, sandbox

    kit = Path(course_root) / ".grading" / "kit"
    grading_kit.build(kit)
    limits = sandbox.Limits.from_environment(cell_timeout_s=course_config(course_root).Execute.timeout)
    return kit, limits, os.environ.get("COURSE_NO_SANDBOX") != "1"


def execute_notebook(nb, course_root=REPO_ROOT, reprobe_assignment=None, settings=None):
    """Run a notebook in a grading sandbox (probe mode, quick mode), every cell even after an error.

    The same sandbox as autograding (graders/instructor/sandbox.py); returns
    (executed notebook, SandboxResult), and with reprobe_assignment also the judge's own run of that
    assignment's behaviour probes on the notebook's solution cells (graders/instructor/reprobe.py), or None
    when it grades nothing by behaviour; that run starts with the notebook's, in a sandbox of its own (it reads
    only the notebook's source), so the two overlap on a machine with two cores. COURSE_NO_SANDBOX=1 runs it
    without isolation where no sandbox can be made (not Linux).
    settings : (kit, limits, isolate) from _sandbox_settings, when the caller built the grading kit already
    """
    from graders.instructor import reprobe, sandbox

    kit, limits, isolate = settings or _sandbox_settings(course_root)
    probe_request = None if reprobe_assignment is None else reprobe.request(reprobe_assignment, nb)
    # the judge's run needs only the notebook's source, so it runs in its own sandbox while the notebook runs
    with ThreadPoolExecutor(max_workers=1) as pool:
        judges_run = None if probe_request is None else pool.submit(reprobe.run, probe_request, kit, REPO_ROOT,
                                                                    limits, isolate)
        result = sandbox.run_notebook(nb, kit, REPO_ROOT, limits, isolate=isolate)
        reprobed = None if judges_run is None else judges_run.result()
    if result.notebook is None:
        raise RuntimeError(f"the notebook could not be run: {result.cause}\n{result.log_tail}")
    if reprobe_assignment is None:
        return nbformat.from_dict(result.notebook), result
    return nbformat.from_dict(result.notebook), result, reprobed


def validation_runs(paths, course_root=REPO_ROOT):
    """Execute several notebooks side by side as validate_notebook does; one execute_notebook result per path.

    One grading kit serves them all. Each notebook's kernel spends most of its time in Python on one core, so a
    second notebook (a released stub: its checks fail at once) uses the time the cores would otherwise idle.
    The runs only start sandboxed processes; judging them (validate_notebook with `executed`) stays with the
    caller.
    """
    settings = _sandbox_settings(course_root)
    paths = [Path(path) for path in paths]
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        runs = [pool.submit(execute_notebook, nbformat.read(path, as_version=4), course_root,
                            reprobe_assignment=path.parent.name, settings=settings) for path in paths]
        return [run.result() for run in runs]


def validate_notebook(path, invert=False, course_root=REPO_ROOT, executed=None):
    """Run one notebook in quick mode and judge it; return a list of problems (empty = success).

    invert=False: every graded cell must pass (a source notebook with solutions), in the judge and in the
    notebook's own kernel (kernel_failures).
    invert=True: every graded cell must *fail* (a released stub); a graded cell
    that holds no code in the release (only hidden tests) is a problem too,
    because it would pass on any submission.
    The verdicts come from the judge (graders/instructor/judge.py), exactly as
    when autograding, so hidden cases are judged too.
    executed : this notebook's run from validation_runs, when it was executed already (judged here)
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
    nb, run, reprobed = executed or execute_notebook(nb, course_root, reprobe_assignment=assignment)
    if run.cause:
        problems.append(f"the run ended early: {run.cause}")
    if not invert:  # read before the judge rewrites the graded cells' outputs
        problems.extend(kernel_failures(nb))
    for verdict in judge.judge_notebook(assignment, nb, reprobed=reprobed):
        if invert and verdict.passed:
            problems.append(f"graded cell {verdict.grade_id} passes on the stub")
        elif not invert and not verdict.passed:
            problems.append(f"graded cell {verdict.grade_id} fails:\n{verdict.message}")
    return problems


def kernel_failures(nb):
    """One problem per graded cell of an executed notebook that raised in the notebook's own kernel.

    A source notebook must pass its visible checks where a student runs them, not only in the judge: the
    judge decides a behaviour-graded function on its own run, and would pass a reference whose check in the
    kernel fails.
    """
    problems = []
    for cell in _graded_cells(nb):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"graded cell {solutions.nbgrader_meta(cell)['grade_id']} fails in the notebook's "
                                f"kernel: {output.get('ename')}: {output.get('evalue')}")
                break
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


def autograde(assignments=(), force=False, course_root=REPO_ROOT, jobs=1, scheduler=None, isolate=True,
              limits=None, progress=True):
    """Autograde every submission in its own sandbox; return {(student, assignment): cause or None}.

    jobs : grade on a Dask LocalCluster of that many workers (1: in this process)
    scheduler : address of an existing Dask scheduler (tcp://host:port); overrides jobs
    isolate : False only with the instructor's explicit --no-sandbox
    A submission graded by an earlier run is kept unless force (its outcome is
    reported again). Details: graders/instructor/autograde.py.
    """
    from graders.instructor import autograde as grading

    course.quick_mode()
    todo = submissions(course_root, assignments)
    if not todo:
        print(f"no submissions found under {Path(course_root) / 'submitted'}")
        return {}
    outcomes = grading.grade_class(todo, course_root=course_root, force=force, jobs=jobs, scheduler=scheduler,
                                   isolate=isolate, limits=limits, progress=progress)
    return {(o.student, o.assignment): (o.cause if o.status == "not graded" else None) for o in outcomes}


def feedback(assignments=(), course_root=REPO_ROOT):
    """Write feedback/STUDENT/ASSIGNMENT/NAME.html for every autograded submission (graders/instructor/feedback.py)."""
    from graders.instructor import feedback as course_feedback

    return course_feedback.generate(assignments, course_root)


def grade_rows(course_root=REPO_ROOT):
    """One dict per (student, assignment) in the gradebook: score, max_score, and whether it was graded."""
    from nbgrader.api import Gradebook, MissingEntry

    from graders.instructor import autograde as grading

    course.environment_on_path()
    rows = []
    with Gradebook(course_config(course_root).CourseDirectory.db_url) as gradebook:
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            for student in sorted(gradebook.students, key=lambda s: s.id):
                # nbgrader enters a submission before running it; only the judge's state file proves it was graded
                ran = grading.read_state(course_root, student.id, assignment.name) is not None
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                    rows.append({"student": student.id, "assignment": assignment.name,
                                 "score": submission.score if ran else 0.0, "max_score": submission.max_score,
                                 "graded": ran, "needs_manual_grade": bool(submission.needs_manual_grade)})
                except MissingEntry:
                    rows.append({"student": student.id, "assignment": assignment.name,
                                 "score": 0.0, "max_score": assignment.max_score, "graded": False,
                                 "needs_manual_grade": False})
    return rows


def export(destination=None, course_root=REPO_ROOT):
    """Write the gradebook to a CSV file (default exports/grades.csv); return its path."""
    destination = Path(destination or Path(course_root) / "exports" / "grades.csv")
    destination.parent.mkdir(parents=True, exist_ok=True)
    rows = grade_rows(course_root)
    with open(destination, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["student", "assignment", "score", "max_score", "graded",
                                               "needs_manual_grade"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} grades written to {destination}")
    return destination


def failures_by_grade_id(course_root=REPO_ROOT):
    """{assignment: {grade_id: number of graded submissions that lost its points}} from the gradebook."""
    from nbgrader.api import Gradebook

    from graders.instructor import autograde as grading

    failures = {}
    with Gradebook(course_config(course_root).CourseDirectory.db_url) as gradebook:
        for assignment in gradebook.assignments:
            counts = failures.setdefault(assignment.name, {})
            for submission in gradebook.assignment_submissions(assignment.name):
                if grading.read_state(course_root, submission.student.id, assignment.name) is None:
                    continue
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        if grade.score is not None and grade.max_score and grade.score < grade.max_score:
                            counts[grade.name] = counts.get(grade.name, 0) + 1
    return failures


def grades(course_root=REPO_ROOT):
    """Export the grades, then print per assignment: count, mean, median and failures by grade id."""
    from graders.instructor import autograde as grading

    export(course_root=course_root)
    table = grading.summary_rows(grade_rows(course_root), failures_by_grade_id(course_root))
    for row in table:
        mean = "-" if row["mean"] is None else f"{row['mean']:.2f}"
        median = "-" if row["median"] is None else f"{row['median']:.2f}"
        print(f"{row['assignment']}: {row['graded']} of {row['submissions']} graded; mean {mean}, "
              f"median {median} of {row['max_score']:g}")
        for grade_id, count in row["failures"].items():
            print(f"    {grade_id}: failed by {count}")
    return table


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
            p.add_argument("--jobs", type=int, default=1, help="grade on a local Dask cluster of N workers")
            p.add_argument("--scheduler", default=None, help="grade on an existing Dask cluster (tcp://host:port)")
            p.add_argument("--no-sandbox", action="store_true",
                           help="grade WITHOUT isolation (where no Linux sandbox can be made; trusted code only)")
    p = sub.add_parser("export")
    p.add_argument("--to", default=None)
    sub.add_parser("grades")
    sub.add_parser("install-kernel")
    p = sub.add_parser("formgrader", help="JupyterLab on the course folder with formgrader")
    p.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="passed to `jupyter lab` (after --)")
    args = parser.parse_args(argv)
    root = args.course_root
    if args.command == "release":
        return 0 if release(args.assignments, course_root=root) else 1
    if args.command == "validate":
        return 0 if validate(args.assignments, invert=args.invert, course_root=root) else 1
    if args.command == "autograde":
        from graders.instructor.sandbox import SandboxUnavailable

        try:
            outcome = autograde(args.assignments, force=args.force, course_root=root, jobs=args.jobs,
                                scheduler=args.scheduler or None, isolate=not args.no_sandbox)
        except SandboxUnavailable as err:
            print(f"cannot autograde: {err}", file=sys.stderr)
            return 2
        failed = [f"{s}/{a}" for (s, a), error in outcome.items() if error is not None]
        print(f"{len(outcome) - len(failed)} of {len(outcome)} submissions autograded"
              + (f"; not graded: {', '.join(failed)}" if failed else ""))
        return 1 if failed else 0
    if args.command == "feedback":
        return 0 if feedback(args.assignments, course_root=root) else 1
    if args.command == "export":
        export(args.to, course_root=root)
        return 0
    if args.command == "grades":
        grades(course_root=root)
        return 0
    if args.command == "formgrader":
        formgrader(root, [a for a in args.jupyter_args if a != "--"])
    if args.command == "install-kernel":
        print(f"{len(install_kernel())} kernel and Jupyter config files written")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
