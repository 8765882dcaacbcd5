"""The graders: references pass, known bugs fail with a pointed message, records are current."""

import numpy as np
import pytest

from graders import core
from graders.instructor import record, solutions
from helpers import gradcheck

from conftest import ASSIGNMENTS, reference_namespace

MIN_KNOWN_WRONG = 2  # every graded function is proven by at least this many realistic bugs


def graded_functions():
    return [(a, f) for a in ASSIGNMENTS for f in solutions.grader_module(a).GRADER.graded]


def mutants():
    return [(a, f, v, m) for a in ASSIGNMENTS for f, v, m in solutions.iter_mutants(a)]


@pytest.mark.parametrize("assignment, func_name", graded_functions())
@pytest.mark.parametrize("suite", core.SUITES)
def test_reference_solution_passes(assignment, func_name, suite):
    grader = solutions.grader_module(assignment).GRADER
    grader.check(func_name, reference_namespace(assignment)[func_name], suite)


@pytest.mark.parametrize("assignment, func_name", graded_functions())
def test_every_graded_function_has_known_wrong_variants(assignment, func_name):
    variants = solutions.known_wrong_module(assignment).MUTANTS.get(func_name, {})
    assert len(variants) >= MIN_KNOWN_WRONG, f"{func_name} has {len(variants)} known-wrong variants"


@pytest.mark.parametrize("assignment, func_name, variant, mutant", mutants(),
                         ids=[f"{f}-{v}" for _, f, v, _ in mutants()])
@pytest.mark.parametrize("suite", core.SUITES)
def test_known_bug_is_caught_with_a_pointed_message(assignment, func_name, variant, mutant, suite):
    grader = solutions.grader_module(assignment).GRADER
    wrong = solutions.load_solutions(assignment, (func_name, mutant))[func_name]
    with pytest.raises(core.CheckFailure) as failure:
        grader.check(func_name, wrong, suite)
    expected = mutant.expect or grader.graded[func_name].spec.hints[variant]
    message = str(failure.value)
    assert expected in message, f"{func_name}/{variant}: the message does not point at the bug:\n{message}"
    assert message.startswith(f"{func_name} failed"), message


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_recorded_references_are_current(assignment, tmp_path, monkeypatch):
    """Re-recording from the notebooks reproduces the committed records exactly."""
    committed = {suite: core.load_record(assignment, suite).arrays for suite in core.SUITES}
    monkeypatch.setattr(core, "PUBLIC_RECORD_DIR", tmp_path / "public")
    monkeypatch.setattr(core, "HIDDEN_RECORD_DIR", tmp_path / "hidden")
    record.record_assignment(assignment)
    for suite in core.SUITES:
        fresh = core.load_record(assignment, suite).arrays
        assert sorted(fresh) == sorted(committed[suite]), f"{suite} record is stale: run `make references`"
        for key in fresh:
            assert np.array_equal(fresh[key], committed[suite][key]), f"{key} is stale: run `make references`"


def test_hidden_cases_differ_from_public_ones():
    for assignment in ASSIGNMENTS:
        public = core.load_record(assignment, "public").arrays
        hidden = core.load_record(assignment, "hidden").arrays
        assert not set(public) & set(hidden), f"{assignment}: a hidden case reuses a public case name"


# --------------------------------------------------------------------------- 01: the full-mode target, and Keras


def test_01_reference_backward_passes_agree_with_finite_differences():
    """Every analytic gradient of the reference is within 1e-7 of the numerical one (DESIGN.md target)."""
    ns = reference_namespace("01_rnn_step_by_step")
    import graders.rnn_step_by_step as g

    for forward, backward, names in (
        ("rnn_forward", "rnn_backward", ("Wax", "Waa", "ba")),
        ("lstm_forward", "lstm_backward", ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")),
    ):
        for case in g.GRADER.cases(forward, "public") + g.GRADER.cases(forward, "hidden"):
            x, a0, parameters = [np.copy(v) if isinstance(v, np.ndarray) else v for v in case.args]
            a, *_, caches = ns[forward](x, a0, parameters)
            da = np.random.default_rng(0).standard_normal(a.shape)
            errors = gradcheck.backward_errors(
                lambda: ns[forward](x, a0, parameters)[0],
                {**{k: parameters[k] for k in names}, "x": x, "a0": a0},
                ns[backward](da, caches), da)
            assert max(errors.values()) < 1e-7, (backward, case.name, errors)


def test_01_reference_lstm_matches_keras():
    from helpers import keras_bridge
    import graders.rnn_step_by_step as g

    ns = reference_namespace("01_rnn_step_by_step")
    for case in g.GRADER.cases("lstm_forward", "public"):
        x, a0, parameters = case.args
        a_numpy = ns["lstm_forward"](x, a0, parameters)[0]
        a_keras = keras_bridge.keras_lstm_states(x, a0, parameters)
        assert np.max(np.abs(a_numpy - a_keras)) < 1e-5  # Keras computes in float32


def test_keras_gate_order_matters():
    """Swapping two gates in the conversion must break the match (the check can fail)."""
    from helpers import keras_bridge
    import graders.rnn_step_by_step as g

    ns = reference_namespace("01_rnn_step_by_step")
    x, a0, parameters = g.GRADER.cases("lstm_forward", "public")[0].args
    swapped = dict(parameters, Wf=parameters["Wi"], Wi=parameters["Wf"], bf=parameters["bi"], bi=parameters["bf"])
    a_numpy = ns["lstm_forward"](x, a0, parameters)[0]
    assert np.max(np.abs(a_numpy - keras_bridge.keras_lstm_states(x, a0, swapped))) > 1e-2
