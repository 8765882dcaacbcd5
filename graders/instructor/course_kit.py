"""The course kit as a student package: the released notebooks, a README and one command.

`pipeline.build_kit` copies the public code, data and pins into
release/course_kit/; `add_student_files` completes it, so that a class can
hand out that one folder:

    course_kit/
      README.md            for students: what this is, `make lab`, quick mode, Validate, submitting
      Makefile             `make lab`: builds .venv on first use, then opens JupyterLab on workspace/
      assignments/NN_name/ the released notebooks (the starting point; never edited by the student)
      helpers/ graders/ datasets/ pyproject.toml requirements*.txt   (public code, data, pins)

`make lab` copies assignments/ into workspace/ with graders.student.workspace
(never overwriting a notebook the student saved), so a newer kit unpacked over
an old one brings new notebooks without touching work. Nothing in the kit is an
instructor file: no solutions, no hidden tests, no graders/instructor.
"""

import shutil
from pathlib import Path

from graders.student import workspace

KIT_FILES = Path(__file__).with_name("kit_files")  # README.md and Makefile, copied as they are
ASSIGNMENTS_DIR_NAME = "assignments"


def add_student_files(release_dir, kit_dir_name="course_kit"):
    """Copy the released assignments, the kit README and the kit Makefile into release_dir/kit_dir_name."""
    release_dir = Path(release_dir)
    kit = release_dir / kit_dir_name
    for name in ("README.md", "Makefile"):
        shutil.copy2(KIT_FILES / name, kit / name)
    target = kit / ASSIGNMENTS_DIR_NAME
    if target.exists():
        shutil.rmtree(target)
    for folder in workspace.assignment_folders(release_dir):
        shutil.copytree(folder, target / folder.name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return kit
