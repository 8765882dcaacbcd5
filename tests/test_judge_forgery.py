"""Forging a behaviour-graded function earns nothing: the judge's own run of the probes decides.

A function graded by behaviour is judged on observations the judge makes
itself, in a sandboxed process holding only the kit's grading code, the
instructor's setup cells and the submission's solution cells
(graders/instructor/reprobe.py). Each attack below is what a determined
student would write, every name of the grading machinery built at run time
so the text scan sees nothing:

- in an ordinary cell of the notebook, replace the observation step of every
  behaviour-graded function with one that reports the trusted oracle's own
  answer, while the functions stay stubs (FORGER). It earned full marks
  before the judge ran the probes itself; now the judge's run calls the stubs;
- inside a solution cell, where the judge's run does execute it: replace the
  probe's Observation class, patch numpy, blind the line counter, walk the
  interpreter's frames or its object graph, or write forged result lines.
  The guards of the judge's run (graders/instructor/reprobe_runner.py) see
  each one, and every function probed after it scores 0.

The reference solutions keep full marks (test_pipeline validates every source
notebook through the same judge).
"""

import json
import re

import nbformat
import pytest

from graders.assignment import SUITES
from graders.instructor import judge, pipeline, reprobe, sandbox, solutions

from conftest import ASSIGNMENTS
from test_pipeline import _submission, _submit, points, release_path

BEHAVIOUR_ASSIGNMENTS = [a for a in ASSIGNMENTS if reprobe.behaviour_functions(a)]
CHEAP = "05_word_vectors"  # numpy only: the judge's run takes seconds
# the notebooks autograded with the kernel forger (a whole notebook run each, so not all of them: the kernel's
# cells never reach the judge's run whatever the notebook, and every behaviour-graded function of every
# notebook meets the solution-cell forger in its own sandbox below)
KERNEL_FORGERY = [a for a in ("02_dinosaur_names", "03_jazz_improvisation", "04_gru_deep_bidirectional",
                              "05_word_vectors", "06_word2vec", "07_emojify", "09_nmt_attention")
                  if a in BEHAVIOUR_ASSIGNMENTS]
needs_sandbox = pytest.mark.skipif(sandbox.isolation_problem() is not None,
                                   reason=f"no sandbox here: {sandbox.isolation_problem()}")

# What both forgers share: the observation a passing function would give, from the oracle's expected leaves
# (graded.expect, public code), or for the functions judged by properties, the answer computed outside the
# (stub) function. Every name of the grading machinery is built at run time.
_FORGE = r'''
import importlib as _il, sys as _sys
_np = _il.import_module("num" + "py")
_probe = _il.import_module("gra" + "ders." + "pro" + "be")
_Obs = getattr(_probe, "Obs" + "ervation")
_graders = [m for k, m in list(_sys.modules.items()) if k.startswith("gra" + "ders.") and hasattr(m, "GRA" + "DER")]

def _analogy(case):
    a, b, c, w2i, i2w, E = case.args
    t = E[w2i[b]] - E[w2i[a]] + E[w2i[c]]
    s = (E @ t) / (_np.linalg.norm(E, axis=1) * _np.linalg.norm(t) + 1e-300)
    for w in (a, b, c):
        s[w2i[w]] = -_np.inf
    return {"answer": _np.int64(int(_np.argmax(s))), "python_lines": _np.int64(0)}

def _equalize(case):
    e1, e2, g = case.args
    gh = g / _np.linalg.norm(g)
    mu = (e1 + e2) / 2
    nu = mu - (mu @ gh) * gh
    out = {}
    for key, e in (("e1", e1), ("e2", e2)):
        d = (e @ gh) * gh - (mu @ gh) * gh
        out[key] = nu + _np.sqrt(abs(1 - nu @ nu)) * d / _np.linalg.norm(d)
    return out

def _forged_leaves(graded, name, mod, case):
    leaves = dict(graded.expect(case)[0]) if graded.expect is not None else {}
    if name == "complete_analogy":
        leaves = _analogy(case)
    elif name == "equalize":
        leaves = _equalize(case)
    elif name == "sample":
        p = getattr(mod, "first_two_" + "probabilities")(case.args[0], case.data["max_length"])
        leaves["first_two"] = _np.rint(case.dims["names"] * p)
    return leaves

def _behaviour():
    for mod in _graders:
        G = getattr(mod, "GRA" + "DER")
        for name, graded in getattr(G, "gra" + "ded").items():
            if graded.observe is not None or graded.expect is not None:
                yield G, mod, name, graded
'''

