"""The probe: run a student's function on a case and record what comes back.

The probe is the only part of grading that runs student code. It calls the
function on deep copies of the case's inputs, notes which inputs the function
changed in place, checks the return arity and types (so it can name every
returned value), and flattens everything into leaves {path: ndarray}:
"a_next", "gradients.dWax", "cache.parameters.Wax", "caches.ft" (stacked over
time). It compares nothing with an expected value: that is the judge's work
(graders.judge), which may run in another process.

An Observation travels from the probe (the kernel, or the judge's own run) to the judge as JSON
(`encode` / `decode`): arrays as base64 of their raw bytes, exact to the bit.
"""

import base64
import copy
from dataclasses import dataclass, field

import numpy as np

from graders.messages import CheckFailure, clean_error, fail, message, type_name


@dataclass
class Observation:
    """What one case showed: the leaves, the inputs changed in place, or the failure that stopped it."""

    case: str
    leaves: dict = field(default_factory=dict)
    changed: list = field(default_factory=list)
    failure: str = None


# --------------------------------------------------------------------------- calling


def check_callable(func, func_name):
    """Fail with a clear message unless `func` can be called."""
    if not callable(func):
        fail(func_name, None, f"expected a function, got {type_name(func)}",
             f"hint:   pass the function itself, e.g. check_{func_name}({func_name}), not its result")


def call_student(func, func_name, case, args=None, kwargs=None):
    """Call func(*args, **kwargs) (default: deep copies of the case's); any error becomes a CheckFailure with the case."""
    check_callable(func, func_name)
    args = copy.deepcopy(case.args) if args is None else args
    kwargs = copy.deepcopy(case.kwargs) if kwargs is None else kwargs
    try:
        return func(*args, **kwargs)
    except NotImplementedError as err:
        raise CheckFailure(message(func_name, case, "raised NotImplementedError: the function is still the stub",
                                   "hint:   replace `raise NotImplementedError()` with your implementation")) from err
    except CheckFailure:
        raise
    except Exception as err:  # any student error becomes a message about this case
        raise CheckFailure(message(func_name, case, f"your function raised {clean_error(err)}",
                                   "hint:   run the quick-look cell above on the same sizes to see where it breaks")
                           ) from err


def guarded(func_name, case, step, *args, **kwargs):
    """Run a grader step on what the student returned; an unexpected error says what was returned, never a grader traceback."""
    try:
        return step(*args, **kwargs)
    except CheckFailure:
        raise
    except Exception as err:  # a grader helper choking on a strange return value
        raise CheckFailure(message(func_name, case, f"the check could not use what your function returned "
                                   f"({clean_error(err)})",
                                   "hint:   compare the types and shapes you return with the docstring")) from err


# --------------------------------------------------------------------------- inputs changed in place


