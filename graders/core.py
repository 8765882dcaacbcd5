"""Comparison and failure messages shared by every assignment's checks.

A check runs a student's function on named, deterministic cases and compares
what comes back with outputs recorded from the reference solution (by
``make references``; never typed by hand). It checks in a fixed order --
callable, return arity, type, dtype, shape, finite, values, properties -- and
stops at the first failure with a message that names the function, the case,
what was expected, what came back, where they differ, the tolerance and a hint:

    lstm_cell_forward failed on case "tiny" (n_x=3, n_a=5, m=2)
      output c_next: shape (5, 2) as expected
      values: 4 of 10 entries differ (max abs err 3.1e-01, tolerance 1e-07 + 1e-06*|expected|)
              first at [0, 1]: expected 0.4127, got 0.1025
      hint:   c_next equals it * cct alone: the ft * c_prev term looks missing

Hints come from comparing the student's outputs with the recorded outputs of
known-wrong variants (the bugs students really make): when the output matches
a variant, the message names that bug.
"""

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

GRADERS_DIR = Path(__file__).resolve().parent
PUBLIC_RECORD_DIR = GRADERS_DIR / "references"
HIDDEN_RECORD_DIR = GRADERS_DIR / "instructor" / "hidden"
SUITES = ("public", "hidden")
DEFAULT_ATOL = 1e-7
DEFAULT_RTOL = 1e-6
WRONG_MARK = "~"  # record keys of known-wrong outputs: "func|case|~variant|path"
PREVIEW_ENTRIES = 4  # how many entries a preview or message shows of an array


class CheckFailure(AssertionError):
    """A check failed; str(failure) is the full, student-facing message."""


def fail(func_name, case, *lines):
    """Raise CheckFailure with the standard header and indented detail lines."""
    header = f"{func_name} failed" + (f" on {case.describe()}" if case is not None else "")
    raise CheckFailure("\n".join([header] + ["  " + line for line in lines if line]))


@dataclass(frozen=True)
class Case:
    """One named, deterministic set of inputs for a graded function.

    dims : sizes shown in messages, e.g. {"n_x": 3, "n_a": 5, "m": 2}
    args, kwargs : what the student's function is called with (deep-copied per call)
    """

    name: str
    dims: dict
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def describe(self):
        sizes = ", ".join(f"{k}={v}" for k, v in self.dims.items())
        return f'case "{self.name}"' + (f" ({sizes})" if sizes else "")


@dataclass(frozen=True)
class Output:
    """One returned value of a graded function.

    kind : "array" -- an ndarray compared entry by entry;
           "scalar" -- a float (Python or numpy) compared within tolerance;
           "dict" -- a dict whose `fields` are arrays (gradients);
           "record" -- an object whose `fields` are attributes (named-tuple caches);
           "steps" -- an object with a list `step_caches` whose items have the
                      attributes `fields`; each field is stacked over time into
                      one array (..., T_x) and compared as a whole.
    compare : for dict/record, the fields whose values are compared
              (default: all of `fields`); other fields are only checked to exist.
    """

    name: str
    kind: str = "array"
    fields: tuple = ()
    compare: tuple = None

    def compared_fields(self):
        return self.fields if self.compare is None else self.compare


@dataclass(frozen=True)
class FunctionSpec:
    """What a graded function returns and how a wrong answer is explained.

    hints : {variant name: text} for known-wrong variants whose recorded
            outputs identify the bug
    default_hint : shown when values differ and no known variant matches
    properties : [(description, fn(outputs: dict, case) -> None or problem str)]
                 checked after the values
    """

    name: str
    outputs: tuple
    hints: dict = field(default_factory=dict)
    default_hint: str = ""
    properties: tuple = ()
    atol: float = DEFAULT_ATOL
    rtol: float = DEFAULT_RTOL


# --------------------------------------------------------------------------- records


def record_key(func_name, case_name, path, variant=None):
    """Key under which one recorded array is stored."""
    if variant is None:
        return f"{func_name}|{case_name}|{path}"
    return f"{func_name}|{case_name}|{WRONG_MARK}{variant}|{path}"


