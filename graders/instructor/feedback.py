"""What a student reads in the feedback HTML, and what goes into a feedback folder.

`generate` runs nbgrader's generate_feedback on every autograded submission
with the preprocessors nbgrader_config.py lists (formgrader's feedback button
uses the same): nbgrader's GetGrades and ClearHiddenTests (which removes the
hidden test source; the judge already replaced every test cell's outputs with
its verdict, which never shows hidden expected values), then the course's:

- ShortTracebacks cuts the traceback of every other cell to its last line
  (the error and its message), as the student's own Validate shows it;
- CapOutputs keeps at most 1 MB of text and 16 MB of media, with a note where
  it cut (the autograded notebook is already capped by the sandbox; this
  bounds feedback made from anything else);
- OfflineMaths renders the maths of every Markdown cell to inline SVG
  (matplotlib's mathtext), so the feedback needs no MathJax from a CDN: it
  reads the same offline; a formula mathtext cannot draw is shown as its TeX
  source;
- SummaryFirst puts a Markdown cell at the top: the score, "N of M graded
  cells pass", and the first line of each failing check's message, each
  naming the function it checks;

In the HTML, the table of contents names each test cell after the function it
checks ("rnn_cell_forward", not nbgrader's "Test cell"), and the MathJax
script nbgrader's template loads from a CDN is left out. A feedback folder
then holds exactly exchange.feedback_files(): the HTML, and the
submission's time and secret that nbgrader's release-feedback needs; anything
else nbgrader copied along is removed.
"""

import functools
import html
import os
import re
import shutil
from pathlib import Path

import nbformat
from nbgrader.preprocessors.base import NbGraderPreprocessor
from traitlets import Integer

from graders.instructor import course
from graders.instructor.exchange import feedback_files
from graders.instructor.sandbox_runner import OutputCap

MESSAGE_CHARS = 400  # of a failing check's message in the summary; the whole message is at its cell
TEST_CELL_PREFIX = "test_"  # a graded test cell's grade_id is test_<function name> (as judge.py reads it)
MATH = re.compile(r"\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)  # display $$...$$ first, then inline $...$
CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)  # fenced blocks and code spans keep their dollars
# what MathJax reads and matplotlib's mathtext spells otherwise
MATHTEXT_SPELLING = ((r"\lVert", r"\Vert"), (r"\rVert", r"\Vert"), (r"\operatorname*", r"\operatorname"),
                     (r"\le ", r"\leq "), (r"\ge ", r"\geq "), ("\n", " "))
MATHS_POINTS = 12  # font size of rendered maths, near the feedback's body text
CDN_MATHJAX = re.compile(r'<script[^>]*src="https?://[^"]*mathjax[^"]*"[^>]*>\s*</script>', re.I)
# nbgrader's feedback template lists every test cell as "Test cell": the link names the grade id, test_<function>
TOC_ENTRY = re.compile(r'(<a href="#{prefix}(\w+)">)Test cell(</a>)'.format(prefix=TEST_CELL_PREFIX))


def _graded(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and meta.get("grade")


def function_name(cell):
    """The function a graded test cell checks (its grade id without test_), else the grade id."""
    grade_id = cell.metadata.nbgrader["grade_id"]
    return grade_id[len(TEST_CELL_PREFIX):] if grade_id.startswith(TEST_CELL_PREFIX) else grade_id


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
        failing = [(function_name(c), _failure_line(c)) for c in graded if _failure_line(c)]
        info = resources.get("nbgrader", {})
        lines = ["## Feedback summary", ""]
        if "score" in info and "max_score" in info:
            lines.append(f"**Score: {info['score']:g} of {info['max_score']:g}.** ")
        lines.append(f"{len(graded) - len(failing)} of {len(graded)} graded cells pass.")
        if failing:
            lines += ["", "What to fix (each check's message; the full text is at its cell below):", ""]
            lines += [f"- `{name}`: {message}" for name, message in failing]
        nb.cells.insert(0, nbformat.v4.new_markdown_cell("\n".join(lines)))
        return nb, resources


class ShortTracebacks(NbGraderPreprocessor):
    """Every error outside the graded cells shown as its last line ("ValueError: shapes ... not aligned")."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and not _graded(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


@functools.lru_cache(maxsize=4096)
def render_tex(tex, display=False):
    """HTML for one formula: an inline SVG image drawn by mathtext, or the TeX source where mathtext cannot draw it."""
    import base64
    import io
    import warnings

    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    spelled = tex
    for mathjax, matplotlib in MATHTEXT_SPELLING:
        spelled = spelled.replace(mathjax, matplotlib)
    buffer = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mathtext.math_to_image(f"${spelled.strip()}$", buffer, prop=FontProperties(size=MATHS_POINTS),
                                   format="svg")
    except (ValueError, RuntimeError):
        return f"<code>{html.escape(tex.strip())}</code>"
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    image = (f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(tex.strip(), quote=True)}" '
             f'style="vertical-align: middle; display: inline">')
    return f'<div style="text-align: center">{image}</div>' if display else image


def offline_maths(markdown):
    """`markdown` with each $...$ and $$...$$ outside code replaced by render_tex()'s HTML."""
    parts = CODE.split(markdown)
    for index in range(0, len(parts), 2):  # the odd parts are code
        parts[index] = MATH.sub(lambda m: render_tex(m.group(1) or m.group(2), m.group(1) is not None), parts[index])
    return "".join(parts)


class OfflineMaths(NbGraderPreprocessor):
    """Maths of Markdown cells drawn into the page (no MathJax, no CDN)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = offline_maths(cell.source)
        return cell, resources


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


def name_test_cells(page):
    """The feedback HTML with each test cell of its table of contents named after the function it checks."""
    return TOC_ENTRY.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3)}", page)


def without_cdn(page):
    """The feedback HTML without the MathJax script nbgrader's template loads from a CDN (OfflineMaths drew it)."""
    return CDN_MATHJAX.sub("", page)


def feedback_config():
    """What `make feedback` adds to nbgrader_config.py: no grading state copied into the feedback folder."""
    from traitlets.config import Config

    from graders.instructor import autograde

    config = Config()
    config.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", autograde.STATE_FILE]
    return config


def prune(folder, assignment):
    """Remove from a feedback folder what `make feedback` did not write for this student; return the names removed."""
    allowed = set(feedback_files(assignment))
    removed = []
    for entry in sorted(os.listdir(folder)):
        path = Path(folder) / entry
        if entry in allowed and path.is_file() and not path.is_symlink():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(entry)
    return removed


def generate(assignments=(), course_root=course.REPO_ROOT):
    """Write feedback/STUDENT/ASSIGNMENT/NAME.html for every autograded submission; True when all were written."""
    from graders.instructor import autograde

    ok = True
    for student, assignment in course.submissions(course_root, assignments):
        if autograde.read_state(course_root, student, assignment) is None:
            continue
        result = course.nbgrader_api(course_root, feedback_config()).generate_feedback(assignment, student,
                                                                                     force=True)
        folder = Path(course_root) / "feedback" / student / assignment
        removed = prune(folder, assignment) if result["success"] and folder.is_dir() else []
        page = folder / feedback_files(assignment)[0]
        if page.is_file():
            page.write_text(without_cdn(name_test_cells(page.read_text(encoding="utf-8"))), encoding="utf-8")
        print(f"{student}/{assignment}: " + ("feedback written" if result["success"] else "feedback FAILED")
              + (f" (not kept in it: {', '.join(removed)})" if removed else ""))
        ok = ok and result["success"]
    return ok