# An ordinary cell that replaces the observation step of every behaviour-graded function by the forgery.
FORGER = _FORGE + r'''
def _forger(graded, name, mod):
    return lambda func, case: _Obs(case.name, _forged_leaves(graded, name, mod, case), [])

for _G, _mod, _name, _graded in _behaviour():
    setattr(_graded, "obs" + "erve", _forger(_graded, _name, _mod))
'''

# Attacks placed in a solution cell, so the judge's own run executes them; the other solution cells are the
# released stubs (for "line_counter": the reference, and a complete_analogy that loops over the words).
IN_CELL_ATTACKS = {
    # every Observation the probe makes becomes the forgery: the oracle's leaves, never a failure
    "observation_class": _FORGE + '''
_cases = {}
for _G, _mod, _name, _graded in _behaviour():
    for _suite in ("public", "hidden"):
        for _case in _G.cases(_name, _suite):
            _cases[_case.name] = (_graded, _name, _mod, _case)
class _Forged(_Obs):
    def __init__(self, case, leaves=None, changed=None, failure=None):
        if case in _cases:
            leaves, failure = _forged_leaves(*_cases[case]), None
        super().__init__(case, dict(leaves or {}), [], failure)
for _m in [_probe] + _graders:
    setattr(_m, "Obs" + "ervation", _Forged)
''',
    # numpy's comparisons and norms
    "numpy": '''
import importlib as _il
_np = _il.import_module("num" + "py")
setattr(_np, "all" + "close", lambda *a, **k: True)
setattr(getattr(_np, "lin" + "alg"), "no" + "rm", lambda *a, **k: 1.0)
''',
    # the graded function blinds the probe's line counter, then loops over the vocabulary
    "line_counter": '''
import sys as _sys
def complete_analogy(word_a, word_b, word_c, word_to_index, index_to_word, E):
    import numpy as np
    getattr(_sys, "set" + "trace")(None)
    t = E[word_to_index[word_b]] - E[word_to_index[word_a]] + E[word_to_index[word_c]]
    best, best_word = -np.inf, None
    for i, w in enumerate(index_to_word):
        if w in (word_a, word_b, word_c):
            continue
        s = E[i] @ t / (np.linalg.norm(E[i]) * np.linalg.norm(t))
        if s > best:
            best, best_word = s, w
    return best_word
''',
    # the interpreter's frames: from the student's call up to the runner, to reach its locals
    "frames": '''
_inspect = __import__("ins" + "pect")
def _climb():
    frame = _inspect.currentframe()
    while frame is not None:
        frame = frame.f_back
_climb()
''',
    # the object graph: find the probe's captured observers through gc
    "object_graph": '''
_gc = __import__("g" + "c")
_found = [o for o in _gc.get_objects() if type(o).__name__ == "Gra" + "ded"]
''',
    # forged result lines written to every descriptor the process may hold
    "forged_result": '''
import json as _json, os as _os
_line = _json.dumps({"version": 1, "nonce": "0" * 32, "function": "complete_analogy",
                     "observations": {"public": [], "hidden": []}}) + "\\n"
for _fd in range(3, 64):
    try:
        _os.write(_fd, _line.encode())
    except OSError:
        pass
''',
}
# what each attack must leave in the judge's message (None: the stub's own failure, as for any stub)
EXPECTED = {"observation_class": "tampering detected", "numpy": "tampering detected",
            "line_counter": "tampering detected", "frames": "tampering detected",
            "object_graph": "tampering detected", "forged_result": "still the stub"}


def _with_cells(assignment, attack="", stub=True, last=False):
    """The source notebook with its solution cells replaced by stubs (or kept), and `attack` put at the top
    of the first solution cell (last: at the end of the last one)."""
    nb = nbformat.read(solutions.notebook_path(assignment), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and solutions.nbgrader_meta(c).get("solution")]
    for cell in cells:
        if stub:
            names = re.findall(r"^def (\w+)\(", cell.source, re.M)
            cell.source = "\n".join(f"def {name}(*args, **kwargs):\n    raise NotImplementedError()\n"
                                    for name in names)
    if last:
        cells[-1].source += "\n" + attack
    else:
        cells[0].source = attack + "\n" + cells[0].source
    return nb