class Record:
    """Recorded reference outputs (and known-wrong outputs) of one assignment and suite."""

    def __init__(self, arrays, assignment="", suite="public"):
        self.arrays = dict(arrays)
        self.assignment = assignment
        self.suite = suite

    def expected(self, func_name, case_name, path):
        key = record_key(func_name, case_name, path)
        if key not in self.arrays:
            raise CheckFailure(
                f"no recorded reference output for {key!r} in the {self.suite} record of "
                f"{self.assignment}; the instructor should run `make references`"
            )
        return self.arrays[key]

    def wrong_outputs(self, func_name, case_name):
        """{variant: {path: array}} recorded from the known-wrong variants for one case."""
        prefix = f"{func_name}|{case_name}|{WRONG_MARK}"
        variants = {}
        for key, value in self.arrays.items():
            if key.startswith(prefix):
                variant, path = key[len(prefix):].split("|", 1)
                variants.setdefault(variant, {})[path] = value
        return variants


def record_path(assignment, suite):
    if suite not in SUITES:
        raise ValueError(f"suite must be one of {SUITES}, got {suite!r}")
    folder = PUBLIC_RECORD_DIR if suite == "public" else HIDDEN_RECORD_DIR
    return folder / f"{assignment}.npz"


def load_record(assignment, suite="public"):
    """Load the recorded outputs of `assignment` for `suite` ('public' or 'hidden').

    Raises
    ------
    CheckFailure  if the file is absent: the hidden record exists only on the
                  instructor's machine, the public one is made by `make references`.
    """
    path = record_path(assignment, suite)
    if not path.is_file():
        if suite == "hidden":
            raise CheckFailure(
                f"hidden tests of {assignment} run only when the instructor autogrades "
                f"({path.name} is not part of the student release)"
            )
        raise CheckFailure(
            f"reference outputs {path} are missing; the instructor should run `make references`"
        )
    with np.load(path, allow_pickle=False) as data:
        return Record({key: data[key] for key in data.files}, assignment, suite)


# --------------------------------------------------------------------------- formatting


