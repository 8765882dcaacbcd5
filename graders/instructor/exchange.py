"""The class workflow through nbgrader's exchange: publish a release, collect submissions, return feedback.

nbgrader's own exchange does the work (release_assignment, collect,
release_feedback on the instructor's side; fetch, submit and fetch_feedback
from the student's Assignment List):

    make release           release/NN_name/ -> exchange/sequence-models/outbound/NN_name/
    (students fetch, work, submit from Course > Assignment List)
    make collect           exchange/.../inbound/ -> submitted/STUDENT/NN_name/ (newer submissions replace older)
    make autograde; make feedback
    make release-feedback  feedback/STUDENT/NN_name/*.html -> exchange/.../feedback/ (students fetch it)

The exchange is a folder: `exchange/` beside the course by default, or the
folder COURSE_EXCHANGE names (`make release EXCHANGE=/srv/nbgrader/exchange`
for a shared JupyterHub; the students' labs must name the same folder). On a
multi-user machine nbgrader expects that folder to be writable by everyone
(mode 1777); it creates it so when it can.

Usage:
    python -m graders.instructor.exchange publish          [ASSIGNMENT ...]
    python -m graders.instructor.exchange collect          [ASSIGNMENT ...]
    python -m graders.instructor.exchange release-feedback [ASSIGNMENT ...]
"""

import argparse
import os
import sys
from pathlib import Path

from traitlets.config import Config

from graders.instructor import pipeline, solutions

EXCHANGE_ENV_VAR = "COURSE_EXCHANGE"  # the student side reads the same variable (graders/student/lab.py)


def exchange_root(course_root=pipeline.REPO_ROOT):
    """The exchange folder: COURSE_EXCHANGE if set, else exchange/ in the course folder."""
    named = os.environ.get(EXCHANGE_ENV_VAR, "")
    return Path(named).resolve() if named else Path(course_root).resolve() / "exchange"


def exchange_api(course_root=pipeline.REPO_ROOT):
    """nbgrader's API on the course, with the exchange at exchange_root() and re-publishing allowed."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    pipeline._environment_on_path()
    Path(course_root).mkdir(parents=True, exist_ok=True)
    overrides = Config()
    overrides.Exchange.root = str(exchange_root(course_root))
    overrides.ExchangeReleaseAssignment.force = True  # a regenerated release replaces the published one
    config = pipeline.course_config(course_root)
    config.merge(overrides)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _run(step, assignments, course_root, action):
    api = exchange_api(course_root)
    ok = True
    for assignment in pipeline._assignments(list(assignments)):
        result = action(api, assignment)
        print(f"{assignment}: {step}" if result["success"] else f"{assignment}: {step} FAILED")
        if not result["success"]:
            print("  " + (result.get("error") or result.get("log") or "").strip().replace("\n", "\n  "))
            ok = False
    return ok


def publish(assignments=(), course_root=pipeline.REPO_ROOT):
    """Copy released assignments into the exchange (students see them in the Assignment List)."""
    print(f"nbgrader exchange: {exchange_root(course_root)}")
    return _run("published to the exchange", assignments, course_root,
                lambda api, a: api.release_assignment(a))


def collect(assignments=(), course_root=pipeline.REPO_ROOT):
    """Copy the newest submission of every student into submitted/STUDENT/ASSIGNMENT/."""
    published = {p.name for p in (exchange_root(course_root) / _course_id(course_root) / "inbound").glob("*")}
    ok = True
    for assignment in pipeline._assignments(list(assignments)):
        if not any(name.split("+")[1:2] == [assignment] for name in published):
            print(f"{assignment}: no submissions in the exchange")
            continue
        ok = _run("collected", [assignment], course_root, lambda api, a: api.collect(a, update=True)) and ok
    students = sorted({s for s, _ in pipeline.submissions(course_root, assignments)})
    print(f"submitted/ holds work of {len(students)} student(s)")
    return ok


def release_feedback(assignments=(), course_root=pipeline.REPO_ROOT):
    """Put feedback/STUDENT/ASSIGNMENT/*.html into the exchange, where each student's Assignment List fetches it."""
    feedback = Path(course_root) / "feedback"
    wanted = {a for s, a in pipeline.submissions(course_root, assignments) if (feedback / s / a).is_dir()}
    if not wanted:
        print(f"no feedback under {feedback}: run `make feedback` first")
    return _run("feedback released", sorted(wanted), course_root, lambda api, a: api.release_feedback(a))


def _course_id(course_root):
    return pipeline.course_config(course_root).CourseDirectory.course_id


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m graders.instructor.exchange", description=__doc__.split("\n")[0])
    parser.add_argument("--course-root", default=str(pipeline.REPO_ROOT), help="folder with release/, submitted/, ...")
    parser.add_argument("command", choices=("publish", "collect", "release-feedback"))
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args(argv)
    known = solutions.assignment_names()
    unknown = [a for a in args.assignments if a not in known]
    if unknown:
        parser.error(f"unknown assignment(s) {unknown}; known: {known}")
    action = {"publish": publish, "collect": collect, "release-feedback": release_feedback}[args.command]
    return 0 if action(args.assignments, course_root=args.course_root) else 1


if __name__ == "__main__":
    sys.exit(main())
