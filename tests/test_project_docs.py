"""The project's documentation stays true: the checklist of docs/adding_a_notebook.md, checked.

- every notebook folder has its row in README.md's assignment table, and every row its notebook;
- a notebook's points agree in its introduction's table, its exercise headings
  ("### Exercise N — function (P points)") and the nbgrader metadata of its graded cells;
- the per-cell timeout and the name of the quick-mode variable are defined once, in
  helpers/budget.py, and every other module that uses them imports them from there;
- no file points outside the repository (not to a design note or style guide kept
  elsewhere, a sibling folder or a tracker's issue number), and links between the docs reach their files.

Cheap: it reads files and parses Python, it runs nothing.
"""

import ast
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from graders.instructor import solutions
from helpers import budget

from conftest import ASSIGNMENTS

REPO_ROOT = solutions.REPO_ROOT
README = REPO_ROOT / "README.md"
BUDGET_MODULE = "helpers/budget.py"

README_ROW = re.compile(r"^\| (\d\d) \| `([a-z0-9_]+)` \|", re.MULTILINE)
INTRO_TABLE_HEADER = "| part | functions | points |"
EXERCISE_LINE = re.compile(r"^### Exercise\b.*$", re.MULTILINE)
EXERCISE_HEADING = re.compile(r"^### Exercise (\d+) — ([A-Za-z_][A-Za-z0-9_]*) \((\d+) points?\)$")
TEST_CELL_PREFIX = "test_"
# names written apart so that this file does not match its own patterns
OUTSIDE_REFERENCES = re.compile("|".join([
    r"\b(?:DESIGN|STYLE)" + r"\.md\b",              # notes kept outside the repository (docs/design.md is ours)
    r"\.\./" + r"shared\b", r"/work/" + r"shared\b",  # the folder beside the checkout
    r"(?i:\bissues? #?" + r"\d+)",                   # a tracker's issue number
]))
TIMEOUT_NAMES = ("CELL_TIMEOUT_S", "cell_timeout_s")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


# --------------------------------------------------------------------------- files of the repository