def fmt_number(x):
    """Short, readable float or int."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if x == 0 or 1e-3 <= abs(x) < 1e4:
        return f"{x:.4f}"
    return f"{x:.3e}"


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


# --------------------------------------------------------------------------- calling


def check_callable(func, func_name):
    """Fail with a clear message unless `func` can be called."""
    if not callable(func):
        fail(
            func_name,
            None,
            f"expected a function, got {type_name(func)}",
            f"hint:   pass the function itself, e.g. check({func_name}), not its result",
        )


def call_student(func, func_name, case, copy_inputs=True):
    """Call func(*case.args, **case.kwargs); re-raise any error with the case attached.

    Inputs are deep-copied (unless copy_inputs is False) so a function that
    changes its arguments cannot spoil later cases.
    """
    check_callable(func, func_name)
    args = copy.deepcopy(case.args) if copy_inputs else case.args
    kwargs = copy.deepcopy(case.kwargs) if copy_inputs else case.kwargs
    try:
        return func(*args, **kwargs)
    except NotImplementedError as err:
        raise CheckFailure(
            f"{func_name} failed on {case.describe()}\n"
            f"  raised NotImplementedError: the function is still the stub\n"
            f"  hint:   replace `raise NotImplementedError()` with your implementation"
        ) from err
    except CheckFailure:
        raise
    except Exception as err:  # any student error becomes a message about this case
        raise CheckFailure(
            f"{func_name} failed on {case.describe()}\n"
            f"  raised {type(err).__name__}: {err}\n"
            f"  hint:   run the quick-look cell above on the same sizes to see where it breaks"
        ) from err


def split_outputs(result, spec, case):
    """Check the return arity and name the returned values: {output name: value}."""
    names = [out.name for out in spec.outputs]
    if len(names) == 1:
        return {names[0]: result}
    if not isinstance(result, (tuple, list)):
        fail(
            spec.name,
            case,
            f"expected {len(names)} return values ({', '.join(names)}), got one {type_name(result)}",
            f"hint:   end with `return {', '.join(names)}`",
        )
    if len(result) != len(names):
        fail(
            spec.name,
            case,
            f"expected {len(names)} return values ({', '.join(names)}), got {len(result)}",
            f"hint:   end with `return {', '.join(names)}`",
        )
    return dict(zip(names, result))


def _check_array_type(value, label, spec, case, scalar=False):
    if scalar:
        if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
            return
        if isinstance(value, np.ndarray) and value.size == 1:
            return
        fail(
            spec.name,
            case,
            f"{label}: expected a number, got {type_name(value)}",
            "hint:   return a float, e.g. float(loss)" if value is not None else
            "hint:   did you forget a `return` statement?",
        )
        return
    if isinstance(value, np.ndarray):
        return
    if value is None:
        hint = "hint:   did you forget a `return` statement or assign the result?"
    elif isinstance(value, (list, tuple)):
        hint = f"hint:   got a {type(value).__name__}; convert it with np.array(...) before returning"
    else:
        hint = "hint:   compute it with numpy operations so it stays an ndarray"
    fail(spec.name, case, f"{label}: expected a numpy ndarray, got {type_name(value)}", hint)


def flatten_outputs(named, spec, case):
    """Type-check the outputs and list every comparable leaf as {path: value}.

    Paths: "a_next", "gradients.dWax", "cache.ft".
    """
    leaves = {}
    for out in spec.outputs:
        value = named[out.name]
        if out.kind in ("array", "scalar"):
            _check_array_type(value, f"output {out.name}", spec, case, scalar=out.kind == "scalar")
            leaves[out.name] = value
        elif out.kind == "dict":
            if not isinstance(value, dict):
                fail(
                    spec.name,
                    case,
                    f"output {out.name}: expected a dict, got {type_name(value)}",
                    f"hint:   build it as {{'{out.fields[0]}': ..., ...}}",
                )
            missing = [k for k in out.fields if k not in value]
            if missing:
                fail(
                    spec.name,
                    case,
                    f"output {out.name}: missing keys {missing}",
                    f"expected keys: {list(out.fields)}; got: {sorted(value)}",
                    "hint:   gradient names are 'd' + the forward name, e.g. 'dWax'",
                )
            for k in out.compared_fields():
                _check_array_type(value[k], f"output {out.name}['{k}']", spec, case)
                leaves[f"{out.name}.{k}"] = value[k]
        elif out.kind == "record":
            missing = [k for k in out.fields if not hasattr(value, k)]
            if missing:
                fail(
                    spec.name,
                    case,
                    f"output {out.name}: expected an object with fields {list(out.fields)}, "
                    f"got {type_name(value)} without {missing}",
                    "hint:   build the cache with the named tuple the docstring gives",
                )
            for k in out.compared_fields():
                _check_array_type(getattr(value, k), f"output {out.name}.{k}", spec, case)
                leaves[f"{out.name}.{k}"] = getattr(value, k)
        elif out.kind == "steps":
            steps = getattr(value, "step_caches", None)
            if not isinstance(steps, (list, tuple)) or not steps:
                fail(
                    spec.name,
                    case,
                    f"output {out.name}: expected an object whose step_caches is a non-empty "
                    f"list (one cache per time step), got {type_name(value)}",
                    "hint:   append each step's cache to a list and wrap it in the named tuple",
                )
            for k in out.compared_fields():
                parts = [getattr(step, k, None) for step in steps]
                for t, part in enumerate(parts):
                    _check_array_type(part, f"output {out.name}.step_caches[{t}].{k}", spec, case)
                shapes = {np.shape(part) for part in parts}
                if len(shapes) != 1:
                    fail(spec.name, case, f"output {out.name}: the {k} of different steps have shapes {sorted(shapes)}")
                leaves[f"{out.name}.{k}"] = np.stack(parts, axis=-1)
        else:
            raise ValueError(f"unknown output kind {out.kind!r} in spec of {spec.name}")
    return leaves


def _label(path):
    return "output " + path


def _close(got, expected, atol, rtol):
    return np.abs(got - expected) <= atol + rtol * np.abs(expected)


def matches(got, expected, atol=DEFAULT_ATOL, rtol=DEFAULT_RTOL):
    """True when `got` has the shape of `expected` and every entry is within tolerance."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        return False
    if got.dtype.kind not in "biuf" or expected.dtype.kind not in "biuf":
        return False
    return bool(np.all(_close(got.astype(float), expected.astype(float), atol, rtol)))


def find_known_bug(leaves, spec, case, record):
    """Name of the known-wrong variant whose recorded outputs the student's match, or None."""
    if record is None:
        return None
    for variant, wrong in record.wrong_outputs(spec.name, case.name).items():
        shared = [p for p in wrong if p in leaves]
        if shared and all(matches(leaves[p], wrong[p], spec.atol, spec.rtol) for p in shared):
            return variant
    return None


