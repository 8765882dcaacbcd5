"""What a student reads in the feedback HTML: a summary first, each failed check's message, bounded output.

Two nbgrader preprocessors, used by pipeline.feedback_config() after
nbgrader's GetGrades and ClearHiddenTests (which removes the hidden test
source; the judge already replaced every test cell's outputs with its verdict,
which never shows hidden expected values):

- SummaryFirst puts a Markdown cell at the top: the score, "N of M graded
  cells pass", and the first line of each failing check's message;
- CapOutputs keeps at most 1 MB of text and 16 MB of media in the feedback,
  with a note where it cut (the autograded notebook is already capped by the
  sandbox; this bounds feedback made from anything else).
"""

import nbformat
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Integer

from graders.instructor.sandbox_runner import OutputCap

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
    """Keep at most max_bytes of text and max_media_bytes of media outputs; later ones dropped with a note.

    The same cap as the sandbox's (sandbox_runner.OutputCap), applied again to what the feedback shows.
    """

    max_bytes = Integer(1_000_000, help="bytes of text outputs kept in one feedback notebook").tag(config=True)
    max_media_bytes = Integer(16_000_000, help="bytes of figures, audio, HTML kept").tag(config=True)

    def preprocess(self, nb, resources):
        cap = OutputCap(self.max_bytes, self.max_media_bytes)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cap.apply(cell)
                cell.outputs = [nbformat.from_dict(o) for o in cell.outputs]
        return nb, resources
