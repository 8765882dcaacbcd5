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

# Autograding runs student code, so it goes through the sandbox and the judge (`make autograde`) or not at all:
# plain `nbgrader autograde` and formgrader's Autograde button get, instead of nbgrader's in-process Execute
# step, one that refuses and names `make autograde` (graders/instructor/autograde.py).
c.Autograde.autograde_preprocessors = ["graders.instructor.autograde.OnlyThroughMakeAutograde"]
# feedback, from `make feedback` or formgrader's button: the same preprocessors (graders/instructor/feedback.py)
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades", "nbgrader.preprocessors.ClearHiddenTests",
    "graders.instructor.feedback.ShortTracebacks", "graders.instructor.feedback.OfflineMaths",
    "graders.instructor.feedback.CapOutputs",
    "graders.instructor.feedback.SummaryFirst", "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor"]
c.ClearHiddenTests.enforce_metadata = False
# `nbgrader collect` / `release_feedback` and formgrader's buttons: never follow a link, never trust a name
c.ExchangeFactory.collect = "graders.instructor.exchange.CheckedCollect"
c.ExchangeFactory.release_feedback = "graders.instructor.exchange.CheckedReleaseFeedback"