def repository_files():
    """Paths (relative, posix) of the files git tracks or would track: generated folders and .venv are ignored."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=REPO_ROOT, capture_output=True, check=True).stdout.decode()
    return sorted(path for path in set(listed.split("\0")) if path and (REPO_ROOT / path).is_file())


def python_sources():
    """{relative path: parsed module} of every .py file of the repository."""
    return {path: ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"), filename=path)
            for path in repository_files() if path.endswith(".py")}


def prose_files():
    """Text files whose words are the project's own: everything but the data (datasets/ keeps its scripts and notes)."""
    for path in repository_files():
        if path.startswith("datasets/") and not path.endswith((".py", ".md")):
            continue
        try:
            yield path, (REPO_ROOT / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:  # records and images
            continue


# --------------------------------------------------------------------------- README rows


def test_every_notebook_has_its_readme_row_and_every_row_its_notebook():
    rows = {f"{number}_{name}" for number, name in README_ROW.findall(README.read_text(encoding="utf-8"))}
    missing = sorted(set(ASSIGNMENTS) - rows)
    assert not missing, f"README.md's assignment table has no row for {missing}: add `| NN | `name` | ... |`"
    stray = sorted(rows - set(ASSIGNMENTS))
    assert not stray, f"README.md's assignment table lists {stray}, which notebooks/ does not hold"


# --------------------------------------------------------------------------- points


def intro_points(nb):
    """{function: points} from the introduction's "What you will build" table ("2 + 3" for two functions)."""
    intro = nb.cells[0].source
    assert INTRO_TABLE_HEADER in intro, f"the introduction has no table headed {INTRO_TABLE_HEADER!r}"
    table = intro.split(INTRO_TABLE_HEADER, 1)[1].strip().splitlines()[1:]  # below the |---| line
    points = {}
    for row in table:
        if not row.startswith("|"):
            break
        functions_column, points_column = [column.strip() for column in row.strip("|").split("|")][1:3]
        functions = re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", functions_column)
        values = [int(value) for value in points_column.split("+")]
        assert len(functions) == len(values), f"introduction row {row!r}: {functions} but points {values}"
        points.update(zip(functions, values))
    return points


def heading_points(nb):
    """{function: points} from the headings "### Exercise N — function (P points)", numbered 1, 2, ..."""
    lines = [line for cell in nb.cells if cell.cell_type == "markdown" for line in EXERCISE_LINE.findall(cell.source)]
    points, numbers = {}, []
    for line in lines:
        match = EXERCISE_HEADING.match(line.strip())
        assert match, f"exercise heading {line!r} is not '### Exercise N — function (P points)'"
        number, function, value = match.groups()
        numbers.append(int(number))
        points[function] = int(value)
    assert numbers == list(range(1, len(numbers) + 1)), f"exercises are numbered {numbers}"
    return points


def metadata_points(nb):
    """{function: points} from the nbgrader metadata of the graded cells (grade id test_<function>)."""
    points = {}
    for cell in nb.cells:
        meta = solutions.nbgrader_meta(cell)
        if meta.get("grade"):
            grade_id = meta["grade_id"]
            assert grade_id.startswith(TEST_CELL_PREFIX), f"graded cell {grade_id!r} is not named test_<function>"
            points[grade_id[len(TEST_CELL_PREFIX):]] = meta["points"]
    return points


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_points_agree_in_the_introduction_the_headings_and_the_metadata(assignment):
    nb = nbformat.read(solutions.notebook_path(assignment), as_version=4)
    graded = metadata_points(nb)
    assert graded, "the notebook has no graded cell"
    assert heading_points(nb) == graded, "the exercise headings and the graded cells' points differ"
    assert intro_points(nb) == graded, "the introduction's table and the graded cells' points differ"


# --------------------------------------------------------------------------- defined once


def _constant_number(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool)


def _timeout_target(node):
    """True for a name that holds the per-cell timeout: CELL_TIMEOUT_S, cell_timeout_s, c.Execute.timeout."""
    if isinstance(node, ast.Name):
        return node.id in TIMEOUT_NAMES
    if isinstance(node, ast.Attribute):
        return node.attr in TIMEOUT_NAMES or (
            node.attr == "timeout" and isinstance(node.value, ast.Attribute) and node.value.attr == "Execute")
    return False


def timeout_definitions(tree):
    """Line numbers where a per-cell timeout gets a number: assignments, class fields and parameter defaults."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _constant_number(node.value):
            lines += [node.lineno for target in node.targets if _timeout_target(target)]
        elif isinstance(node, ast.AnnAssign) and _constant_number(node.value) and _timeout_target(node.target):
            lines.append(node.lineno)
        elif isinstance(node, ast.arguments):
            positional = node.posonlyargs + node.args
            defaults = list(zip(positional[len(positional) - len(node.defaults):], node.defaults))
            defaults += [(arg, default) for arg, default in zip(node.kwonlyargs, node.kw_defaults) if default]
            lines += [arg.lineno for arg, default in defaults if arg.arg in TIMEOUT_NAMES and _constant_number(default)]
    return lines


def imports_from_budget(tree, name):
    """True when the module imports `name` from helpers.budget, or helpers.budget itself for `budget.name`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "helpers.budget":
            if any(alias.name == name for alias in node.names):
                return True
        if isinstance(node, ast.ImportFrom) and node.module == "helpers":
            if any(alias.name == "budget" for alias in node.names):
                return True
        if isinstance(node, ast.Import) and any(alias.name == "helpers.budget" for alias in node.names):
            return True
    return False


def uses_of(tree, name):
    """Line numbers where code reads `name`, bare or as an attribute."""
    return [node.lineno for node in ast.walk(tree)
            if (isinstance(node, ast.Name) and node.id == name)
            or (isinstance(node, ast.Attribute) and node.attr == name)]


def test_the_cell_timeout_is_defined_once_and_imported_everywhere_else():
    sources = python_sources()
    definitions = [f"{path}:{line}" for path, tree in sources.items() for line in timeout_definitions(tree)]
    assert len(definitions) == 1 and definitions[0].startswith(BUDGET_MODULE + ":"), (
        f"the per-cell timeout must get its number once, in {BUDGET_MODULE} (CELL_TIMEOUT_S); found {definitions}")
    not_imported = [f"{path}:{uses_of(tree, 'CELL_TIMEOUT_S')}" for path, tree in sources.items()
                    if path != BUDGET_MODULE and uses_of(tree, "CELL_TIMEOUT_S")
                    and not imports_from_budget(tree, "CELL_TIMEOUT_S")]
    assert not not_imported, f"CELL_TIMEOUT_S is used without importing it from helpers.budget: {not_imported}"


def test_the_quick_mode_variable_is_named_once_and_imported_everywhere_else():
    name = budget.QUICK_ENV_VAR
    named = [f"{path}:{node.lineno}" for path, tree in python_sources().items() for node in ast.walk(tree)
             if isinstance(node, ast.Constant) and node.value == name]
    assert len(named) == 1 and named[0].startswith(BUDGET_MODULE + ":"), (
        f"the string {name!r} must appear once, in {BUDGET_MODULE} (QUICK_ENV_VAR); elsewhere use "
        f"budget.QUICK_ENV_VAR. Found: {named}")


# --------------------------------------------------------------------------- references stay inside


def test_no_file_points_outside_the_repository():
    found = [f"{path}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
             for path, text in prose_files() for match in OUTSIDE_REFERENCES.finditer(text)]
    assert not found, ("these refer to something a user of the repository does not have; point at docs/ "
                       f"instead: {found}")


def test_links_between_the_docs_reach_their_files():
    pages = [README] + sorted((REPO_ROOT / "docs").glob("*.md"))
    assert len(pages) > 1, "docs/ holds no page"
    broken = []
    for page in pages:
        for target in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith(("#", "mailto:")):
                continue
            if not (page.parent / target.split("#", 1)[0]).exists():
                broken.append(f"{page.relative_to(REPO_ROOT)} -> {target}")
    assert not broken, f"links to files that do not exist: {broken}"
