"""The graded functions of one notebook, and the one entry point every test cell calls.

``GRADER.check(func_name, func, suite)`` behaves in one of two ways:

- **In a student's JupyterLab** (the default): the public cases are probed
  and judged right there, and a failure is raised as CheckFailure with its
  message. Public expected values are public anyway. The hidden line of a
  test cell (only in the instructor's source notebook) prints a note and
  returns: hidden cases are judged only at autograde time.
- **While autograding** (the grading kernel sets COURSE_GRADING_MODE=probe):
  the cases of the suite are only probed, and the observations are attached
  to the cell's outputs (MIME type OBSERVATION_MIME). Nothing is compared and
  nothing is raised. A separate judge process (graders/instructor/judge.py)
  reads them, compares them with the public and hidden records or with a
  trusted oracle, and alone decides the score. No hidden expected value, no
  hidden record and no path to one is loaded into the student's kernel, so
  patching a check or numpy inside the kernel changes nothing. A missing,
  duplicated or malformed observation fails the cell.

What the judge can and cannot rule out. Public values could be forged by a
student who prints the right observation. For a record-based function the
hidden expected outputs come from the reference solution, which students never
receive, so forging them takes a correct implementation. For an oracle- or
behaviour-graded function (Keras models, samplers, loops) the expected
observations follow from public code, so the kernel's observations are not
used at all: the judge runs the probes itself, in a sandboxed process holding
only the grading code, the instructor's setup cells and the submission's
solution cells (graders/instructor/reprobe.py), which no other cell of the
notebook can reach; docs/grading.md says what its guards watch and what
remains possible.

A graded function is either *record-based* (expected outputs recorded from the
reference solution by `make references`) or *oracle-based* (`expect(case)`
computes the expected outputs with a trusted implementation, e.g. a
keras.layers layer, and the outputs of known bugs to name them).
"""

import copy
import functools
import os
from dataclasses import dataclass

from graders import judge, probe, records
from graders.compare import matches
from graders.messages import CheckFailure, fmt_preview

SUITES = ("public", "hidden")
MODE_ENV_VAR = "COURSE_GRADING_MODE"
PROBE_MODE = "probe"
OBSERVATION_MIME = "application/vnd.sequence-models.observations+json"
OBSERVATION_VERSION = 1
# float32 scores of two computations of the same model differ by ~1e-6; a top-2
# gap of 1e-3 leaves a factor of 1000 before an argmax could flip
MIN_MARGIN = 1e-3
PREVIEW_OUTPUTS = 6  # a quick look of an unfinished exercise lists this many expected outputs


def probe_mode():
    """True inside the grading kernel: observe only, the judge decides elsewhere."""
    return os.environ.get(MODE_ENV_VAR, "") == PROBE_MODE


@dataclass
class Graded:
    """One graded function.

    build_cases(suite, public_record) -> [Case]; the public record holds the
        fixtures (inputs recorded from reference runs, e.g. caches)
    observe(func, case) -> Observation; default: call with the case's inputs
        and flatten the outputs as the spec says (graders.probe.observe_spec)
    expect(case) -> (expected leaves, {hint: leaves of a known bug}); None
        for a record-based function
    margin(case) -> float: for a check that compares discrete outcomes
        (argmax, tags, sampled indices) exactly, the smallest gap between the
        best and the second-best score behind any of them; a test asserts it
        is at least MIN_MARGIN for every case, so the same choice comes out
        on every CPU
    """

    spec: object
    build_cases: object
    observe: object = None
    expect: object = None
    margin: object = None

    def observer(self):
        if self.observe is not None:
            return self.observe
        return functools.partial(_observe_with_spec, spec=self.spec)


def _observe_with_spec(func, case, spec):
    return probe.observe_spec(func, spec, case)


@dataclass
class Fixture:
    """Inputs recorded from a reference run: build_cases(suite) -> [Case] for the function func_name."""

    name: str
    func_name: str
    build_cases: object


