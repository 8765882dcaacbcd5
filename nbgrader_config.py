"""nbgrader configuration of the course (read by every nbgrader command run from this folder).

The source notebooks live in notebooks/ (with reference solutions); everything
nbgrader generates -- release/, submitted/, autograded/, feedback/,
gradebook.db -- sits beside this file and is git-ignored.
"""

import os

from helpers.budget import CELL_TIMEOUT_S

COURSE_ROOT = os.path.dirname(os.path.abspath(__file__))

c = get_config()  # noqa: F821 -- provided by nbgrader when it reads this file

c.CourseDirectory.course_id = "sequence-models"
c.CourseDirectory.root = COURSE_ROOT
c.CourseDirectory.source_directory = "notebooks"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(COURSE_ROOT, "gradebook.db")
c.Exchange.root = os.path.join(COURSE_ROOT, "exchange")  # nbgrader's default lives in /usr/local/share

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.enforce_metadata = True

c.Execute.timeout = CELL_TIMEOUT_S
# TensorFlow's C++ log lines would leak into cell outputs without this flag (docs/design.md, "Known traps")
c.Execute.extra_arguments = ["--IPKernelApp.capture_fd_output=False"]
