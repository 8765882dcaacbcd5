"""`make bench`: run each notebook in quick and full mode; record time, memory and quality.

For every assignment the reference notebook is executed top to bottom (nbclient,
the plain python3 kernel), once with COURSE_QUICK=1 and once in full mode.
Afterwards one extra cell reads the notebook's own result variables, so the
quality numbers are the ones the notebook printed. Peak memory is the largest
resident set of this process and its children (the kernel), sampled every 0.2 s.

Writes bench/results.md (a table) and bench/results.json. A run of some assignments
replaces their rows and keeps the rows of the others from earlier runs, so the table
can be filled one notebook at a time.

Usage: python -m graders.instructor.bench [--modes quick,full] [ASSIGNMENT ...]
"""

import argparse
import json
import os
import threading
import time

import nbformat
import psutil
from nbclient import NotebookClient

from graders.instructor import solutions
from helpers import budget

BENCH_DIR = solutions.REPO_ROOT / "bench"
SAMPLE_INTERVAL_S = 0.2
NOTEBOOK_TIMEOUT_S = 1800  # per cell; full mode may train for minutes in one cell
METRICS_MARKER = "BENCH_METRICS="
QUICK_NOT_JUDGED = "(full mode)"  # the "met" column of a quick-mode metric
QUICK_BUDGET_S = 90  # docs/design.md, "Performance budget": each notebook in quick mode
FULL_BUDGET_S = 15 * 60  # docs/design.md, "Performance budget": each notebook in full mode


def metrics_of(assignment):
    """The bench metrics an assignment declares (graders/instructor/assignments/)."""
    return getattr(solutions.declaration(assignment), "BENCH_METRICS", [])


class PeakMemory:
    """Samples the resident memory of a process and its children in a background thread."""

    def __init__(self):
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._pid = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def watch(self, pid):
        self._pid = pid
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                root = psutil.Process(self._pid)
                total = sum(p.memory_info().rss for p in [root] + root.children(recursive=True))
                self.peak_bytes = max(self.peak_bytes, total)
            except psutil.Error:
                pass
            self._stop.wait(SAMPLE_INTERVAL_S)

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()


def _metrics_cell(metrics):
    expressions = ", ".join(f"{m.label!r}: float({m.expression})" for m in metrics)
    return nbformat.v4.new_code_cell(f"import json as _json\nprint({METRICS_MARKER!r} + _json.dumps({{{expressions}}}))")


def parse_metrics(nb):
    """The dict printed by the metrics cell (the last cell) of an executed notebook."""
    for output in nb.cells[-1].get("outputs", []):
        if output.get("output_type") == "stream" and METRICS_MARKER in output.get("text", ""):
            line = [l for l in output["text"].splitlines() if l.startswith(METRICS_MARKER)][0]
            return json.loads(line[len(METRICS_MARKER):])
    return {}


def run_notebook(assignment, quick):
    """Execute the reference notebook; return wall time (s), peak memory (GiB), metrics and error."""
    path = solutions.notebook_path(assignment)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(_metrics_cell(metrics_of(assignment)))
    env_quick = "1" if quick else "0"
    previous = os.environ.get(budget.QUICK_ENV_VAR)
    os.environ[budget.QUICK_ENV_VAR] = env_quick
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    client = NotebookClient(nb, timeout=NOTEBOOK_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    memory = PeakMemory()
    error = None
    start = time.perf_counter()
    try:
        memory.watch(os.getpid())  # this process and its children, the kernel among them
        client.execute()
    except Exception as err:  # a failing notebook is a row in the table, not a crash of the bench
        error = f"{type(err).__name__}: {str(err).strip().splitlines()[-1][:200] if str(err).strip() else ''}"
    finally:
        wall = time.perf_counter() - start
        memory.stop()
        if previous is None:
            os.environ.pop(budget.QUICK_ENV_VAR, None)
        else:
            os.environ[budget.QUICK_ENV_VAR] = previous
    return {"assignment": assignment, "mode": "quick" if quick else "full", "wall_s": round(wall, 1),
            "peak_gib": round(memory.peak_bytes / 2**30, 2), "metrics": parse_metrics(nb), "error": error}


def _format_table(rows):
    lines = ["| notebook | mode | wall time (s) | budget (s) | peak memory (GiB) | metric | value | target | met |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        budget_s = QUICK_BUDGET_S if row["mode"] == "quick" else FULL_BUDGET_S
        head = f"| {row['assignment']} | {row['mode']} | {row['wall_s']} | {budget_s} | {row['peak_gib']} "
        if row["error"]:
            lines.append(head + f"| ERROR | {row['error']} | | no |")
            continue
        metrics = metrics_of(row["assignment"])
        if not metrics:
            lines.append(head + "| – | – | – | – |")
        for m in metrics:
            value = row["metrics"].get(m.label)
            if row["mode"] == "quick":
                met = QUICK_NOT_JUDGED
            else:
                met = "yes" if value is not None and m.meets(value, row["metrics"]) else "no"
            shown = "n/a" if value is None else f"{value:.4g}"
            lines.append(head + f"| {m.label} | {shown} | {m.target} | {met} |")
    if any(row["mode"] == "quick" for row in rows):
        lines += ["", f"{QUICK_NOT_JUDGED}: quick mode trains on slices, so its metrics are shown, not judged; "
                      "the targets are for full mode."]
    return "\n".join(lines)


def _earlier_rows():
    """Rows of bench/results.json from an earlier run, or [] when there is none or it is unreadable."""
    try:
        earlier = json.loads((BENCH_DIR / "results.json").read_text())
    except (OSError, ValueError):
        return []
    return earlier if isinstance(earlier, list) else []


def merge_rows(earlier, new):
    """Rows of `earlier` whose (assignment, mode) was not re-run, then `new`, in course order."""
    fresh = {(row["assignment"], row["mode"]) for row in new}
    kept = [row for row in earlier if (row.get("assignment"), row.get("mode")) not in fresh]
    order = {name: i for i, name in enumerate(solutions.assignment_names())}
    modes = {"quick": 0, "full": 1}
    return sorted(kept + new, key=lambda row: (order.get(row["assignment"], len(order)),
                                               modes.get(row["mode"], 2)))


def main(argv=None):
    parser = argparse.ArgumentParser(description="time, memory and quality of every notebook")
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--modes", default="quick,full", help="comma-separated: quick, full")
    args = parser.parse_args(argv)
    assignments = args.assignments or solutions.assignment_names()
    modes = [m.strip() for m in args.modes.split(",")]
    rows = []
    for assignment in assignments:
        for mode in modes:
            print(f"{assignment} ({mode} mode) ...", flush=True)
            rows.append(run_notebook(assignment, quick=(mode == "quick")))
            print(f"  {rows[-1]['wall_s']} s, {rows[-1]['peak_gib']} GiB, {rows[-1]['metrics']}"
                  + (f", {rows[-1]['error']}" if rows[-1]["error"] else ""), flush=True)
    BENCH_DIR.mkdir(exist_ok=True)
    rows = merge_rows(_earlier_rows(), rows)
    table = _format_table(rows)
    (BENCH_DIR / "results.md").write_text("# Benchmark (make bench)\n\n" + table + "\n")
    (BENCH_DIR / "results.json").write_text(json.dumps(rows, indent=1))
    print("\n" + table + f"\n\nwritten to {BENCH_DIR / 'results.md'}")
    return 1 if any(row["error"] for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