class Assignment:
    """The graded functions of one notebook, in the order the notebook teaches them.

    A grader module declares `GRADER = Assignment.of_module(__name__)`, its functions with `GRADER.add`, and
    exports one entry point per graded function, `check_<name> = GRADER.checker("<name>")`, plus
    `preview = GRADER.preview` and `sample_inputs = GRADER.sample_inputs` for the quick looks.
    """

    def __init__(self, name):
        self.name = name
        self.graded = {}
        self.fixtures = {}
        self._public_record = None
        self._oracle_answers = {}

    @classmethod
    def of_module(cls, module_name):
        """The assignment of grader module `module_name` (graders.emojify -> "07_emojify"): its name is that of
        its public record (graders/references/07_emojify.npz) or, before the first `make references`, of its
        notebook folder (notebooks/07_emojify/)."""
        short = module_name.rsplit(".", 1)[-1]
        pattern = f"[0-9][0-9]_{short}"
        found = {p.stem for p in records.PUBLIC_RECORD_DIR.glob(pattern + ".npz")}
        found |= {p.name for p in (records.PUBLIC_RECORD_DIR.parents[1] / "notebooks").glob(pattern) if p.is_dir()}
        if len(found) != 1:
            raise LookupError(f"no single assignment named NN_{short} (found {sorted(found)}): add its notebook "
                              f"folder notebooks/NN_{short}/ and run `make references`")
        return cls(found.pop())

    # ------------------------------------------------------------------ declaring

    def add(self, spec, build_cases, observe=None, expect=None, margin=None):
        self.graded[spec.name] = Graded(spec, build_cases, observe, expect, margin)

    def add_fixture(self, name, func_name, build_cases):
        """Record func_name's reference outputs on build_cases(suite) as inputs for later cases (public)."""
        self.fixtures[name] = Fixture(name, func_name, build_cases)

    # ------------------------------------------------------------------ cases and expectations

    def public_record(self):
        if self._public_record is None:
            self._public_record = records.load_record(self.name)
        return self._public_record

    def cases(self, func_name, suite, public_record=None):
        """The cases of one suite; a backward pass's cases read their caches from the public record."""
        if suite not in SUITES:
            raise ValueError(f"suite must be one of {SUITES}, got {suite!r}")
        record = self.public_record() if public_record is None else public_record
        return self.graded[func_name].build_cases(suite, record)

    def judging_record(self, record):
        """The record cases are built from when judging `record`'s suite: the public record, plus the hidden
        one's arrays for hidden cases (a case may keep what the judge alone knows, such as a hidden answer,
        in case.data; the student's kernel builds the same case without it)."""
        if record is None or record.suite == "public":  # None: cases from the public record alone
            return record
        return records.Record({**self.public_record().arrays, **record.arrays}, self.name, record.suite)

    def expectation(self, func_name, case, record):
        """(expected leaves, {hint: known-bug leaves}) of one case, from the oracle or from `record`."""
        graded = self.graded[func_name]
        if graded.expect is not None:  # an oracle's answer depends on the case alone: compute it once
            key = (func_name, case.name)  # case names are unique across suites (a test asserts it)
            if key not in self._oracle_answers:
                self._oracle_answers[key] = graded.expect(case)
            return self._oracle_answers[key]
        spec = graded.spec
        bugs = {spec.hints[variant]: outputs for variant, outputs in record.wrong_outputs(func_name, case.name).items()
                if variant in spec.hints}
        return record.expected_leaves(func_name, case.name), bugs

    def observe_all(self, func_name, func, suite):
        observer = self.graded[func_name].observer()
        return [probe.observe(observer, func, case, func_name) for case in self.cases(func_name, suite)]

    def judge(self, func_name, suite, observations, record, cases=None):
        """First failure message over the suite's cases (None = all pass).

        Every case needs exactly one observation; anything else fails.
        """
        spec = self.graded[func_name].spec
        cases = self.cases(func_name, suite, self.judging_record(record)) if cases is None else cases
        by_case = {}
        for observation in observations:
            by_case.setdefault(observation.case, []).append(observation)
        for case in cases:
            found = by_case.get(case.name, [])
            if len(found) != 1:
                return (f"{func_name}: the {suite} case {case.name!r} was observed {len(found)} times, expected once; "
                        f"run the test cell as it was given, once")
            expected, bugs = self.expectation(func_name, case, record)
            failure = judge.judge_case(spec, case, found[0], expected, bugs, hidden=suite != "public")
            if failure:
                return failure
        extra = sorted(set(by_case) - {case.name for case in cases})
        if extra:
            return f"{func_name}: observations of unknown {suite} cases {extra}"
        return None

    # ------------------------------------------------------------------ test cells

    def checker(self, func_name):
        """The test cell's entry point for func_name: check_<func_name>(func, suite="public") (see `check`)."""

        def check(func, suite="public"):
            return self.check(func_name, func, suite)

        check.__name__ = check.__qualname__ = f"check_{func_name}"
        check.__doc__ = (f"Graded check of {func_name} on the {self.name} cases of `suite`: raises CheckFailure "
                         f"with the first failure, prints a line when every case passes.")
        return check

    def check(self, func_name, func, suite="public"):
        """The graded test cell of `func_name` (see the module docstring for the two modes)."""
        # returns None on purpose: nbgrader reads a number left as a test cell's
        # output as partial credit, so a check must never return one
        if suite not in SUITES:
            raise ValueError(f"suite must be one of {SUITES}, got {suite!r}")
        if probe_mode():
            self._emit(func_name, suite, self.observe_all(func_name, func, suite))
            return None
        if suite == "hidden":
            print(f"{func_name}: hidden cases are judged when the instructor autogrades")
            return None
        probe.check_callable(func, func_name)
        observations = self.observe_all(func_name, func, suite)
        failure = self.judge(func_name, suite, observations, self.public_record())
        if failure:
            raise CheckFailure(failure)
        print(f"{func_name}: all {len(observations)} public cases passed")
        return None

    def _emit(self, func_name, suite, observations):
        from IPython.display import display

        encoded = []
        for observation in observations:
            try:
                encoded.extend(probe.encode([observation]))
            except (TypeError, ValueError) as err:  # a value the transport cannot carry fails its case
                encoded.extend(probe.encode([probe.Observation(observation.case, failure=(
                    f"{func_name} failed on case {observation.case!r}\n  a returned value cannot be graded "
                    f"({err})\n  hint:   return numbers in numpy arrays, as the docstring says"))]))
        payload = {"version": OBSERVATION_VERSION, "assignment": self.name, "function": func_name,
                   "suite": suite, "observations": encoded}
        display({OBSERVATION_MIME: payload, "text/plain": f"{func_name}: {len(observations)} {suite} cases "
                                                          f"observed for the judge"}, raw=True)

    # ------------------------------------------------------------------ quick looks

    def sample_inputs(self, func_name):
        """Copies of the inputs of the first public case, for experiments in a notebook."""
        return copy.deepcopy(self.cases(func_name, "public")[0].args)

    def preview(self, func_name, func):
        """Quick look at the first public case, never raising on a student's error: the outputs that
        differ, yours beside the expected ones, then the names of those that match."""
        case = self.cases(func_name, "public")[0]
        spec = self.graded[func_name].spec
        observation = probe.observe(self.graded[func_name].observer(), func, case, func_name)
        expected, _ = self.expectation(func_name, case, self.public_record())
        if observation.failure:
            lines = observation.failure.split("\n")
            print(f"{func_name}: " + lines[1].strip() if len(lines) > 1 else lines[0])
            print(f"Expected output on {case.describe()}:")
            for path, value in list(expected.items())[:PREVIEW_OUTPUTS]:
                print(f"  {path:<20} {fmt_preview(value)}")
            return
        print(f"{func_name} on {case.describe()}:")
        same = []
        for path, value in expected.items():
            got = observation.leaves.get(path)
            if got is not None and matches(got, value, spec.atol, spec.rtol):
                same.append(path)
                continue
            print(f"  {path:<20} yours    {'(missing)' if got is None else fmt_preview(got)}")
            print(f"  {'':<20} expected {fmt_preview(value)}")
        if same:
            print(f"  as expected: {_short_list(same)}")


def _short_list(paths, group_from=4):
    """Paths joined by commas; `group_from` or more siblings ("cache.parameters.Wf", ...) shown as one group."""
    groups = {}
    for path in paths:
        groups.setdefault(path.rsplit(".", 1)[0] if "." in path else path, []).append(path)
    shown = []
    for path in paths:
        parent = path.rsplit(".", 1)[0] if "." in path else path
        siblings = groups[parent]
        if len(siblings) < group_from:
            shown.append(path)
        elif path == siblings[0]:
            shown.append(f"{parent}.* ({len(siblings)} arrays)")
    return ", ".join(shown)
