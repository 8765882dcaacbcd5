"""What a graded function is: its cases, its outputs, its tolerances and its hints.

A *case* is one named, deterministic set of inputs. A *spec* says what the
function returns (so the probe can name and type-check every returned value),
how closely each value must match, which known bugs explain which wrong
outputs, and which properties must hold. Specs hold no expected values: those
come from a record (``graders.records``) or from a trusted oracle.
"""

from dataclasses import dataclass, field

# float64 numpy code: the same formula evaluated with other BLAS kernels or in
# another order differs by ~1e-15 relative per operation and by at most ~1e-12
# after the few dozen steps of any case here; every known bug moves values by
# more than 1e-4. 1e-7 absolute + 1e-6 relative sits between the two.
DEFAULT_ATOL = 1e-7
DEFAULT_RTOL = 1e-6
# Keras computes in float32 (machine epsilon 1.2e-7): outputs of a few layers
# agree with an oracle to ~1e-6; a wrong model differs by more than 1e-3.
FLOAT32_ATOL = 1e-5


@dataclass(frozen=True)
class Case:
    """One named, deterministic set of inputs for a graded function.

    name : shown in messages ("tiny", "single_example")
    dims : sizes shown in messages, e.g. {"n_x": 3, "n_a": 5, "m": 2}
    args, kwargs : what the student's function is called with; the probe
                   deep-copies them for every call
    data : settings the checks need but messages do not show (seeds, weights
           to inject, a temperature)
    """

    name: str
    dims: dict
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)

    def describe(self):
        sizes = ", ".join(f"{k}={v}" for k, v in self.dims.items())
        return f'case "{self.name}"' + (f" ({sizes})" if sizes else "")


@dataclass(frozen=True)
class Output:
    """One returned value of a graded function.

    kind : "array"  -- an ndarray compared entry by entry;
           "scalar" -- a number (Python or numpy) compared within tolerance;
           "dict"   -- a dict whose `fields` hold arrays (gradients);
           "record" -- an object whose `fields` are attributes (named-tuple caches);
                       a field holding a dict of arrays is compared key by key;
           "steps"  -- an object with a list `step_caches` whose items have the
                       attributes `fields`; each field is stacked over time into
                       one array (..., T_x); `extra` names attributes of the
                       object itself (e.g. "x") compared as arrays.
    """

    name: str
    kind: str = "array"
    fields: tuple = ()
    extra: tuple = ()


@dataclass(frozen=True)
class Property:
    """A property the outputs must have, checked after the values.

    check(leaves, case) -> None when it holds, else a sentence saying what is wrong
    (or a pair (sentence, hint) when the hint depends on what is wrong).
    `leaves` maps output paths ("yt_pred", "gradients.dWax") to arrays.
    """

    description: str
    check: object
    hint: str = ""


@dataclass(frozen=True)
class FunctionSpec:
    """What a graded function returns and how a wrong answer is explained.

    inputs : names of the positional arguments, in order (for messages about
             inputs changed in place)
    mutates : inputs the function is *meant* to change in place; every other
              input must come back unchanged; what a mutated input holds after
              the call is compared with the reference's
    same_arrays : a mutated dict must have its own arrays overwritten (np.clip(..., out=)),
                  not new arrays stored under its keys
    fresh : outputs that must be new arrays, sharing no memory with an input
            (the caller may change its inputs later)
    hints : {known-wrong variant name: text}; the variant whose recorded
            outputs the student's match names the bug
    pattern_hints : ((paths, text), ...): when exactly these outputs differ
                    (and no variant matched), show this text
    default_hint : shown when values differ and nothing above matched
    properties : Property items, checked after the values
    atol, rtol : |got - expected| <= atol + rtol * |expected|, per entry
    """

    name: str
    outputs: tuple
    inputs: tuple = ()
    mutates: tuple = ()
    same_arrays: bool = False
    fresh: tuple = ()
    hints: dict = field(default_factory=dict)
    pattern_hints: tuple = ()
    default_hint: str = ""
    properties: tuple = ()
    atol: float = DEFAULT_ATOL
    rtol: float = DEFAULT_RTOL

    def output_names(self):
        return [out.name for out in self.outputs]


def table_cases(table, build):
    """build_cases(suite, record=None) for GRADER.add from a case table {suite: {case name: entry}}: the Case
    build(name, entry) of every entry of the suite, in the table's order (the record is not used)."""

    def build_cases(suite, record=None):
        return [build(name, entry) for name, entry in table[suite].items()]

    return build_cases


def spread_table_cases(table, build):
    """table_cases for a builder that takes an entry's fields as its own arguments: build(name, *entry)."""
    return table_cases(table, lambda name, entry: build(name, *entry))
