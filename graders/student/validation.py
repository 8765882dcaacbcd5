"""Validate for students: a summary first ("3 of 8 graded cells pass"), then one short message per failing cell.

nbgrader's Validate runs the notebook and lists each failing cell with its
source and its whole traceback (over 20,000 characters for an untouched
notebook). Here the same run (nbgrader's Validator, so changed or retyped
cells are still caught) is reported as

    3 of 8 graded cells pass (6 of 20 points)
    test_lstm_cell_forward (3 points)
      lstm_cell_forward failed on case "tiny" ...
    test_rnn_backward (4 points)
      NameError: name 'rnn_backward' is not defined -- run the cell that defines it first

A failing check's message is its CheckFailure text (graders/messages.py);
any other error is shown as its one-line ``Type: message``, never a traceback.
Validation runs in quick mode (COURSE_QUICK=1), as autograding does.

The configuration comes from the nbgrader_config.py files of Jupyter's
configuration path (graders.student.lab writes this environment's), never from
the folder the notebook or the server happens to be in.

Usage:
    python -m graders.student.validation NOTEBOOK [--json]
prints the report (or the JSON the Validate button reads) and exits 1 when a
graded cell fails.
"""

import argparse
import html
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from helpers import budget

CHECK_FAILURE = "CheckFailure"  # graders.messages.CheckFailure: its text is the whole student-facing message
MAX_MESSAGE_LINES = 12  # a check's message is a few lines; anything longer is cut with a note
MAX_LINE_CHARS = 300
QUICK_MODE_NOTE = "Validated in quick mode, as when your work is autograded."


@dataclass
class CellResult:
    grade_id: str
    points: int
    message: str  # empty when the cell passed


@dataclass
class Report:
    cells: list  # CellResult per graded cell, in notebook order
    problem: str = ""  # a whole-notebook problem nbgrader found (cell types or locked cells changed)

    @property
    def failed(self):
        return [c for c in self.cells if c.message]

    @property
    def passed(self):
        return [c for c in self.cells if not c.message]

    def summary(self):
        if not self.cells:
            return "the notebook was not run: " + (self.problem or "it has no graded cells")
        earned = sum(c.points for c in self.passed)
        total = sum(c.points for c in self.cells)
        return (f"{len(self.passed)} of {len(self.cells)} graded cells pass "
                f"({earned:g} of {total:g} points)")

    def text(self):
        lines = [self.summary()]
        if self.problem:
            lines.append(self.problem)
        for cell in self.failed:
            lines.append(f"{cell.grade_id} ({cell.points:g} points)")
            lines.extend("  " + line for line in cell.message.splitlines())
        lines.append(QUICK_MODE_NOTE)
        return "\n".join(lines)


def _cut(text):
    lines = [line[:MAX_LINE_CHARS] for line in text.strip().splitlines()]
    if len(lines) > MAX_MESSAGE_LINES:
        lines = lines[:MAX_MESSAGE_LINES] + [f"... ({len(lines) - MAX_MESSAGE_LINES} more lines: run the cell to see them)"]
    return "\n".join(lines)


def cell_message(cell):
    """The short message of a failing code cell: a check's text, or `Type: message` of any other error."""
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename, evalue = output.get("ename", ""), output.get("evalue", "")
        if ename == CHECK_FAILURE:
            return _cut(evalue)
        if ename == "NameError":
            return _cut(f"{ename}: {evalue} -- run the cell that defines it first (Run All stops at the first "
                        f"failing check, so an earlier failure can leave it undefined)")
        return _cut(f"{ename}: {evalue}" if evalue else ename)
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            return _cut("the cell wrote to stderr, which nbgrader counts as a failure:\n" + output.get("text", ""))
    return "fewer points than the cell is worth"


def _load_config():
    """nbgrader configuration from Jupyter's configuration path only (lowest priority first)."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    for folder in reversed(jupyter_config_path()):  # the first folder of the path has the highest priority
        if (Path(folder) / "nbgrader_config.py").is_file():
            config.merge(PyFileConfigLoader("nbgrader_config.py", path=folder).load_config())
    return config


def _validator_class():
    from nbgrader.validator import Validator

    class StudentValidator(Validator):
        """nbgrader's Validator, keeping the executed notebook (nbgrader returns only its verdicts)."""

        last_notebook = None

        def _preprocess(self, nb):
            self.last_notebook = super()._preprocess(nb)
            return self.last_notebook

    return StudentValidator


def validate(path):
    """Run a notebook in quick mode through nbgrader's Validator and return a Report.

    Raises
    ------
    FileNotFoundError  if the notebook does not exist.
    """
    from nbgrader import utils

    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no notebook at {path}")
    os.environ[budget.QUICK_ENV_VAR] = "1"
    validator = _validator_class()(config=_load_config())
    results = validator.validate(str(path))
    problem = ""
    if results.get("type_changed"):
        problem = (f"{len(results['type_changed'])} cell(s) changed type (code <-> markdown); "
                   f"undo that, or fetch a fresh copy, before you submit")
    elif results.get("changed"):
        problem = (f"{len(results['changed'])} locked cell(s) (tests or given code) were edited; they are graded as "
                   f"released, so undo the edits before you submit")
    cells = []
    executed = validator.last_notebook  # None when nbgrader stopped before running (cell types changed)
    for cell in executed.cells if executed is not None else []:
        if cell.cell_type != "code" or not utils.is_grade(cell):
            continue
        score, max_score = utils.determine_grade(cell)
        message = "" if score == max_score else cell_message(cell)
        cells.append(CellResult(cell.metadata.nbgrader["grade_id"], max_score, message))
    return Report(cells, problem)


# the first child of nbgrader's dialog is its fixed heading ("The following cell failed:"): the summary replaces it
_DIALOG_STYLE = ("<style>#validation-message > div:first-child { display: none; }"
                 " #validation-message pre { white-space: pre-wrap; }</style>")


def dialog_value(report):
    """What nbgrader's Validate dialog reads (its `failed` / `changed` / success layout) for this report."""
    if not report.failed and not report.problem:
        return {}
    details = []
    if report.problem:
        details.append(html.escape(report.problem))
    for cell in report.failed:
        details.append(f"<b>{html.escape(cell.grade_id)}</b> ({cell.points:g} points)\n"
                       + "\n".join("  " + html.escape(line) for line in cell.message.splitlines()))
    details.append(html.escape(QUICK_MODE_NOTE))
    return {"failed": [{"source": report.summary(), "error": _DIALOG_STYLE + "\n\n".join(details)}]}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m graders.student.validation", description=__doc__.split("\n")[0])
    parser.add_argument("notebook")
    parser.add_argument("--json", action="store_true", help="print what the Validate button shows, as JSON")
    args = parser.parse_args(argv)
    report = validate(args.notebook)
    if args.json:
        print(json.dumps({"summary": report.summary(), "dialog": dialog_value(report), "text": report.text()}))
    else:
        print(report.text())
    return 1 if report.failed or report.problem else 0


if __name__ == "__main__":
    sys.exit(main())
