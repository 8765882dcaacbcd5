"""The judge: decide whether observations (graders.probe) match what was expected.

Judging needs the observation of a case and its expectation: the expected
leaves {path: array} plus the leaves of known bugs {hint: {path: array}}, from
a record or from a trusted oracle. It never runs student code, so it can run
in a process the student's code cannot reach (graders/instructor/judge.py
does that at autograde time); in a student's own JupyterLab the same function
judges the public cases inside the kernel.

Order of the verdict: the failure the probe met (not callable, stub, error,
arity, type) -> inputs changed in place (often the cause of wrong values) ->
every output that differs (listed with its error, then the first differing
entry of the first one, then the hint that explains the pattern) -> properties.
"""

from graders.compare import compare_leaves, matching_variant
from graders.messages import clean_error, hint_line, message

STRUCTURAL = ("missing", "dtype", "shape", "nonfinite")
LINE_WIDTH = 96  # the list of differing outputs wraps here, to stay readable in a notebook cell


def choose_hint(observed, differences, spec, bug_outputs):
    """The hint for a wrong answer: a known bug the outputs match, else the pattern of differing outputs, else the default."""
    hint = matching_variant(observed, bug_outputs, spec.atol, spec.rtol)
    if hint:
        return hint
    differing = {d.path for d in differences}
    for paths, text in spec.pattern_hints:
        if differing == set(paths):
            return text
    return spec.default_hint


def _wrapped(label, items):
    """`label` then the items joined by commas, wrapped at LINE_WIDTH without splitting an item."""
    lines, line = [], label
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if line.strip() and len(line) + len(piece) + 1 > LINE_WIDTH and line != label:
            lines.append(line.rstrip())
            line = " " * len(label)
        line += piece + " "
    return lines + [line.rstrip()]


def _difference_message(spec, case, observed, differences, bug_outputs):
    differences = sorted(differences, key=lambda d: d.kind not in STRUCTURAL)  # structure first
    lines = []
    if len(differences) > 1:
        lines.extend(_wrapped("outputs that differ: ", [f"{d.path} ({d.summary})" for d in differences]))
    lines.extend(differences[0].details)
    if not any(line.startswith("hint:") for line in differences[0].details):
        lines.append(hint_line(choose_hint(observed, differences, spec, bug_outputs)))
    return message(spec.name, case, *lines)


def judge_case(spec, case, observation, expected, bug_outputs, hidden=False):
    """None when the observation of `case` passes, else the student-facing failure message.

    expected : {path: array} the correct outputs
    bug_outputs : {hint text: {path: array}} outputs of known bugs on this case
    hidden : never print an expected value (the case is hidden)
    """
    if observation.failure:
        return observation.failure
    unexpected = [name for name in observation.changed if name not in spec.mutates]
    if unexpected:
        names = ", ".join(unexpected)
        return message(spec.name, case, f"your function changed its input {names} in place; the caller's "
                       f"values must stay as they were",
                       "hint:   build new arrays (x = x + ..., np.zeros(...)) instead of writing into the "
                       "arguments (+=, [:] =, out=)")
    differences = compare_leaves(observation.leaves, expected, spec.atol, spec.rtol, hidden)
    if differences:
        return _difference_message(spec, case, observation.leaves, differences, bug_outputs)
    for prop in spec.properties:
        try:
            problem = prop.check(observation.leaves, case)
        except Exception as err:  # a property choking on a strange value: say so, never crash the judge
            problem = (f"the check could not use what your function returned ({clean_error(err)})",
                       "compare the types and shapes you return with the docstring")
        problem, hint = problem if isinstance(problem, tuple) else (problem, prop.hint)
        if problem:
            if hidden:  # the details quote values the hidden case expects
                problem = "it does not hold on this hidden case (the details of a hidden case are not shown)"
            return message(spec.name, case, f"property: {prop.description}", f"problem: {problem}", hint_line(hint))
    return None
