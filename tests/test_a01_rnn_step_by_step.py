"""01 rnn_step_by_step: the reference against finite differences and keras.layers.LSTM."""

import numpy as np

from graders.assignment import SUITES
from helpers import gradcheck

from conftest import reference_namespace


def test_01_reference_backward_passes_agree_with_finite_differences():
    """Every analytic gradient of the reference is within 1e-7 of the numerical one (01's target in BENCH_METRICS)."""
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




def test_01_backward_caches_are_reference_forward_runs_on_inputs_of_their_own():
    """Each backward case's cache is what the reference forward returns on the fixture's inputs,
    and those inputs are none of the graded forward cases' (their expected outputs never become inputs)."""
    from graders import records
    from graders.instructor import judge
    import graders.rnn_step_by_step as g

    ns = reference_namespace("01_rnn_step_by_step")
    public = judge.load_suite_record("01_rnn_step_by_step", "public")
    # the cases need nothing but the fixtures: no recorded expected output is read to build them
    fixtures_only = records.Record({k: v for k, v in public.arrays.items() if k.startswith(records.FIXTURE_MARK)})
    for fixture, backward in (("rnn_step", "rnn_cell_backward"), ("rnn_sequence", "rnn_backward"),
                              ("lstm_step", "lstm_cell_backward"), ("lstm_sequence", "lstm_backward")):
        forward = g.GRADER.fixtures[fixture].func_name
        for suite in SUITES:
            graded_inputs = [case.args[0] for s in SUITES for case in g.GRADER.cases(forward, s)]
            for made, case in zip(g.GRADER.fixtures[fixture].build_cases(suite),
                                  g.GRADER.cases(backward, suite, fixtures_only)):
                assert not any(np.shape(x) == np.shape(made.args[0]) and np.allclose(x, made.args[0])
                               for x in graded_inputs), (fixture, made.name)
                cache = ns[forward](*made.args)[-1]
                assert _close(cache, case.args[-1]), (backward, case.name)


def _close(a, b):
    """Same structure and values within float64 round-off (another BLAS may differ in the last bits)."""
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and np.allclose(a, b, rtol=1e-9, atol=1e-12)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return type(a) is type(b) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))


def test_01_hidden_cases_differ_in_structure():
    import graders.rnn_step_by_step as g

    public, hidden = g.SIZES["public"].values(), g.SIZES["hidden"].values()
    assert {s["a0"] for s in public} == {"random", "zeros"}
    assert min(s["m"] for s in hidden) == 1 < min(s["m"] for s in public)
    assert min(s["T_x"] for s in hidden) == 1 < min(s["T_x"] for s in public)
    assert max(s["scale"] for s in hidden) > max(s["scale"] for s in public)
