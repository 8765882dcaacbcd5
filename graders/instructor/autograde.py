"""Autograding a class: every submission in its own sandbox, in parallel, with nothing lost.

For each submitted/STUDENT/ASSIGNMENT/NAME.ipynb:

1. **prepare** (client): nbgrader's own sanitizing preprocessors run on the
   submitted notebook -- outputs cleared, ids de-duplicated, test cells and
   locked cells restored from the gradebook, metadata checked. Only this one
   notebook goes on; no other submitted file.
2. **execute** (a worker): the prepared notebook runs in a fresh sandbox
   (graders/instructor/sandbox.py) on the grading kit. Workers are the client
   itself (one job), a Dask `LocalCluster` (``JOBS=N``) or an existing Dask
   cluster (``SCHEDULER=tcp://host:port``).
3. **judge and record** (client, one submission at a time): the judge
   compares the observations with the records loaded before any kernel ran;
   nbgrader's autograde then runs with its Execute step replaced by the judged
   notebook (UseJudgedNotebook), so nbgrader keeps its bookkeeping (the
   autograded folder, timestamps, late penalties) and its scores equal the
   judge's. Manual scores and extra credit of those cells are reset and
   reported. The client is the gradebook's only writer.

Nothing is lost: the gradebook is backed up before each run; a submission
counts as done only once its state file (autograded/STUDENT/ASSIGNMENT/
.course-grading.json) is written after the gradebook commit, so a run killed
half-way resumes where it stopped, regrading nothing that was done; a worker
that dies is replaced and its submission retried once; one submission's
failure never stops the others. Every outcome -- graded, or the root cause
why not -- is printed and written to reports/autograde.{csv,json}.
"""

import csv
import json
import re
import shutil
import sqlite3
import statistics
import time
import warnings
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import nbformat
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Unicode

from graders.assignment import OBSERVATION_MIME
from graders.instructor import course, exchange, grading_kit, judge, reprobe, sandbox, solutions

REPO_ROOT = solutions.REPO_ROOT
STATE_FILE = ".course-grading.json"
STAGING = ".grading"
REPORT_FIELDS = ("student", "assignment", "status", "score", "max_score", "cause", "notes", "failed_checks",
                 "seconds", "attempts", "limits")
# how often the scheduler may lose a worker while it runs one submission: the first loss is retried
ALLOWED_WORKER_FAILURES = 1
CELL_SNIPPET_CHARS = 50  # of a cell's first line, to name it in a report
MIB = 1 << 20
# code and text of one notebook, outputs cleared: far above any honest notebook (~60 kB), and below the
# sandbox's result margin so that what comes back always fits
MAX_SOURCE_BYTES = sandbox.RESULT_MARGIN_BYTES // 2


@dataclass
class Outcome:
    """What became of one submission in one run.

    status : "graded" (scores written), "not graded" (cause says why) or "kept" (graded by an earlier run)
    """

    student: str
    assignment: str
    status: str
    score: float = None
    max_score: float = None
    cause: str = None
    notes: list = field(default_factory=list)
    failed_checks: list = field(default_factory=list)
    seconds: float = 0.0
    attempts: int = 0
    limits: list = field(default_factory=list)

    def line(self):
        who = f"{self.student}/{self.assignment}"
        if self.status == "not graded":
            return f"{who}: NOT GRADED -- {self.cause}"
        head = f"{who}: {self.status} {self.score:g}/{self.max_score:g}"
        return head + "".join(f"\n    note: {note}" for note in self.notes)


class NotGraded(Exception):
    """A submission that cannot be scored; the message is the root cause an instructor reads."""


# --------------------------------------------------------------------------- 1. prepare


def notebook_name(assignment):
    return course.notebook_name(assignment)


def describe_cell(nb, index):
    """A cell in a student's words: 'cell 12 ("def rnn_cell_forward(xt, a_prev, parameters):")', counted from 1."""
    source = nb.cells[index].get("source", "") if 0 <= index < len(nb.cells) else ""
    first = next((line.strip() for line in str(source).splitlines() if line.strip()), "")
    first = first if len(first) <= CELL_SNIPPET_CHARS else first[: CELL_SNIPPET_CHARS - 3] + "..."
    return f'cell {index + 1} ("{first}")' if first else f"cell {index + 1} (empty)"


