"""The course folder as nbgrader sees it: configuration, API, the course kit, the submissions on disk.

The bottom layer of the instructor tools. It imports none of them, so the
modules that act on a class (exchange.py, autograde.py, grading_kit.py,
feedback.py) build on it without importing each other through the command
line; pipeline.py is only the command line that strings them together.
"""

import os
import shutil
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from graders.instructor import solutions
from helpers import budget

REPO_ROOT = solutions.REPO_ROOT
KIT_DIR_NAME = "course_kit"
# what a student receives beside the notebooks; graders/instructor is left out
KIT_CONTENTS = ("helpers", "graders", "datasets", "pyproject.toml", "requirements.txt",
                "requirements.lock", "requirements-nodeps.txt")
KIT_EXCLUDED = ("instructor", "__pycache__", "*.egg-info", ".ipynb_checkpoints")


def course_config(course_root=REPO_ROOT):
    """nbgrader configuration: nbgrader_config.py, pointed at `course_root`.

    `course_root` holds release/, submitted/, autograded/, feedback/ and
    gradebook.db; the source notebooks always come from this repository.
    """
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    course_root = Path(course_root).resolve()
    overrides = Config()
    overrides.CourseDirectory.root = str(course_root)
    overrides.CourseDirectory.source_directory = str(REPO_ROOT / "notebooks")
    overrides.CourseDirectory.db_url = "sqlite:///" + str(course_root / "gradebook.db")
    overrides.Exchange.root = str(course_root / "exchange")
    config.merge(overrides)
    return config


def environment_on_path():
    """nbgrader runs command-line tools (alembic) by name: make this environment's bin/ findable."""
    bin_dir = str(Path(sys.prefix) / "bin")
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def nbgrader_api(course_root=REPO_ROOT, extra_config=None):
    """nbgrader's API on the course configuration, with `extra_config` (a traitlets Config) merged in."""
    environment_on_path()
    Path(course_root).mkdir(parents=True, exist_ok=True)  # nbgrader expects the course folder to exist
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = course_config(course_root)
    if extra_config is not None:
        config.merge(extra_config)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def course_id(course_root=REPO_ROOT):
    return course_config(course_root).CourseDirectory.course_id


def quick_mode():
    """Grading runs the notebooks in quick mode (helpers/budget.py)."""
    os.environ[budget.QUICK_ENV_VAR] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def assignments(names):
    """`names` checked against the course's assignments (all of them when empty)."""
    known = solutions.assignment_names()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown assignment(s) {unknown}; known: {known}")
    return list(names) or known


def notebook_name(assignment):
    """The file name of an assignment's one notebook ('rnn_step_by_step.ipynb')."""
    return solutions.notebook_path(assignment).name


def submissions(course_root=REPO_ROOT, assignments=()):
    """(student, assignment) for every folder submitted/STUDENT/ASSIGNMENT, sorted.

    Links are not followed, and hidden folders (a collect in progress) are not submissions.
    """
    wanted = set(assignments)
    root = Path(course_root) / "submitted"
    found = []

    def folders(parent):
        return sorted(p for p in parent.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))

    if root.is_dir():
        for student_dir in folders(root):
            for assignment_dir in folders(student_dir):
                if not wanted or assignment_dir.name in wanted:
                    found.append((student_dir.name, assignment_dir.name))
    return found


def build_kit(destination, quiet=False):
    """Copy what students need beside the notebooks: helpers, public graders, data, pins."""
    destination = Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for name in KIT_CONTENTS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns(*KIT_EXCLUDED))
        else:
            shutil.copy2(source, destination / name)
    if not quiet:
        print(f"course kit written to {destination}")
    return destination
