"""Behaviour checks of samplers: functions that draw a sequence of indices from the generator they are given.

`number_list` / `index_list` check what a sampler returned; `seeded_draws` calls it with a step-limited
generator and again with a fresh one of the same seed (the draws must repeat); `SequenceSampler` declares the
whole check of a step-by-step sampler (a character-level name sampler, a decoder sampling a sentence): its
observation, the expected values for probe models whose outcome is known, the known bugs and their hints.
"""

from dataclasses import dataclass

import numpy as np

from graders import probe
from graders.behaviour import (LimitedGenerator, call_checked, expected_facts, expected_generator_facts, fact_leaves,
                               generator_facts, snapshot)
from graders.compare import outside_band, top2_margin
from graders.messages import fail, type_name


# --------------------------------------------------------------------------- a sampler of index sequences


def number_list(value, kinds, func_name, case, what, hint):
    """`value` when it is a list, tuple or 1-D array of numbers of a dtype kind in `kinds` ("iu": integers, "iuf":
    reals; a bool is neither), else a failure: "expected a list of {what}, got str" (or "list of tuple", ...)."""
    held = type_name(value)
    if isinstance(value, (list, tuple, np.ndarray)) and getattr(value, "ndim", 1):
        bad = [v for v in value if not isinstance(v, (int, float, np.number, np.ndarray)) or np.ndim(v)
               or np.asarray(v).dtype.kind not in kinds]
        if not bad:
            return value
        held = f"{type(value).__name__} of {type_name(bad[0])}"
    fail(func_name, case, f"expected a list of {what}, got {held}", f"hint:   {hint}")


def index_list(value, size, func_name, case, hint):
    """`value` as a list of ints when it is a list of integers (number_list) in 0..size-1, else a failure that
    says what is wrong ("expected a list of integer indices, got str", "index 7 is outside the vocabulary")."""
    number_list(value, "iu", func_name, case, "integer indices", hint)
    outside = [int(ix) for ix in value if not 0 <= ix < size]
    if outside:
        fail(func_name, case, f"index {outside[0]} is outside the vocabulary 0..{size - 1}")
    return [int(ix) for ix in value]


def int_leaves(values):
    """{path: int64 array} of {path: int or list of ints}: counts, lengths and indices, compared exactly."""
    return {path: np.asarray(value, dtype=np.int64) for path, value in values.items()}


def seeded_draws(func, spec, case, seed, calls, repeats, convert, limit, why):
    """(results, generator-fact leaves, names of inputs changed in place) of a function that must draw from the
    generator it is given, called `calls` times with one LimitedGenerator(seed, limit, why) (the limit is per
    call), then `repeats` times (at most `calls`) with a fresh one of the same seed, whose results must repeat
    the first ones (generator_facts). Each call gets fresh copies of case.args, then the generator, and
    case.kwargs; convert(result, case) checks and converts each result (e.g. with index_list)."""

    def run(count):
        rng, results, changed = LimitedGenerator(seed, limit, why), [], []
        for _ in range(count):
            rng.draws = 0  # the limit is per call
            result, changed_now = call_checked(func, spec, case, (*snapshot(case.args), rng), case.kwargs)
            results.append(probe.guarded(spec.name, case, convert, result, case))
            changed = changed or changed_now
        return results, rng.generator, changed

    results, generator, changed = run(calls)
    again = run(min(repeats, calls))[0]
    facts = generator_facts(generator, seed, results[:len(again)], again, same=probe.same_content)
    return results, fact_leaves(facts), changed


RUNAWAY_FACTOR = 10  # a sampler that draws more than 10 times its longest allowed sequence in one call never stops


