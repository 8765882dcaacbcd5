"""Student-facing failure messages: one shape for every check.

    lstm_cell_forward failed on case "tiny" (n_x=3, n_a=5, n_y=2, m=4)
      outputs that differ: c_next (max abs err 1.2e+00), a_next (max abs err 6.1e-01)
      output c_next: 20 of 20 entries differ (tolerance 1e-07 + 1e-06*|expected|)
              first at [0, 0]: expected 0.4127, got 0.1025
      hint:   c_next equals it * cct alone: the ft * c_prev term looks missing

Expected before got; a slice, never a whole array; for a hidden case, neither
an expected value nor the size of the error (the judge and compare.py see to it). A failure is shown without the grader's traceback: IPython, the
nbgrader validator and nbgrader's feedback all print `_render_traceback_`.
"""

import math
import re

import numpy as np

PREVIEW_ENTRIES = 4  # how many entries a preview or message shows of an array
MAX_ERROR_CHARS = 400  # a student's exception text is cut here (Keras errors run to pages)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# TensorFlow's eager errors wrap the sentence: "{{function_node __wrapped__AddV2_device_/job:...}} Incompatible
# shapes: [3,5] vs. [3,4] [Op:AddV2] name: "
_TF_WRAPPER = re.compile(r"\{\{function_node [^}]*\}\}\s*|\s*\[Op:[^\]]*\](\s*name:\s*\S*)?")
HIDDEN_NOT_SHOWN = "(the expected value of a hidden case is not shown)"


class CheckFailure(AssertionError):
    """A check failed; str(failure) is the full, student-facing message."""

    def _render_traceback_(self):
        # IPython shows these lines instead of a traceback through the grader; no colour codes, so
        # nbgrader's Validate dialog and feedback show plain text too
        return str(self).split("\n")


def header(func_name, case=None):
    return f"{func_name} failed" + (f" on {case.describe()}" if case is not None else "")


def message(func_name, case, *lines):
    """The standard message: header, then indented detail lines (empty ones dropped)."""
    return "\n".join([header(func_name, case)] + ["  " + line for line in lines if line])


def fail(func_name, case, *lines):
    """Raise CheckFailure with the standard header and indented detail lines."""
    raise CheckFailure(message(func_name, case, *lines))


def hint_line(hint):
    return f"hint:   {hint}" if hint else ""


def clean_error(err, limit=MAX_ERROR_CHARS):
    """`TypeName: text` of an exception, without terminal colour codes or TensorFlow's op wrapper, cut to
    `limit` characters."""
    text = _TF_WRAPPER.sub(" ", _ANSI.sub("", str(err))).strip()
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit] + " ..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


# --------------------------------------------------------------------------- numbers


def fmt_number(x, digits=4):
    """Short, readable float or int: `digits` decimals, or scientific notation far from 1."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.{digits}f}"
    return f"{x:.{max(digits - 1, 1)}e}"


def fmt_pair(expected, got):
    """(expected, got) printed with enough digits that they visibly differ (4 at least, 17 at most)."""
    e, g = float(expected), float(got)
    digits = 4
    if math.isfinite(e) and math.isfinite(g) and e != g:
        scale = max(abs(e), abs(g), 1e-300)
        relative = abs(e - g) / scale
        digits = min(17, max(4, int(math.ceil(-math.log10(relative))) + 2 if relative > 0 else 4))
        if 1e-3 <= scale < 1e4:  # fixed notation counts decimals, not significant digits
            digits = min(17, max(4, digits - int(math.floor(math.log10(scale))) - 1))
    return fmt_number(e, digits), fmt_number(g, digits)


def fmt_index(index):
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def fmt_preview(array, entries=PREVIEW_ENTRIES):
    """The first few entries of an array, never the whole thing."""
    array = np.asarray(array)
    if array.ndim == 0:
        return fmt_number(array[()])
    flat = array.ravel()
    shown = ", ".join(fmt_number(v) for v in flat[:entries])
    more = ", ..." if flat.size > entries else ""
    return f"[{shown}{more}] (shape {array.shape})"


def type_name(value):
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"ndarray of dtype {value.dtype}"
    return type(value).__name__
