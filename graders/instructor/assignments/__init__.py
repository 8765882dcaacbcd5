"""One declaration per assignment of everything the instructor side knows about it.

Each module here (named like the notebook: rnn_step_by_step.py) declares

- MUTANTS: {function: {variant: Mutant}} -- known-wrong implementations, the
  bugs students really make, as small text edits of the reference solution
  (no solution code is duplicated: `solutions.load_solutions(..., mutant=...)`
  applies the edit and runs the result). A variant's name is the key of the
  hint its check must show, unless `expect` gives the text;
- CLASS_BUG: (function, variant) -- the bug the class test submits, in a
  function no other graded function calls, so exactly its points are lost;
- BENCH_METRICS: [Metric] -- the quality numbers `make bench` reads from the
  notebook, beside their targets (docs/design.md, "Performance budget").

Points and grade ids come from the notebook's nbgrader metadata, the graded
functions from the public graders module's GRADER: nothing is typed twice,
and a new notebook needs no edit of a table in tests/.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """Replace `old` by `new` (exactly once) in the solution cell of the graded function.

    expect : text the failure message must contain; default: the spec's hint
             for this variant.
    category : what kind of bug it is (values, in_place, ignored_argument,
               degenerate, structure), for the per-category counts.
    """

    old: str
    new: str
    expect: str = None
    category: str = "values"


@dataclass(frozen=True)
class Metric:
    """A quality number read from a notebook variable, with its target (docs/design.md, "Performance budget").

    expression : evaluated in the notebook's namespace after it ran
    target : the target as text, shown by `make bench` beside the value
    meets : callable(value, values by label) -> bool
    """

    label: str
    expression: str
    target: str
    meets: object
