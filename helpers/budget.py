"""Quick mode vs full mode: one switch for how much data and training a notebook uses.

Full mode (the default) is what students run: real data, enough training to
reach the quality targets (docs/design.md). Quick mode shrinks data and epochs so a
whole notebook runs in about a minute; validation, autograding and CI use it.

Turn quick mode on by setting the environment variable ``COURSE_QUICK=1``
before starting Jupyter or nbgrader (the Makefile does this for you).

This module is the one place that names the variable (QUICK_ENV_VAR) and the
time one cell may run while validating or grading (CELL_TIMEOUT_S); everything
else imports them from here.
"""

import os

QUICK_ENV_VAR = "COURSE_QUICK"
# seconds per cell in nbgrader, the student's Validate and the grading sandbox: nbgrader's default (30 s) is too
# short for a Keras cell on a loaded machine, and quick mode keeps every cell far below this
CELL_TIMEOUT_S = 120
_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"", "0", "false", "no", "off"})


def is_quick():
    """Return True when the notebook should run in quick mode.

    Raises
    ------
    ValueError  if COURSE_QUICK holds a value that is neither true nor false,
                so a typo never silently runs the wrong mode.
    """
    raw = os.environ.get(QUICK_ENV_VAR, "").strip().lower()
    if raw in _TRUE_WORDS:
        return True
    if raw in _FALSE_WORDS:
        return False
    raise ValueError(
        f"{QUICK_ENV_VAR}={raw!r} is not understood; use {QUICK_ENV_VAR}=1 for "
        f"quick mode or leave it unset for full mode"
    )


def pick(full, quick):
    """Return `quick` in quick mode and `full` otherwise.

    Use it for every size that quick mode shrinks, so the full value stays
    visible next to the quick one:  ``epochs = budget.pick(full=30, quick=1)``.
    """
    return quick if is_quick() else full


def mode_name():
    """'quick' or 'full', for printing at the top of a notebook."""
    return "quick" if is_quick() else "full"