def _judged(assignment, reprobed):
    """{function: (passed, message)} of the judge's run alone."""
    grader = solutions.grader_module(assignment).GRADER
    records = judge.suite_records(assignment)
    verdicts = {}
    for func_name in reprobe.behaviour_functions(assignment):
        found, failure = reprobe.observations(reprobed, func_name)
        if failure is None:
            for suite in SUITES:
                failure = grader.judge(func_name, suite, found[suite], records[suite])
                if failure:
                    break
        verdicts[func_name] = (failure is None, failure)
    return verdicts


def _reprobe(assignment, nb, isolate=False, tmp_path=None):
    kit = solutions.REPO_ROOT
    if isolate:
        from graders.instructor import grading_kit

        kit = tmp_path / "kit"
        grading_kit.build(kit)
    return reprobe.run(reprobe.request(assignment, nb), kit, solutions.REPO_ROOT, sandbox.Limits(wall_s=300),
                       isolate=isolate)


# --------------------------------------------------------------------------- the judge's run itself


def test_the_request_holds_the_instructors_setup_and_only_the_solution_cells():
    nb = _with_cells(CHEAP, stub=True)
    nb.cells.insert(1, nbformat.v4.new_code_cell(FORGER))
    request = reprobe.request(CHEAP, nb)
    assert request["setup"] == solutions.setup_sources(CHEAP)
    assert request["functions"] == reprobe.behaviour_functions(CHEAP) == ["complete_analogy", "equalize"]
    assert not any(FORGER in source for _, source in request["cells"])
    solution_count = sum(1 for c in nb.cells if solutions.nbgrader_meta(c).get("solution"))
    assert len(request["cells"]) == solution_count > 0
    assert reprobe.request("01_rnn_step_by_step", nb) is None  # graded by record only: no run needed


@pytest.mark.slow
def test_the_reference_passes_the_judges_run():
    verdicts = _judged(CHEAP, _reprobe(CHEAP, _with_cells(CHEAP, stub=False)))
    assert verdicts and all(passed for passed, _ in verdicts.values()), verdicts


@pytest.mark.slow
@pytest.mark.parametrize("attack", sorted(IN_CELL_ATTACKS))
def test_tampering_inside_a_solution_cell_scores_zero(attack):
    nb = _with_cells(CHEAP, IN_CELL_ATTACKS[attack], stub=attack != "line_counter", last=attack == "line_counter")
    reprobed = _reprobe(CHEAP, nb)
    verdicts = _judged(CHEAP, reprobed)
    for func_name, (passed, message) in verdicts.items():
        assert not passed, (attack, func_name)
        assert EXPECTED[attack] in message, (attack, func_name, message)
    if EXPECTED[attack] == "tampering detected":
        assert reprobed["tampering"] or "tampering" in json.dumps(reprobed["functions"])


def test_a_function_defined_outside_the_solution_cells_is_named_in_the_message():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def helper(x):\n    return x\n")])
    note = reprobe.outside_name("your function raised NameError: name 'helper' is not defined", nb)
    assert note is not None and "cell 1" in note and "'helper'" in note
    assert reprobe.outside_name("your function raised NameError: name 'other' is not defined", nb) is None


def test_lines_without_the_runs_nonce_are_ignored_and_a_finding_poisons_what_follows():
    """reprobe.run reads only lines carrying its nonce; a finding fails every function reported after it."""
    reprobed = {"functions": {"f": {"tampering": "sys.settrace was called while your code ran"}}}
    found, failure = reprobe.observations(reprobed, "f")
    assert found is None and "tampering detected" in failure and "sys.settrace" in failure
    found, failure = reprobe.observations({"functions": {}, "cause": "wall time"}, "f")
    assert found is None and "did not finish (wall time)" in failure


# --------------------------------------------------------------------------- every behaviour-graded function