def _grade_id(cell):
    """The grade id of a graded, solution or read-only cell, else None."""
    meta = cell.get("metadata", {}).get("nbgrader")
    if isinstance(meta, dict) and (meta.get("grade") or meta.get("solution") or meta.get("locked")):
        grade_id = meta.get("grade_id")
        return grade_id if isinstance(grade_id, str) else None
    return None


def deduplicate_grade_ids(nb):
    """A cell copied in JupyterLab keeps its grade id: grade the last definition, keep the others as plain cells.

    An earlier copy of a solution cell runs as an ordinary cell (its code still
    runs, as it did for the student); an earlier copy of a test or read-only
    cell becomes a comment, since the last copy is the one restored and graded.
    Returns notes, one per copy.
    """
    last = {}
    for index, cell in enumerate(nb.cells):
        if _grade_id(cell) is not None:
            last[_grade_id(cell)] = index
    notes = []
    for index, cell in enumerate(nb.cells):
        grade_id = _grade_id(cell)
        if grade_id is None or last[grade_id] == index:
            continue
        where = describe_cell(nb, index)
        if cell.metadata.nbgrader.get("solution"):
            notes.append(f"{where} repeats the grade id '{grade_id}' of {describe_cell(nb, last[grade_id])}: the "
                         f"last one is graded, this one runs as an ordinary cell")
        else:
            notes.append(f"{where} is a copy of the cell '{grade_id}' graded at {describe_cell(nb, last[grade_id])}; "
                         f"the copy was not run")
            cell.source = f"# a copy of the cell '{grade_id}', which is graded where it appears last"
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        del cell.metadata["nbgrader"]
    return notes


def _check_cell_metadata(nb):
    """Raise NotGraded naming the first cell whose nbgrader metadata nbgrader cannot read."""
    import copy

    from nbgrader.nbgraderformat import MetadataValidator

    validator = MetadataValidator()
    for index, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        problem = None
        if not isinstance(meta, dict):
            problem = "it is not a set of fields"
        else:
            try:
                validator.validate_cell(copy.deepcopy(cell))
            except Exception as err:
                problem = _short(getattr(err, "message", None) or err, 160)
        if problem:
            raise NotGraded(f"tampered or broken notebook metadata: the grading metadata of {describe_cell(nb, index)} "
                            f"is broken ({problem}); copy that cell back from the released notebook")


def _unknown_grade_ids(before, nb):
    """Cells whose grade id nbgrader's OverwriteCells dropped because the assignment has no such cell."""
    return [(index, grade_id) for index, grade_id in before.items()
            if "grade_id" not in nb.cells[index].get("metadata", {}).get("nbgrader", {"grade_id": None})]


def prepare(course_root, student, assignment):
    """(sanitized notebook, notes): exactly what the sandbox runs, and what the report should say about it.

    Reads only the submitted notebook, never through a link; then nbgrader's own
    sanitizing (outputs cleared, test and read-only cells restored from the
    gradebook, metadata checked), after copied cells are reduced to their last
    definition.

    Raises
    ------
    NotGraded  for a missing, oversized, empty, invalid or tampered notebook, with the reason and the cell.
    """
    from nbgrader.preprocessors import ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec

    path = Path(course_root) / "submitted" / student / assignment / notebook_name(assignment)
    try:
        raw = exchange.read_submitted(path)
    except FileNotFoundError:
        raise NotGraded(f"invalid submission: no {path.name} in submitted/{student}/{assignment}/") from None
    except exchange.Refused as err:
        raise NotGraded(f"invalid submission: {err}") from None
    if not raw.strip():
        raise NotGraded(f"invalid notebook: {path.name} is empty")
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as err:
        raise NotGraded(f"invalid notebook: {path.name} is not a readable notebook ({_short(err)})") from None
    config = course.course_config(course_root)
    resources = {"nbgrader": {"student": student, "assignment": assignment, "notebook": path.stem,
                              "db_url": config.CourseDirectory.db_url}}
    try:
        nb, resources = ClearOutput(config=config).preprocess(nb, resources)
        size = len(nbformat.writes(nb).encode())
        if size > MAX_SOURCE_BYTES:
            raise NotGraded(f"oversized submission: its code and text alone are {size / MIB:.1f} MB, more than the "
                            f"{MAX_SOURCE_BYTES / MIB:.0f} MB a notebook may hold")
        notes = deduplicate_grade_ids(nb)
        _check_cell_metadata(nb)
        for preprocessor in (DeduplicateIds, OverwriteKernelspec):
            nb, resources = preprocessor(config=config).preprocess(nb, resources)
        before = {i: _grade_id(c) for i, c in enumerate(nb.cells) if _grade_id(c) is not None}
        nb, resources = OverwriteCells(config=config).preprocess(nb, resources)
        unknown = _unknown_grade_ids(before, nb)
        if unknown:
            index, grade_id = unknown[0]
            raise NotGraded(f"tampered or broken notebook metadata: {describe_cell(nb, index)} carries the grade id "
                            f"'{grade_id}', which this assignment does not have (its metadata was edited); copy the "
                            f"cell back from the released notebook")
        _check_cell_metadata(nb)
    except NotGraded:
        raise
    except Exception as err:
        raise NotGraded(f"tampered or broken notebook metadata: {_short(err)}") from None
    return nb, notes