@dataclass(frozen=True)
class SequenceSampler:
    """The behaviour checks of a function that samples a sequence of indices step by step (each drawn index fed
    back as the next input) until it draws the `stop` index, which it keeps as the last, or has max_length of
    them: a character-level name sampler, a decoder sampling a sentence. Declared once per graded function;
    the hints are written from its words, e.g. item "name", unit "character", stop_name "newline".

    vocabulary : the token of each index ("\\nabcd"), which a message shows as its repr, the stop as "the <stop_name>"
    default_length : the function's default max_length
    draws : how the function must draw with its generator (see generator_hint)
    index_hint : shown when a call returns anything but a list of indices in the vocabulary
    repeats : sequences drawn again with a fresh generator of the same seed (the draws must repeat)

    Probe models make the outcomes known: one that spells a path with certainty (expected's `path`), one
    that never draws the stop (`capped`), one whose first two indices follow known probabilities
    (first_two_probabilities, first_two_check).
    """

    vocabulary: object
    stop: int
    default_length: int
    draws: str
    index_hint: str
    item: str = "sequence"
    unit: str = "token"
    stop_name: str = "stop"
    repeats: int = 20

    @property
    def labels(self):
        """How a message names each index: "'a'", and "the newline" for the stop."""
        return [f"the {self.stop_name}" if i == self.stop else repr(token) for i, token in enumerate(self.vocabulary)]

    @property
    def first_path(self):
        """Leaf path of the first sequence drawn ("first_name")."""
        return f"first_{self.item}"

    @property
    def inside_path(self):
        """Leaf path of the number of sequences holding the stop before their end ("newline_inside")."""
        return f"{self.stop_name}_inside"

    def leaves(self, sequences, max_length):
        """int64 leaves of the sequences drawn (lists of indices): the first one; how many are too long, hold the
        stop before their end, or end early without it ("unfinished"); the longest and the shortest length;
        "first_two" (V, V + 1): how many began with index i then j (column V: ended after one index)."""
        size, lengths = len(self.labels), [len(s) for s in sequences]
        first_two = np.zeros((size, size + 1), dtype=np.int64)
        for s in sequences:
            if s:
                first_two[s[0], s[1] if len(s) > 1 and s[0] != self.stop else size] += 1
        return int_leaves({self.first_path: sequences[0], "too_long": sum(n > max_length for n in lengths),
                           self.inside_path: sum(self.stop in s[:-1] for s in sequences),
                           "unfinished": sum(len(s) < max_length and s[-1:] != [self.stop] for s in sequences),
                           "longest": max(lengths), "shortest": min(lengths), "first_two": first_two})

    def observe(self, func, spec, case, seed, count, max_length):
        """The Observation of `count` sequences drawn with one generator of `seed` (seeded_draws; a call that draws
        more than RUNAWAY_FACTOR times the longest allowed sequence fails): their leaves() and generator facts."""

        def indices(result, case):
            return index_list(result, len(self.labels), spec.name, case, self.index_hint)

        limit = RUNAWAY_FACTOR * max(max_length, self.default_length)
        sequences, facts, changed = seeded_draws(func, spec, case, seed, count, self.repeats, indices, limit,
                                                 "is the max_length cap missing?")
        leaves = probe.guarded(spec.name, case, self.leaves, sequences, max_length)
        return probe.Observation(case.name, leaves | facts, changed)

    def expected(self, max_length, path=None, capped=False):
        """(expected leaves, {hint: leaves of a known bug}) of observe() for expect(): the generator facts first (a
        re-seeded generator explains any other difference), then no sequence too long, with the stop inside or
        unfinished; with `path` (a model that spells these indices, the stop last, with certainty) the first
        sequence, against the bugs that repeat its first index or go on after the stop; `capped` (a model that
        never draws the stop): every length max_length, against one short and the default length."""
        expected, bugs = expected_facts(expected_generator_facts(self.draws))
        expected |= int_leaves({"too_long": 0, self.inside_path: 0, "unfinished": 0})
        m, unit, stop = max_length, self.unit, self.stop_name
        if path is not None:
            expected |= int_leaves({self.first_path: path})
            bugs[f"the same {unit} every step: feed the drawn {unit} back as the next input x"] = \
                int_leaves({self.first_path: path[:1] * m})
            bugs[f"the {self.item} goes on after the {stop}: stop as soon as the {stop} index is drawn"] = \
                int_leaves({self.first_path: (path * m)[:m]})
        if capped:
            expected |= int_leaves({"longest": m, "shortest": m})
            bugs[f"the {self.item}s are one {unit} short of max_length: the loop must allow exactly max_length "
                 f"draws"] = int_leaves({"longest": m - 1, "shortest": m - 1})
            bugs[f"the {self.item}s have {self.default_length} {unit}s whatever max_length says: stop at the "
                 f"max_length argument"] = int_leaves({"longest": self.default_length, "shortest": self.default_length})
        return expected, bugs

    @property
    def pattern_hints(self):
        """FunctionSpec.pattern_hints for the leaves of leaves(): which rule of a stopped sequence is broken."""
        stop, unit = self.stop_name, self.unit
        cap = f"every {self.item} that draws no {stop} must have exactly max_length {unit}s"
        return (((self.inside_path,), f"stop as soon as the {stop} index is drawn, and keep it as the last index"),
                (("unfinished",), f"a {self.item} that stops before max_length {unit}s must end with the {stop}'s "
                                  f"index: keep the {stop}, and the loop must allow exactly max_length draws"),
                (("too_long",), f"stop once max_length {unit}s have been drawn"),
                *((paths, cap) for paths in (("longest", "shortest"), ("longest",), ("shortest",))))

    def first_two_probabilities(self, next_probabilities, max_length):
        """P(first index i, then j), (V, V + 1), of a model whose next_probabilities(prefix) -> (V,) is the
        distribution of the index drawn after the indices `prefix`; column V: the sequence ends after one."""
        first = next_probabilities([])
        size = len(first)
        joint = np.zeros((size, size + 1))
        for i in range(size):
            if i == self.stop or max_length == 1:
                joint[i, size] = first[i]
            else:
                joint[i, :size] = first[i] * next_probabilities([i])
        return joint

    def first_two_check(self, probabilities, n_name, hints):
        """check(leaves, case) of a Property: the first indices, then the first two, of the case.dims[n_name]
        sequences are as frequent as probabilities(case) (first_two_probabilities) says, within the Bernstein
        tolerance of each count (graders.compare.outside_band). hints: (for the first, for the first two)."""
        second = [*self.labels, f"no second {self.unit}"]
        pairs = [f"{first} then {then}" for first in self.labels for then in second]

        def check(leaves, case):
            n, counts, p = case.dims[n_name], leaves["first_two"], probabilities(case)
            levels = ((f"first {self.unit}s", self.labels, counts.sum(axis=1), p.sum(axis=1), hints[0]),
                      (f"first two {self.unit}s", pairs, counts.ravel(), p.ravel(), hints[1]))
            for what, labels, got, want, hint in levels:
                outside = outside_band(got, n, want)
                if outside:
                    w, band = outside
                    return f"{what}: {labels[w]} began {got[w]} of {n} {self.item}s, {band}", hint
            return None

        return check

    @staticmethod
    def path_margin(next_probabilities, path):
        """How certain a model that spells `path` is: the smallest gap between the log-probabilities of the best
        and the second-best index at each step (graders.compare.top2_margin), for Graded.margin."""
        return min(top2_margin(np.log(next_probabilities(path[:k]))) for k in range(len(path)))