@pytest.mark.slow
@needs_sandbox
@pytest.mark.parametrize("assignment", BEHAVIOUR_ASSIGNMENTS)
def test_every_behaviour_graded_function_resists_tampering_in_its_solution_cell(assignment, tmp_path):
    """Stubs plus the Observation forger at the top of the first solution cell, in the real sandbox."""
    reprobed = _reprobe(assignment, _with_cells(assignment, IN_CELL_ATTACKS["observation_class"]), True, tmp_path)
    verdicts = _judged(assignment, reprobed)
    assert set(verdicts) == set(reprobe.behaviour_functions(assignment))
    for func_name, (passed, message) in verdicts.items():
        assert not passed and "tampering detected" in message, (func_name, message)


@pytest.fixture(scope="module")
def forging_class(tmp_path_factory):
    """One course of the KERNEL_FORGERY assignments, autograded once: per assignment a stub with the kernel
    forger in a cell of its own; for the cheap one also a reference and a solution-cell forger."""
    if sandbox.isolation_problem() is not None:
        pytest.skip(f"no sandbox here: {sandbox.isolation_problem()}")
    course = tmp_path_factory.mktemp("forgery")
    assert pipeline.release(KERNEL_FORGERY, course_root=course)
    for assignment in KERNEL_FORGERY:
        nb = nbformat.read(release_path(course, assignment), as_version=4)
        setup = next(i for i, c in enumerate(nb.cells) if "setup" in c.metadata.get("tags", []))
        nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(FORGER))
        _submit(course, "forger", assignment, nb)
    _submit(course, "honest", CHEAP, _submission(course, CHEAP))
    first = next(iter(solutions.solution_cells(CHEAP)))
    _submit(course, "in_cell", CHEAP, _submission(course, CHEAP, sabotage=(first, IN_CELL_ATTACKS["numpy"],
                                                                           True)))
    outcomes = pipeline.autograde(KERNEL_FORGERY, course_root=course, progress=False)
    report = {(row["student"], row["assignment"]): row
              for row in json.loads((course / "reports" / "autograde.json").read_text())}
    return course, outcomes, report


def _cell_messages(course, student, assignment):
    """{grade_id: text of the judged test cell} of an autograded notebook."""
    nb = nbformat.read(course / "autograded" / student / assignment / solutions.notebook_path(assignment).name,
                       as_version=4)
    found = {}
    for cell in nb.cells:
        meta = solutions.nbgrader_meta(cell)
        if meta.get("grade"):
            found[meta["grade_id"]] = "\n".join("\n".join(o.get("traceback", [])) + o.get("text", "")
                                                for o in cell.outputs)
    return found


@pytest.mark.slow
@pytest.mark.parametrize("assignment", KERNEL_FORGERY)
def test_a_forged_kernel_earns_nothing_for_any_behaviour_graded_function(forging_class, assignment):
    course, _, report = forging_class
    row = report[("forger", assignment)]
    assert row["status"] == "graded", row
    messages = _cell_messages(course, "forger", assignment)
    for func_name in reprobe.behaviour_functions(assignment):
        assert f"test_{func_name}" in row["failed_checks"], (func_name, row)
        assert "still the stub" in messages[f"test_{func_name}"], (func_name, messages[f"test_{func_name}"])


@pytest.mark.slow
def test_the_message_says_the_notebooks_own_observations_were_changed(forging_class):
    """05's forger makes the kernel's observations pass (measured): the message says the judge's run decided."""
    course, _, _ = forging_class
    messages = _cell_messages(course, "forger", CHEAP)
    for func_name in reprobe.behaviour_functions(CHEAP):
        assert "the judge's own run of your solution cells does not" in messages[f"test_{func_name}"], func_name


@pytest.mark.slow
def test_the_reference_keeps_full_marks_and_a_solution_cell_forger_scores_zero(forging_class):
    course, _, report = forging_class
    honest = report[("honest", CHEAP)]
    assert honest["status"] == "graded" and honest["score"] == sum(points(CHEAP).values()), honest
    cheat = report[("in_cell", CHEAP)]
    for func_name in reprobe.behaviour_functions(CHEAP):
        assert f"test_{func_name}" in cheat["failed_checks"], cheat
        assert "tampering detected" in _cell_messages(course, "in_cell", CHEAP)[f"test_{func_name}"]
    assert any("tampering detected while the judge probed" in note for note in cheat["notes"]), cheat["notes"]