def _short(err, limit=300):
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------- 2. execute (runs on workers)


def execute_payload(payload):
    """Worker task: run one prepared notebook in a sandbox; return the SandboxResult as a dict.

    payload : {"notebook", "kit_fingerprint", "kit_dir", "limits", "isolate", "probe"}; probe: the request of
              the judge's own run of the behaviour probes (reprobe.request), run after the notebook in a sandbox
              of its own
    The kit is the client's when this worker sees the same folder with the same
    fingerprint (one machine), else one this worker builds from its own
    checkout and checks against the client's fingerprint (a cluster).
    """
    import os
    import socket

    kit_dir = payload.get("kit_dir")
    if not (kit_dir and Path(kit_dir).is_dir()
            and grading_kit.kit_fingerprint(kit_dir) == payload["kit_fingerprint"]):
        kit_dir = grading_kit.worker_kit(payload["kit_fingerprint"])
    limits = sandbox.Limits(**payload["limits"])
    result = sandbox.run_notebook(payload["notebook"], kit_dir, grading_kit.REPO_ROOT, limits,
                                  isolate=payload["isolate"])
    found = asdict(result)
    if payload.get("probe") and result.notebook is not None:  # the judge's own run of the behaviour probes
        found["reprobed"] = reprobe.run(payload["probe"], kit_dir, grading_kit.REPO_ROOT, limits,
                                        isolate=payload["isolate"])
    found["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    return found


# --------------------------------------------------------------------------- 3. judge and record


def _graded_cell_indices(nb):
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and solutions.nbgrader_meta(c).get("grade")]


def _stray_observations(nb):
    """Indices of cells that are not graded test cells but emitted observations (a sign of tampering)."""
    graded = set(_graded_cell_indices(nb))
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i not in graded
            and any(OBSERVATION_MIME in (o.get("data") or {}) for o in c.get("outputs", []))]


# what only code that tampers with grading touches: the probe's machinery, the checks, IPython's input hooks
TAMPERING_MARKERS = ("observe_all", "observe_spec", "observations+json", "OBSERVATION_MIME", "GRADER",
                     "graders.probe", "graders.assignment", "graders.judge", "Assignment.check", "ast_transformers",
                     "input_transformers", "set_custom_exc", "_render_traceback_")


def tampering_findings(nb):
    """['cell N: marker, ...'] for code cells other than the test cells that touch the grading machinery."""
    graded = set(_graded_cell_indices(nb))
    findings = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and index not in graded:
            found = [marker for marker in TAMPERING_MARKERS if marker in cell.source]
            if found:
                findings.append(f"{describe_cell(nb, index)}: {', '.join(found)}")
    return findings