def hint_for(leaves, spec, case, record, known_only=False):
    """The hint of the known bug the outputs match; else the default hint (or "" if known_only)."""
    variant = find_known_bug(leaves, spec, case, record)
    if variant is not None and variant in spec.hints:
        return spec.hints[variant]
    return "" if known_only else spec.default_hint


def compare_leaves(leaves, spec, case, record):
    """Check dtype, shape, finiteness and values of every leaf against the record, in that order."""
    expected = {path: np.asarray(record.expected(spec.name, case.name, path)) for path in leaves}
    for path, value in leaves.items():
        got = np.asarray(value)
        exp = expected[path]
        if exp.dtype.kind == "f" and got.dtype.kind != "f" and got.dtype.kind not in "iu":
            fail(spec.name, case, f"{_label(path)}: dtype {got.dtype}, expected {exp.dtype}",
                 "hint:   compute with floats (numpy's default float64)")
        if exp.dtype.kind == "f" and got.dtype.kind == "f" and got.dtype != exp.dtype:
            fail(spec.name, case, f"{_label(path)}: dtype {got.dtype}, expected {exp.dtype}",
                 f"hint:   keep numpy's float64; something cast to {got.dtype}")
        if exp.dtype.kind in "iu" and got.dtype.kind not in "iu":
            fail(spec.name, case, f"{_label(path)}: dtype {got.dtype}, expected integers",
                 "hint:   indices must be integers (e.g. int(np.argmax(...)))")
    for path, value in leaves.items():
        got = np.asarray(value)
        exp = expected[path]
        if got.shape != exp.shape:
            hint = hint_for(leaves, spec, case, record, known_only=True)
            if not hint and got.ndim == 2 and got.shape == exp.shape[::-1]:
                hint = "the shape is transposed: check the order of a matrix product"
            elif not hint and got.size == exp.size:
                hint = "same number of entries but another shape: check reshape / keepdims"
            elif not hint:
                hint = spec.default_hint
            fail(spec.name, case, f"{_label(path)}: shape {got.shape}, expected {exp.shape}",
                 f"hint:   {hint}" if hint else "")
    for path, value in leaves.items():
        got = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(got)):
            bad = np.argwhere(~np.isfinite(got))[0]
            fail(spec.name, case, f"{_label(path)}: contains nan or inf, first at {fmt_index(bad)}",
                 "hint:   look for a division by zero or exp of a large number")
    for path, value in leaves.items():
        got = np.asarray(value, dtype=float)
        exp = expected[path].astype(float)
        close = _close(got, exp, spec.atol, spec.rtol)
        if np.all(close):
            continue
        n_bad = int(np.size(close) - np.count_nonzero(close))
        err = float(np.max(np.abs(got - exp)))
        tolerance = f"tolerance {spec.atol:.0e} + {spec.rtol:.0e}*|expected|"
        first = () if exp.ndim == 0 else tuple(np.argwhere(~close)[0])
        at = "" if exp.ndim == 0 else f"first at {fmt_index(first)}: "
        if record.suite == "hidden":  # feedback reaches students: never show a hidden expected value
            where = f"{at}got {fmt_number(got[first])} (the expected value of a hidden case is not shown)"
        else:
            where = f"{at}expected {fmt_number(exp[first])}, got {fmt_number(got[first])}"
        hint = hint_for(leaves, spec, case, record)
        fail(
            spec.name,
            case,
            f"{_label(path)}: shape {got.shape} as expected",
            f"values: {n_bad} of {np.size(close)} entries differ (max abs err {err:.1e}, {tolerance})",
            f"        {where}",
            f"hint:   {hint}" if hint else "",
        )


def check_properties(named, spec, case):
    for description, prop in spec.properties:
        problem = prop(named, case)
        if problem:
            fail(spec.name, case, f"property: {description}", f"problem: {problem}")


def check_case(func, spec, case, record):
    """Run one case through every stage; return the named outputs when all pass."""
    result = call_student(func, spec.name, case)
    named = split_outputs(result, spec, case)
    leaves = flatten_outputs(named, spec, case)
    compare_leaves(leaves, spec, case, record)
    check_properties(named, spec, case)
    return named


