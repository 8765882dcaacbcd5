"""Load the reference solutions straight from the nbgrader source notebooks.

The source notebook is the only place solution code lives. This module runs
the notebook's setup cells (tagged "setup") and its solution cells (nbgrader
`solution: true`) in a fresh namespace and hands back the functions, so the
recorder, the tests and the known-wrong variants never keep a second copy.
"""

import contextlib
import importlib
import io
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SETUP_TAG = "setup"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def assignment_names():
    """Folder names of all assignments, in course order ('01_rnn_step_by_step', ...)."""
    return sorted(p.name for p in NOTEBOOKS_DIR.iterdir() if p.is_dir() and p.name[:2].isdigit())


def notebook_path(assignment):
    """The source notebook of an assignment: notebooks/01_rnn_step_by_step/rnn_step_by_step.ipynb."""
    return NOTEBOOKS_DIR / assignment / (assignment.split("_", 1)[1] + ".ipynb")


def grader_module(assignment):
    """The public graders module of an assignment (graders.rnn_step_by_step)."""
    return importlib.import_module("graders." + assignment.split("_", 1)[1])


def declaration(assignment):
    """The instructor declaration of an assignment (graders.instructor.assignments.rnn_step_by_step)."""
    return importlib.import_module("graders.instructor.assignments." + assignment.split("_", 1)[1])


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_cells(assignment):
    """{grade_id: source} of every solution cell, in notebook order."""
    nb = nbformat.read(notebook_path(assignment), as_version=4)
    return {
        nbgrader_meta(c)["grade_id"]: c.source
        for c in nb.cells
        if c.cell_type == "code" and nbgrader_meta(c).get("solution")
    }


def setup_sources(assignment):
    nb = nbformat.read(notebook_path(assignment), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code" and SETUP_TAG in c.metadata.get("tags", [])]


def _strip_markers(source):
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_MARKERS)


def load_solutions(assignment, mutant=None):
    """Execute setup and solution cells; return the resulting namespace (a dict).

    Parameters
    ----------
    assignment : str          folder name, e.g. '01_rnn_step_by_step'
    mutant : (grade_id, Mutant), optional
        apply Mutant.old -> Mutant.new in that solution cell first

    Raises
    ------
    ValueError  if the mutant's `old` text does not occur exactly once, which
                means the reference changed and the variant must be updated.
    """
    namespace = {"__name__": f"solutions_{assignment}"}
    with contextlib.redirect_stdout(io.StringIO()):  # setup cells greet the student; stay quiet here
        for source in setup_sources(assignment):
            exec(compile(source, f"<{assignment} setup>", "exec"), namespace)
    for grade_id, source in solution_cells(assignment).items():
        if mutant is not None and mutant[0] == grade_id:
            old, new = mutant[1].old, mutant[1].new
            count = source.count(old)
            if count != 1:
                raise ValueError(
                    f"known-wrong variant for {grade_id}: {old!r} occurs {count} times in the "
                    f"reference solution (expected exactly once); update the variant"
                )
            source = source.replace(old, new)
        exec(compile(_strip_markers(source), f"<{assignment} {grade_id}>", "exec"), namespace)
    return namespace


def iter_mutants(assignment):
    """(function name, variant name, Mutant) for every known-wrong variant of an assignment."""
    module = declaration(assignment)
    for func_name, variants in module.MUTANTS.items():
        for variant, mutant in variants.items():
            yield func_name, variant, mutant