def judge_result(assignment, result, records_by_suite):
    """(judged notebook, verdicts, notes) from a worker's result; raises NotGraded when it cannot be scored."""
    if result.get("notebook") is None:
        raise NotGraded(result.get("cause") or "the sandbox returned no notebook")
    try:
        nb = nbformat.from_dict(result["notebook"])
    except Exception as err:
        raise NotGraded(f"the executed notebook came back unreadable ({_short(err)})") from None
    notes = []
    failed_cell = result.get("failed_cell")
    graded = _graded_cell_indices(nb)
    if result.get("cause"):
        cause = result["cause"]
        if failed_cell is not None and 0 <= failed_cell < len(nb.cells):
            where = describe_cell(nb, failed_cell)
            cause = re.sub(rf"\bcell {failed_cell + 1}\b", lambda _: where, cause, count=1)
        ran = [i for i in graded if failed_cell is not None and i < failed_cell]
        if not ran:
            raise NotGraded(cause + ", before any graded cell ran")
        later = len(graded) - len(ran)
        notes.append(f"{cause}; the {len(ran)} graded cell(s) before it ran and keep their points"
                     + (f", the {later} from there on score 0" if later else ""))
    stray = _stray_observations(nb)
    if stray:
        notes.append(f"tampering: {', '.join(describe_cell(nb, i) for i in stray)} emitted test observations "
                     f"outside the test cells; they were ignored")
    for event in result.get("events", []):
        if event.get("event") == "output_capped":
            notes.append(f"{event.get('kind', 'text')} output cut at {event['limit']:,} bytes "
                         f"(from {describe_cell(nb, event['cell'])} on)")
        elif event.get("event") == "process_limit_hit":
            notes.append(f"the notebook hit the process limit ({event['limit']})")
    reprobed = result.get("reprobed")
    if reprobed is None and reprobe.behaviour_functions(assignment):  # never judge behaviour on the kernel's word
        reprobed = {"functions": {}, "cause": "the judge's own run of the behaviour probes is missing"}
    verdicts = judge.judge_notebook(assignment, nb, records_by_suite, reprobed)
    for finding in (reprobed or {}).get("tampering", []):
        notes.append(f"tampering detected while the judge probed the solution cells: {finding}")
    tampering = tampering_findings(nb)
    if tampering:  # a submission that reaches into the grading earns nothing, whatever its cells observed
        notes.append("tampering detected, every check scores 0 (the code reaches into the grading: "
                     + "; ".join(tampering) + ")")
        verdicts = [judge.Verdict(v.grade_id, False, 0.0, v.max_points,
                                  "tampering detected: this notebook reaches into the grading code, so no check "
                                  "counts; ask your instructor") for v in verdicts]
        _verdicts_into_cells(nb, verdicts)
    return nb, verdicts, notes


def _verdicts_into_cells(nb, verdicts):
    by_id = {v.grade_id: v for v in verdicts}
    for cell in nb.cells:
        verdict = by_id.get(solutions.nbgrader_meta(cell).get("grade_id"))
        if verdict is not None and cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(o) for o in judge.verdict_outputs(verdict.passed, verdict.message)]


def _staging(course_root):
    return Path(course_root) / STAGING


def record_grades(course_root, student, assignment, nb, verdicts):
    """Run nbgrader's autograde on the judged notebook and write the judge's scores; return notes.

    nbgrader's Execute step is replaced by UseJudgedNotebook, so the autograded
    notebook holds the sandbox's outputs with the verdicts in the test cells.
    """
    for step in ("judged", "submitted"):
        staged = _staging(course_root) / step / student / assignment / notebook_name(assignment)
        if staged.parent.exists():
            shutil.rmtree(staged.parent)
        staged.parent.mkdir(parents=True)
        nbformat.write(nb, str(staged))
    _stage_submission_files(course_root, student, assignment, staged.parent)
    with warnings.catch_warnings():  # nbgrader's SQLAlchemy session warnings say nothing to an instructor
        warnings.simplefilter("ignore")
        result = course.nbgrader_api(course_root, _judged_config(course_root)).autograde(
            assignment, student, force=True, create=True)
    if not result["success"]:
        raise NotGraded("nbgrader could not record the grades: " + _nbgrader_error(result))
    return _write_scores(course_root, student, assignment, verdicts)