def run_check(func, spec, cases, record, quiet=False):
    """Check `func` on every case; stop at the first failure. Returns the number of cases passed."""
    check_callable(func, spec.name)
    for case in cases:
        check_case(func, spec, case, record)
    if not quiet:
        print(f"{spec.name}: all {len(cases)} {record.suite} cases passed")
    return len(cases)


# --------------------------------------------------------------------------- previews


def reference_leaves(spec, case, record):
    """{path: expected array} for every compared leaf of one recorded case."""
    leaves = {}
    for out in spec.outputs:
        if out.kind in ("array", "scalar"):
            paths = [out.name]
        else:
            paths = [f"{out.name}.{k}" for k in out.compared_fields()]
        for path in paths:
            leaves[path] = record.expected(spec.name, case.name, path)
    return leaves


def show_expected(spec, case, record):
    """Print the recorded reference outputs of one case (the notebook's "expected output")."""
    print(f"Expected output of {spec.name} on {case.describe()}:")
    for path, value in reference_leaves(spec, case, record).items():
        print(f"  {path:<18} {fmt_preview(value)}")


def preview(func, spec, case, record):
    """Print the student's outputs beside the expected ones for one case, without grading.

    Errors are reported, not raised: the quick-look cell of an unfinished
    exercise says why it has nothing to show and still prints the expected output.
    """
    try:
        named = split_outputs(call_student(func, spec.name, case), spec, case)
        leaves = flatten_outputs(named, spec, case)
    except CheckFailure as failure:
        print(f"{spec.name}: " + str(failure).split("\n", 1)[-1].strip().split("\n")[0].strip())
        show_expected(spec, case, record)
        return
    print(f"{spec.name} on {case.describe()}:")
    for path, expected in reference_leaves(spec, case, record).items():
        print(f"  {path:<18} yours    {fmt_preview(leaves[path])}")
        print(f"  {'':<18} expected {fmt_preview(expected)}")


# --------------------------------------------------------------------------- registry


@dataclass
class Graded:
    """One graded function: its spec and a builder of its cases.

    build_cases(suite, record) -> list of Case; `record` holds what the
    functions registered before this one recorded (a backward pass builds its
    caches from the recorded forward outputs, so no forward code lives here).
    check : optional custom check(func, suite) for behaviour-based grading;
            when given, no outputs are recorded for this function.
    after : optional after(func, suite, cases), run once the recorded values
            match, for behaviour a return value cannot show (changes in place)
    preview : optional preview(func) replacing the standard quick look
    """

    spec: FunctionSpec
    build_cases: object
    check: object = None
    after: object = None
    preview: object = None


class Assignment:
    """The graded functions of one notebook, in the order the notebook teaches them."""

    def __init__(self, name):
        self.name = name
        self.graded = {}

    def add(self, spec, build_cases, check=None, after=None, preview=None):
        self.graded[spec.name] = Graded(spec, build_cases, check, after, preview)

    def record(self, suite):
        return load_record(self.name, suite)

    def cases(self, func_name, suite, record=None):
        record = self.record(suite) if record is None else record
        return self.graded[func_name].build_cases(suite, record)

    def check(self, func_name, func, suite="public"):
        """Grade `func` as `func_name` on the cases of `suite`; raise CheckFailure on the first problem."""
        # returns None on purpose: nbgrader reads a number left as a test cell's
        # output as partial credit, so a check must never return one
        graded = self.graded[func_name]
        if graded.check is not None:
            graded.check(func, suite)
            return None
        record = self.record(suite)
        cases = self.cases(func_name, suite, record)
        passed = run_check(func, graded.spec, cases, record, quiet=graded.after is not None)
        if graded.after is not None:
            graded.after(func, suite, cases)
            print(f"{func_name}: all {passed} {suite} cases passed")
        return None

    def sample_inputs(self, func_name):
        """Deep copies of the inputs of the first public case, for experiments in a notebook."""
        return copy.deepcopy(self.cases(func_name, "public")[0].args)

    def preview(self, func_name, func):
        """Quick look: the student's outputs beside the expected ones on the first public case."""
        if self.graded[func_name].preview is not None:
            return self.graded[func_name].preview(func)
        record = self.record("public")
        case = self.cases(func_name, "public", record)[0]
        preview(func, self.graded[func_name].spec, case, record)
