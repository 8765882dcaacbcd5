"""`make bench` (part 2): autograding throughput, 1 against 2 workers, and what the sandbox costs.

For each assignment, N copies of the reference solution are submitted (as N
students) to a fresh course and graded three ways, each from scratch:

- sandboxed, one job (in this process);
- sandboxed, two workers (a Dask LocalCluster);
- without the sandbox, one job (the same runner in a plain subprocess).

Reported: submissions per minute, the two-worker speed-up, and the sandbox's
cost per submission (difference of the one-job runs, divided by N). Every
grade must be full marks, or the figures are refused.

Writes bench/autograde.md and bench/autograde.json.

Usage: python -m graders.instructor.bench_autograde [--submissions N] [ASSIGNMENT ...]
"""

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from graders.instructor import pipeline, solutions

BENCH_DIR = solutions.REPO_ROOT / "bench"
DEFAULT_ASSIGNMENTS = ("01_rnn_step_by_step", "03_jazz_improvisation")
DEFAULT_SUBMISSIONS = 20
RUNS = (("sandbox, 1 worker", True, 1), ("sandbox, 2 workers", True, 2), ("no sandbox, 1 worker", False, 1))


def reference_submission(course, assignment):
    """The released notebook with the reference solutions typed into its stubs."""
    nb = nbformat.read(course / "release" / assignment / solutions.notebook_path(assignment).name, as_version=4)
    references = solutions.solution_cells(assignment)
    for cell in nb.cells:
        grade_id = solutions.nbgrader_meta(cell).get("grade_id")
        if solutions.nbgrader_meta(cell).get("solution") and grade_id in references:
            cell.source = "\n".join(line for line in references[grade_id].splitlines()
                                    if line.strip() not in solutions.SOLUTION_MARKERS)
    return nb


def measure(assignment, submissions, workdir):
    """{run label: {"seconds", "per_minute"}} for one assignment."""
    template = Path(workdir) / f"{assignment}-template"
    assert pipeline.release([assignment], course_root=template)
    nb = reference_submission(template, assignment)
    for i in range(submissions):
        folder = template / "submitted" / f"student{i:02d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / solutions.notebook_path(assignment).name)
    total = None
    figures = {}
    for label, isolate, jobs in RUNS:
        course = Path(workdir) / f"{assignment}-{jobs}-{int(isolate)}"
        shutil.copytree(template, course)
        started = time.monotonic()
        outcomes = pipeline.autograde([assignment], course_root=course, jobs=jobs, isolate=isolate, progress=False)
        seconds = time.monotonic() - started
        rows = [r for r in pipeline.grade_rows(course) if r["graded"]]
        total = total or rows[0]["max_score"]
        if len(rows) != submissions or any(r["score"] != total for r in rows) or any(outcomes.values()):
            raise RuntimeError(f"{assignment} / {label}: not every reference submission got full marks")
        figures[label] = {"seconds": round(seconds, 1), "per_minute": round(60 * submissions / seconds, 2)}
        shutil.rmtree(course)
    one, two, bare = (figures[label]["seconds"] for label, _, _ in RUNS)
    figures["speed_up_2_workers"] = round(one / two, 2)
    figures["sandbox_cost_s_per_submission"] = round((one - bare) / submissions, 2)
    return figures


def _table(results, submissions):
    lines = [f"Autograding {submissions} reference submissions per assignment (quick mode), from scratch each run.",
             "", "| assignment | " + " | ".join(f"{label} (subm./min)" for label, _, _ in RUNS)
             + " | speed-up, 2 workers | sandbox cost (s per submission) |",
             "|---" * (len(RUNS) + 3) + "|"]
    for assignment, figures in results.items():
        cells = [f"{figures[label]['per_minute']:.2f} ({figures[label]['seconds']:.0f} s)" for label, _, _ in RUNS]
        lines.append(f"| {assignment} | " + " | ".join(cells)
                     + f" | {figures['speed_up_2_workers']:.2f}x | {figures['sandbox_cost_s_per_submission']:+.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description="autograding throughput and the sandbox's cost")
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--submissions", type=int, default=DEFAULT_SUBMISSIONS)
    args = parser.parse_args(argv)
    assignments = args.assignments or list(DEFAULT_ASSIGNMENTS)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as workdir:
        for assignment in assignments:
            results[assignment] = measure(assignment, args.submissions, workdir)
            print(assignment, json.dumps(results[assignment]))
    BENCH_DIR.mkdir(exist_ok=True)
    (BENCH_DIR / "autograde.json").write_text(json.dumps(results, indent=1))
    (BENCH_DIR / "autograde.md").write_text(_table(results, args.submissions))
    print(_table(results, args.submissions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