def _stage_submission_files(course_root, student, assignment, staged):
    """Beside the staged notebook: the submission's time and secret, if they are plain small files; nothing else."""
    submitted = Path(course_root) / "submitted" / student / assignment
    for name in (exchange.TIMESTAMP_FILE, exchange.SECRET_FILE):
        try:
            (staged / name).write_bytes(exchange.read_submitted(submitted / name, exchange.SMALL_FILE_BYTES))
        except (OSError, exchange.Refused):
            continue


def _nbgrader_error(result):
    text = result.get("error") or result.get("log") or "no message"
    lines = [line for line in text.strip().splitlines() if "ERROR" in line or "Error" in line] or text.splitlines()
    return _short(lines[-1] if lines else text)


def _judged_config(course_root):
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)
    from traitlets.config import Config

    config = Config()
    config.Autograde.autograde_preprocessors = [UseJudgedNotebook, IgnorePattern, ClearMetadataPreprocessor,
                                                LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    config.UseJudgedNotebook.staging_dir = str(_staging(course_root) / "judged")
    # nbgrader reads the submission from the staging folder, which holds the sanitized notebook and nothing else
    config.CourseDirectory.submitted_directory = f"{STAGING}/submitted"
    return config


def _write_scores(course_root, student, assignment, verdicts):
    """The judge's points into the gradebook; manual scores and extra credit reset (and reported)."""
    from nbgrader.api import Gradebook

    name = solutions.notebook_path(assignment).stem
    notes = []
    with Gradebook(course.course_config(course_root).CourseDirectory.db_url) as gradebook:
        for verdict in verdicts:
            grade = gradebook.find_grade(verdict.grade_id, name, assignment, student)
            if grade.manual_score is not None or grade.extra_credit:
                notes.append(f"{verdict.grade_id}: manual score {grade.manual_score} / extra credit "
                             f"{grade.extra_credit} found in the gradebook and reset")
            grade.auto_score = verdict.points
            grade.manual_score = None
            grade.extra_credit = None
        gradebook.db.commit()
    return notes


# what plain `nbgrader autograde` and formgrader's Autograde button say (nbgrader_config.py puts it in their way)
MAKE_AUTOGRADE_ONLY = (
    "this course autogrades only with `make autograde` (run it in the course folder, then reload formgrader): it "
    "runs each submission in a sandbox and lets the judge score it, hidden cases included. Plain `nbgrader "
    "autograde` would run student code in this process and pass the hidden tests without checking them, so it "
    "stops here and no score was written")


class OnlyThroughMakeAutograde(NbGraderPreprocessor):
    """nbgrader's Execute step as nbgrader_config.py configures it: refuse, naming `make autograde`.

    nbgrader's sanitizing runs before it (it executes nothing); no student code
    runs and no score is written. `make autograde` replaces this step with
    UseJudgedNotebook (record_grades).
    """

    def preprocess(self, nb, resources):
        raise RuntimeError(MAKE_AUTOGRADE_ONLY)


class UseJudgedNotebook(NbGraderPreprocessor):
    """nbgrader's Execute step, replaced: the outputs come from the sandbox, judged.

    The judged notebook must hold the same cells (type and source) as the
    notebook nbgrader just sanitized; anything else is refused.
    """

    staging_dir = Unicode("", help="folder of judged notebooks: STUDENT/ASSIGNMENT/NAME.ipynb").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        path = Path(self.staging_dir) / info["student"] / info["assignment"] / f"{info['notebook']}.ipynb"
        judged = nbformat.read(str(path), as_version=4)
        if [(c.cell_type, c.source) for c in nb.cells] != [(c.cell_type, c.source) for c in judged.cells]:
            raise RuntimeError(f"the executed notebook {path} does not match the sanitized submission")
        for cell, done in zip(nb.cells, judged.cells):
            if cell.cell_type == "code":
                cell.outputs = done.outputs
                cell.execution_count = done.execution_count
        return nb, resources


# --------------------------------------------------------------------------- state, backup, reports


def state_path(course_root, student, assignment):
    return Path(course_root) / "autograded" / student / assignment / STATE_FILE


def read_state(course_root, student, assignment):
    """The Outcome an earlier run recorded, or None when the submission still needs grading."""
    path = state_path(course_root, student, assignment)
    try:
        return Outcome(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _write_state(course_root, outcome):
    path = state_path(course_root, outcome.student, outcome.assignment)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(outcome), indent=1))
    temporary.replace(path)  # atomic: a state file is whole or absent


