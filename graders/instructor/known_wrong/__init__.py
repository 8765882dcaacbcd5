"""Known-wrong implementations: the bugs students really make, one module per assignment.

Each variant is a small text edit of the reference solution (old -> new), so
no solution code is duplicated: `solutions.load_solutions(..., mutant=...)`
applies the edit and executes the result. The variant's name is the key of
the hint its checks must show.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """Replace `old` by `new` (exactly once) in the solution cell of the graded function.

    expect : text the failure message must contain; default: the spec's hint
             for this variant.
    """

    old: str
    new: str
    expect: str = None