def same_content(a, b):
    """True when two inputs hold the same values (exactly: nothing is recomputed, so no tolerance)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape):
            return False
        if a.dtype.kind not in "biufc" or b.dtype.kind not in "biufc":
            return a is b  # object arrays: only the very same array counts as unchanged
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same_content(a[k], b[k]) for k in a)
    if hasattr(a, "_fields"):  # named tuples (caches)
        return type(a) is type(b) and all(same_content(x, y) for x, y in zip(a, b))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(same_content(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:  # objects without a usable == (models, generators) are not compared
        return True


def changed_inputs(pristine, used, names):
    """Names of the positional inputs whose content differs after the call (names[i] for args[i])."""
    changed = []
    for i, (before, after) in enumerate(zip(pristine, used)):
        if not same_content(before, after):
            changed.append(names[i] if i < len(names) else f"argument {i + 1}")
    return changed


# --------------------------------------------------------------------------- naming and flattening outputs


def split_outputs(result, spec, case):
    """Check the return arity and name the returned values: {output name: value}."""
    names = spec.output_names()
    if len(names) == 1:
        return {names[0]: result}
    if not isinstance(result, (tuple, list)):
        fail(spec.name, case, f"expected {len(names)} return values ({', '.join(names)}), got one {type_name(result)}",
             f"hint:   end with `return {', '.join(names)}`")
    if len(result) != len(names):
        fail(spec.name, case, f"expected {len(names)} return values ({', '.join(names)}), got {len(result)}",
             f"hint:   end with `return {', '.join(names)}`")
    return dict(zip(names, result))


def _array_leaf(value, label, spec, case, scalar=False):
    """Type-check one returned value; return it as an ndarray."""
    if scalar:
        if isinstance(value, (float, int, np.floating, np.integer, np.ndarray)) and not isinstance(value, (bool, np.bool_)):
            number = np.asarray(value)
            if number.ndim == 0 and number.dtype.kind in "iuf":
                return number
        if isinstance(value, np.ndarray) and value.size == 1 and value.ndim > 0:
            fail(spec.name, case, f"{label}: expected a number, got an array of shape {value.shape}",
                 "hint:   return a plain number, e.g. float(x) or x.item()")
        if isinstance(value, (int, float, complex, np.number, np.ndarray)) and not isinstance(value, (bool, np.bool_)):
            fail(spec.name, case, f"{label}: expected a real number, got {np.asarray(value).dtype} {value!r:.60}",
                 "hint:   return a float, e.g. float(np.sqrt(...))")
        fail(spec.name, case, f"{label}: expected a number, got {type_name(value)}",
             "hint:   return a float, e.g. float(loss)" if value is not None else
             "hint:   did you forget a `return` statement?")
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            fail(spec.name, case, f"{label}: an array of dtype {value.dtype}, expected numbers",
                 "hint:   build it with numpy operations on numbers (np.zeros, @, np.tanh, ...)")
        return value
    if value is None:
        hint = "hint:   did you forget a `return` statement or assign the result?"
    elif isinstance(value, (list, tuple)):
        hint = f"hint:   got a {type(value).__name__}; convert it with np.array(...) before returning"
    else:
        hint = "hint:   compute it with numpy operations so it stays an ndarray"
    fail(spec.name, case, f"{label}: expected a numpy ndarray, got {type_name(value)}", hint)


def _field_leaves(value, path, label, spec, case):
    """Leaves of one field: an array, or a dict of arrays (a cache's parameters)."""
    if isinstance(value, dict):
        leaves = {}
        for key in value:
            leaves.update(_field_leaves(value[key], f"{path}.{key}", f"{label}['{key}']", spec, case))
        return leaves
    return {path: _array_leaf(value, label, spec, case)}


def _dict_leaves(out, value, spec, case):
    if not isinstance(value, dict):
        fail(spec.name, case, f"output {out.name}: expected a dict, got {type_name(value)}",
             f"hint:   build it as {{'{out.fields[0]}': ..., ...}}")
    missing = [k for k in out.fields if k not in value]
    if missing:
        unknown = sorted(str(k) for k in value if k not in out.fields)
        fail(spec.name, case, f"output {out.name}: missing keys {missing}",
             f"expected keys: {list(out.fields)}; got: {sorted(map(str, value))}",
             "hint:   gradient names are 'd' + the forward name, e.g. 'dWax'" if unknown else
             f"hint:   add {missing[0]!r} to the dict you return: every key the docstring lists is needed")
    leaves = {}
    for k in out.fields:
        leaves.update(_field_leaves(value[k], f"{out.name}.{k}", f"output {out.name}['{k}']", spec, case))
    return leaves


def _record_leaves(out, value, spec, case):
    missing = [k for k in out.fields if not hasattr(value, k)]
    if missing:
        without = "" if value is None or len(missing) == len(out.fields) else f" without {missing}"
        fail(spec.name, case, f"output {out.name}: expected an object with fields {list(out.fields)}, "
             f"got {type_name(value)}{without}",
             "hint:   build the cache with the named tuple the docstring gives")
    leaves = {}
    for k in out.fields:
        leaves.update(_field_leaves(getattr(value, k), f"{out.name}.{k}", f"output {out.name}.{k}", spec, case))
    return leaves


def _steps_leaves(out, value, spec, case):
    steps = getattr(value, "step_caches", None)
    if not isinstance(steps, (list, tuple)) or not steps:
        fail(spec.name, case, f"output {out.name}: expected an object whose step_caches is a non-empty list "
             f"(one cache per time step), got {type_name(value)}",
             "hint:   append each step's cache to a list and wrap it in the named tuple")
    per_step = [_record_leaves(out, step, spec, case) for step in steps]
    leaves = {}
    for path in per_step[0]:
        parts = [step.get(path) for step in per_step]
        shapes = {np.shape(part) for part in parts}
        if any(part is None for part in parts) or len(shapes) != 1:
            fail(spec.name, case, f"output {path}: the steps hold different shapes {sorted(map(str, shapes))}",
                 "hint:   every step's cache must have the same fields and shapes")
        leaves[path] = np.stack(parts, axis=-1)  # (..., T_x)
    for k in out.extra:
        leaves.update(_field_leaves(getattr(value, k, None), f"{out.name}.{k}", f"output {out.name}.{k}", spec, case))
    return leaves


def flatten_outputs(named, spec, case):
    """Type-check the outputs and list every comparable leaf as {path: ndarray}."""
    leaves = {}
    for out in spec.outputs:
        value = named[out.name]
        if out.kind in ("array", "scalar"):
            leaves[out.name] = _array_leaf(value, f"output {out.name}", spec, case, scalar=out.kind == "scalar")
        elif out.kind == "dict":
            leaves.update(_dict_leaves(out, value, spec, case))
        elif out.kind == "record":
            leaves.update(_record_leaves(out, value, spec, case))
        elif out.kind == "steps":
            leaves.update(_steps_leaves(out, value, spec, case))
        else:
            raise ValueError(f"unknown output kind {out.kind!r} in the spec of {spec.name}")
    return leaves


def observe_spec(func, spec, case):
    """Observation of `func` on `case` as its spec describes the outputs (the default probe)."""
    check_callable(func, spec.name)
    pristine = copy.deepcopy(case.args)
    args = copy.deepcopy(case.args)
    kwargs = copy.deepcopy(case.kwargs)
    # the arrays the caller held before the call: for spec.same_arrays, rebinding d[k] to a new array is not
    # writing into the caller's array
    held = [dict(arg) if isinstance(arg, dict) else arg for arg in args]
    result = call_student(func, spec.name, case, args, kwargs)
    changed = changed_inputs(pristine, args, spec.inputs)
    named = split_outputs(result, spec, case)
    leaves = guarded(spec.name, case, flatten_outputs, named, spec, case)
    if not changed:  # an input changed in place is the graver bug: the judge reports that first
        _check_fresh(leaves, held, spec, case)
    # what the caller's inputs hold afterwards, for functions meant to change them
    for i, name in enumerate(spec.inputs):
        if name in spec.mutates:
            after = held[i] if spec.same_arrays else args[i]
            leaves.update(guarded(spec.name, case, _field_leaves, after, f"input {name}", f"input {name}", spec, case))
    return Observation(case.name, leaves, changed)


def _arrays_in(value):
    """Every ndarray held in an input (arrays, dicts, named tuples, lists of them)."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [array for item in value for array in _arrays_in(item)]
    return []


def _check_fresh(leaves, inputs, spec, case):
    """Fail when an output that must be new shares memory with an array the caller passed in."""
    held = _arrays_in(list(inputs))
    for name in spec.fresh:
        for path, leaf in leaves.items():
            if (path == name or path.startswith(name + ".")) and any(np.shares_memory(leaf, a) for a in held):
                fail(spec.name, case, f"output {path} is one of the caller's own input arrays, not a new one",
                     "hint:   return new arrays (g * scale, or g.copy() when nothing needs scaling): the caller "
                     "may change its inputs later")


def observe(observer, func, case, func_name=None):
    """Run an observer (func, case) -> Observation; a failure is recorded, never raised.

    A check's own error on something strange the student returned becomes a
    sentence too, never a grader traceback.
    """
    try:
        return observer(func, case)
    except CheckFailure as failure:
        return Observation(case.name, failure=str(failure))
    except Exception as err:  # a grader step choking on an odd value: say so, with the case
        return Observation(case.name, failure=message(func_name or getattr(func, "__name__", "function"), case,
                                                      f"the check could not use what your function returned "
                                                      f"({clean_error(err)})",
                                                      "hint:   compare the types and shapes you return with the "
                                                      "docstring"))


# --------------------------------------------------------------------------- transport


def _encode_array(array):
    shape = list(np.shape(array))  # before ascontiguousarray, which turns a 0-d array into shape (1,)
    array = np.ascontiguousarray(array)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot send an array of dtype {array.dtype}")
    return {"dtype": array.dtype.str, "shape": shape, "data": base64.b64encode(array.tobytes()).decode()}


def _decode_array(item):
    data = np.frombuffer(base64.b64decode(item["data"]), dtype=np.dtype(item["dtype"]))
    return data.reshape(item["shape"]).copy()


def encode(observations):
    """JSON-able list of observations (arrays exact to the bit)."""
    return [{"case": o.case, "failure": o.failure, "changed": list(o.changed),
             "leaves": {path: _encode_array(np.asarray(v)) for path, v in o.leaves.items()}} for o in observations]


def decode(items):
    """Observations from `encode`'s output; raises ValueError on anything malformed."""
    try:
        return [Observation(str(item["case"]), {str(p): _decode_array(v) for p, v in item["leaves"].items()},
                            [str(c) for c in item["changed"]],
                            None if item["failure"] is None else str(item["failure"])) for item in items]
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ValueError(f"malformed observation: {clean_error(err)}") from err