def backup_gradebook(course_root):
    """Copy gradebook.db to backups/gradebook-<UTC time>.db (SQLite's online backup); return the path or None."""
    source = Path(course_root) / "gradebook.db"
    if not source.is_file():
        return None
    folder = Path(course_root) / "backups"
    folder.mkdir(exist_ok=True)
    target = folder / f"gradebook-{datetime.now(timezone.utc).strftime('%Y%m%d-%H%M%S-%f')}.db"
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def write_reports(course_root, outcomes):
    """reports/autograde.json and reports/autograde.csv: one row per submission of this run."""
    folder = Path(course_root) / "reports"
    folder.mkdir(exist_ok=True)
    rows = [asdict(o) for o in outcomes]
    (folder / "autograde.json").write_text(json.dumps(rows, indent=1))
    with open(folder / "autograde.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=REPORT_FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "; ".join(map(str, v)) if isinstance(v, list) else v for k, v in row.items()})
    return folder


# --------------------------------------------------------------------------- the run


def _dispatcher(jobs, scheduler):
    """A function (payloads by key) -> iterator of (key, result dict or exception), and a closer."""
    if scheduler is None and jobs <= 1:
        def serial(payloads):
            for key, payload in payloads.items():
                try:
                    yield key, execute_payload(payload)
                except Exception as err:
                    yield key, err
        return serial, lambda: None

    import dask
    from distributed import Client, LocalCluster, as_completed

    dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_WORKER_FAILURES})
    if scheduler:
        client, cluster = Client(scheduler), None
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, memory_limit=0,
                               host="127.0.0.1", dashboard_address=None)
        client = Client(cluster)

    def distributed(payloads):
        futures = {client.submit(execute_payload, payload, key=f"grade-{i}-{key[0]}-{key[1]}", pure=False): key
                   for i, (key, payload) in enumerate(payloads.items())}
        for future in as_completed(futures):
            key = futures[future]
            try:
                yield key, future.result()
            except Exception as err:  # KilledWorker after the retry, or the task's own error
                yield key, err

    def close():
        client.close()
        if cluster is not None:
            cluster.close()

    return distributed, close


def _worker_error(err):
    name = type(err).__name__
    if name == "KilledWorker":
        return (f"the worker running it died {ALLOWED_WORKER_FAILURES + 1} times (retried once); "
                f"the others were graded")
    return f"grading failed on the worker ({name}: {_short(err)})"


def grade_class(submissions, course_root=REPO_ROOT, force=False, jobs=1, scheduler=None, isolate=True,
                limits=None, progress=True):
    """Autograde `submissions` [(student, assignment)]; return [Outcome] in the same order.

    Raises
    ------
    sandbox.SandboxUnavailable  when isolate and this machine cannot make sandboxes (nothing is graded).
    """
    from tqdm.auto import tqdm

    if isolate and sandbox.isolation_problem():
        raise sandbox.SandboxUnavailable(sandbox.isolation_problem())
    limits = limits or sandbox.Limits.from_environment()
    course_root = Path(course_root)
    outcomes = {}
    sandbox.Cgroup.remove_stale()
    backup = backup_gradebook(course_root)
    if backup:
        print(f"gradebook backed up to {backup}")
    kit_dir = _staging(course_root) / "kit"
    kit_fp = grading_kit.build(kit_dir)
    # graders and records are loaded before any student code runs, and checked before each judgement
    records = {}
    for assignment in sorted({a for _, a in submissions}):
        solutions.grader_module(assignment)
        records[assignment] = judge.suite_records(assignment)
    judge_files = grading_kit.judge_files(records)
    code_fp = grading_kit.file_hashes(judge_files)

    payloads, prepared_notes = {}, {}
    for student, assignment in submissions:
        kept = None if force else read_state(course_root, student, assignment)
        if kept is not None:
            kept.status = "kept"
            outcomes[(student, assignment)] = kept
            continue
        try:
            nb, prepared_notes[(student, assignment)] = prepare(course_root, student, assignment)
        except NotGraded as err:
            outcomes[(student, assignment)] = _not_graded(course_root, student, assignment, str(err))
            continue
        payloads[(student, assignment)] = {"notebook": nb, "kit_fingerprint": kit_fp, "kit_dir": str(kit_dir),
                                           "limits": asdict(limits), "isolate": isolate,
                                           "probe": reprobe.request(assignment, nb)}
    for key, outcome in outcomes.items():
        print(outcome.line())
    dispatch, close = _dispatcher(jobs, scheduler)
    bar = tqdm(total=len(payloads), desc="autograding", unit="submission", disable=not progress or not payloads)
    try:
        for (student, assignment), result in dispatch(payloads):
            started = time.monotonic()
            outcome = _finish(course_root, student, assignment, result, records[assignment], (judge_files, code_fp),
                              prepared_notes.get((student, assignment), []))
            outcome.seconds = round((result.get("seconds", 0) + (result.get("reprobed") or {}).get("seconds", 0)
                                     if isinstance(result, dict) else 0)
                                    + time.monotonic() - started, 2)
            outcomes[(student, assignment)] = outcome
            bar.write(outcome.line())
            bar.update(1)
    finally:
        bar.close()
        close()
    ordered = [outcomes[key] for key in submissions if key in outcomes]
    write_reports(course_root, ordered)
    return ordered


