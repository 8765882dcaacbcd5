"""What a student reads in the feedback HTML: a summary first, each failed check's message, bounded output.

Two nbgrader preprocessors, used by pipeline.feedback_config() after
nbgrader's GetGrades and ClearHiddenTests (which removes the hidden test
source; the judge already replaced every test cell's outputs with its verdict,
which never shows hidden expected values):

- SummaryFirst puts a Markdown cell at the top: the score, "N of M graded
  cells pass", and the first line of each failing check's message;
- CapOutputs keeps at most `max_bytes` of outputs in the feedback, with a note
  where it cut (the autograded notebook is already capped by the sandbox;
  this bounds feedback made from anything else).
"""

import json

import nbformat
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Integer

OUTPUT_NOTE = "[feedback output cut at {limit:,} bytes]\n"
MESSAGE_CHARS = 400  # of a failing check's message in the summary; the whole message is at its cell


def _graded(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and meta.get("grade")


def _failure_line(cell):
    """The check's message in brief: its first two lines (which function and case, then what is wrong)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            lines = [line.strip() for line in output.get("traceback") or [output.get("evalue") or "failed"]]
            return " -- ".join([line for line in lines if line][:2])[:MESSAGE_CHARS]
    return None


class SummaryFirst(NbGraderPreprocessor):
    """Insert the summary cell at the top of the feedback notebook."""

    def preprocess(self, nb, resources):
        graded = [c for c in nb.cells if _graded(c)]
        failing = [(c.metadata.nbgrader["grade_id"], _failure_line(c)) for c in graded if _failure_line(c)]
        info = resources.get("nbgrader", {})
        lines = ["## Feedback summary", ""]
        if "score" in info and "max_score" in info:
            lines.append(f"**Score: {info['score']:g} of {info['max_score']:g}.** ")
        lines.append(f"{len(graded) - len(failing)} of {len(graded)} graded cells pass.")
        if failing:
            lines += ["", "What to fix (each check's message; the full text is at its cell below):", ""]
            lines += [f"- `{grade_id}`: {message}" for grade_id, message in failing]
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("\n".join(lines)))
        return nb, resources


class CapOutputs(NbGraderPreprocessor):
    """Keep at most max_bytes (JSON size) of outputs over the notebook; later ones are dropped with a note."""

    max_bytes = Integer(1_000_000, help="bytes of outputs kept in one feedback notebook").tag(config=True)

    def preprocess(self, nb, resources):
        used, cut = 0, False
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            kept = []
            for output in cell.outputs:
                size = len(json.dumps(output))
                if not cut and used + size <= self.max_bytes:
                    used += size
                    kept.append(output)
                elif not cut:
                    cut = True
                    kept.append(nbformat.v4.new_output("stream", name="stdout",
                                                       text=OUTPUT_NOTE.format(limit=self.max_bytes)))
            cell.outputs = kept
        return nb, resources