def _not_graded(course_root, student, assignment, cause, limits=()):
    """Record a submission that cannot be scored: no autograded folder, the student listed (not graded) in exports."""
    from nbgrader.api import Gradebook

    done = Path(course_root) / "autograded" / student / assignment
    if done.is_dir():
        shutil.rmtree(done)  # no score without a verdict; the submission itself stays for a regrade
    with Gradebook(course.course_config(course_root).CourseDirectory.db_url) as gradebook:
        gradebook.update_or_create_student(student)
    return Outcome(student, assignment, "not graded", cause=cause, limits=list(limits))


def _finish(course_root, student, assignment, result, records_by_suite, fingerprint, prepared_notes=()):
    files, expected = fingerprint
    changed = grading_kit.changed_files(files, expected)
    if changed:
        names = ", ".join(str(path.relative_to(REPO_ROOT)) if REPO_ROOT in path.parents else str(path)
                          for path in changed[:3])
        raise grading_kit.KitChanged(f"the judge's code or records changed during the run ({names}): grading "
                                     f"stopped; restore them (git status) and run again -- what was graded is kept")
    if isinstance(result, Exception):
        return _not_graded(course_root, student, assignment, _worker_error(result))
    limits = result.get("limits_in_force", [])
    try:
        nb, verdicts, notes = judge_result(assignment, result, records_by_suite)
        notes = list(prepared_notes) + notes
        notes += record_grades(course_root, student, assignment, nb, verdicts)
    except NotGraded as err:
        return _not_graded(course_root, student, assignment, str(err), limits)
    except Exception as err:  # nothing one submission does may stop the others
        return _not_graded(course_root, student, assignment, f"grading failed ({type(err).__name__}: "
                                                             f"{_short(err)})", limits)
    outcome = Outcome(student, assignment, "graded", score=sum(v.points for v in verdicts),
                      max_score=sum(v.max_points for v in verdicts), notes=notes,
                      failed_checks=[v.grade_id for v in verdicts if not v.passed], attempts=1, limits=limits)
    _write_state(course_root, outcome)
    return outcome


# --------------------------------------------------------------------------- summary


def summary_rows(rows, failures):
    """Per assignment: count, graded, mean, median, and failures by grade id.

    rows : rows as pipeline.grade_rows() returns them; failures : {assignment: {grade_id: count}}
    """
    table = []
    for assignment in sorted({r["assignment"] for r in rows}):
        mine = [r for r in rows if r["assignment"] == assignment]
        scores = [float(r["score"]) for r in mine if r["graded"]]
        table.append({"assignment": assignment, "submissions": len(mine), "graded": len(scores),
                      "max_score": max((float(r["max_score"]) for r in mine), default=0.0),
                      "mean": statistics.fmean(scores) if scores else None,
                      "median": statistics.median(scores) if scores else None,
                      "failures": dict(sorted(failures.get(assignment, {}).items(), key=lambda kv: -kv[1]))})
    return table
