"""The grading core: every stage of probe and judge, every kind of message, the two modes, the transport."""

import json
from collections import namedtuple

import numpy as np
import pytest

from graders import assignment, judge, messages, probe, records
from graders.compare import top2_margin
from graders.spec import Case, FunctionSpec, Output, Property

Cache = namedtuple("Cache", "xt parameters")
SPEC = FunctionSpec(
    name="toy_forward",
    inputs=("xt", "parameters"),
    outputs=(Output("a_next"), Output("y"), Output("cache", "record", ("xt", "parameters"))),
    hints={"doubled": "a_next is twice too large: the factor 2 is applied twice"},
    pattern_hints=((("cache.xt",), "the cache must hold the xt you were given"),),
    default_hint="a_next = 2 * xt",
    properties=(Property("y sums to one", lambda leaves, case: None if np.isclose(leaves["y"].sum(), 1)
                         else f"y sums to {leaves['y'].sum():.3f}", "divide by the sum"),),
)
XT = np.arange(6, dtype=float).reshape(3, 2)
PARAMETERS = {"W": np.ones((2, 2))}
CASE = Case("tiny", {"n_x": 3, "m": 2}, (XT, PARAMETERS))


def good(xt, parameters):
    return 2 * xt, np.full(4, 0.25), Cache(xt, parameters)


EXPECTED = probe.observe_spec(good, SPEC, CASE).leaves
BUGS = {SPEC.hints["doubled"]: {"a_next": 4 * XT}}


def verdict(func, hidden=False, spec=SPEC):
    observation = probe.observe(lambda f, c: probe.observe_spec(f, spec, c), func, CASE)
    observation = probe.decode(json.loads(json.dumps(probe.encode([observation]))))[0]  # as the judge gets it
    return judge.judge_case(spec, CASE, observation, EXPECTED, BUGS, hidden)


def test_a_correct_function_passes_and_records_every_field():
    assert verdict(good) is None
    assert set(EXPECTED) == {"a_next", "y", "cache.xt", "cache.parameters.W"}


def test_not_callable():
    msg = verdict(np.zeros(3))
    assert "expected a function" in msg and "pass the function itself" in msg


def test_stub_says_not_implemented():
    def stub(xt, parameters):
        raise NotImplementedError()

    msg = verdict(stub)
    assert msg.startswith('toy_forward failed on case "tiny" (n_x=3, m=2)') and "still the stub" in msg


def test_student_exception_is_one_sentence_with_the_case_and_no_colour_codes():
    def broken(xt, parameters):
        raise ValueError("\x1b[31mshapes (3,2) and (5,5) not aligned\x1b[0m")

    msg = verdict(broken)
    assert 'case "tiny"' in msg and "your function raised ValueError: shapes (3,2)" in msg
    assert "\x1b" not in msg and "Traceback" not in msg


def test_wrong_arity_and_single_value():
    assert "expected 3 return values (a_next, y, cache), got 2" in verdict(lambda xt, parameters: (2 * xt, 1))
    assert "got one ndarray" in verdict(lambda xt, parameters: 2 * xt)


def test_list_or_none_instead_of_array():
    msg = verdict(lambda xt, parameters: ((2 * xt).tolist(), np.full(4, 0.25), Cache(xt, parameters)))
    assert "output a_next: expected a numpy ndarray, got list" in msg and "np.array" in msg
    assert "forget a `return`" in verdict(lambda xt, parameters: (None, np.full(4, 0.25), Cache(xt, parameters)))


def test_record_missing_a_field():
    msg = verdict(lambda xt, parameters: (2 * xt, np.full(4, 0.25), object()))
    assert "output cache" in msg and "xt" in msg


def test_wrong_dtype_and_transposed_shape():
    assert "dtype float32, expected float64" in verdict(
        lambda xt, parameters: ((2 * xt).astype(np.float32), np.full(4, 0.25), Cache(xt, parameters)))
    assert "shape (2, 3), expected (3, 2)" in verdict(
        lambda xt, parameters: ((2 * xt).T, np.full(4, 0.25), Cache(xt, parameters)))


def test_nan_is_reported():
    def with_nan(xt, parameters):
        a = 2 * xt
        a[1, 0] = np.nan
        return a, np.full(4, 0.25), Cache(xt, parameters)

    assert "contains nan or inf, first at [1, 0]" in verdict(with_nan)


def test_value_message_lists_every_differing_output_then_the_first_entry():
    def two_wrong(xt, parameters):
        return 2 * xt + (xt > 3), np.full(4, 0.3), Cache(xt, parameters)

    msg = verdict(two_wrong)
    assert "outputs that differ: a_next (max abs err 1.0e+00), y (max abs err 5.0e-02)" in msg
    assert "output a_next: 2 of 6 entries differ (tolerance 1e-07 + 1e-06*|expected|)" in msg
    assert "first at [2, 0]: expected 8.0000, got 9.0000" in msg
    assert "hint:   a_next = 2 * xt" in msg


def test_digits_show_a_difference_at_the_tolerance():
    msg = verdict(lambda xt, parameters: (2 * xt + 1e-5, np.full(4, 0.25), Cache(xt, parameters)))
    shown = msg.split("first at [0, 0]: ")[1].split("\n")[0]
    expected_text, got_text = shown.replace("expected ", "").split(", got ")
    assert expected_text != got_text, shown


def test_known_bug_and_pattern_hints():
    assert "the factor 2 is applied twice" in verdict(lambda xt, parameters: (4 * xt, np.full(4, 0.25),
                                                                                  Cache(xt, parameters)))
    assert "the cache must hold the xt you were given" in verdict(
        lambda xt, parameters: (2 * xt, np.full(4, 0.25), Cache(xt + 1, parameters)))


def test_hidden_suite_never_shows_expected_values():
    msg = verdict(lambda xt, parameters: (2 * xt + 1, np.full(4, 0.25), Cache(xt, parameters)), hidden=True)
    assert messages.HIDDEN_NOT_SHOWN in msg
    for value in (2 * XT).ravel():
        assert f"expected {messages.fmt_number(value)}" not in msg


def test_an_input_changed_in_place_is_named():
    def mutating(xt, parameters):
        xt *= 2
        return xt, np.full(4, 0.25), Cache(xt / 2, parameters)

    msg = verdict(mutating)
    assert "changed its input xt in place" in msg


def test_an_input_meant_to_change_is_compared_after_the_call():
    spec = FunctionSpec("scale", (Output("out"),), inputs=("x",), mutates=("x",))
    case = Case("c", {}, (np.ones(3),))

    def in_place(x):
        x *= 2
        return x

    expected = probe.observe_spec(in_place, spec, case).leaves
    assert np.array_equal(expected["input x"], 2 * np.ones(3))
    copy_only = probe.observe_spec(lambda x: 2 * x, spec, case)
    assert "input x" in judge.judge_case(spec, case, copy_only, expected, {})


def test_property_is_checked_after_values():
    spec = FunctionSpec(SPEC.name, SPEC.outputs, inputs=SPEC.inputs, properties=(
        Property("y is a distribution", lambda leaves, case: "y has no zeros", "use a softmax"),))
    msg = verdict(good, spec=spec)
    assert "property: y is a distribution" in msg and "hint:   use a softmax" in msg


def test_a_grader_step_that_chokes_on_a_strange_value_says_so():
    msg = str(pytest.raises(messages.CheckFailure, probe.guarded, "f", CASE, lambda: 1 / 0).value)
    assert msg.startswith('f failed on case "tiny"') and "could not use what your function returned" in msg


def test_failure_renders_without_a_traceback():
    lines = messages.CheckFailure("f failed\n  hint:   x")._render_traceback_()
    assert lines == ["f failed", "  hint:   x"]


def test_transport_is_exact_and_rejects_garbage():
    observation = probe.Observation("c", {"a": np.array([0.1, 1 / 3]), "n": np.array(3)}, ["xt"])
    back = probe.decode(json.loads(json.dumps(probe.encode([observation]))))[0]
    assert back.changed == ["xt"] and back.leaves["a"].tobytes() == observation.leaves["a"].tobytes()
    with pytest.raises(ValueError, match="malformed observation"):
        probe.decode([{"case": "c"}])


def test_top2_margin():
    assert top2_margin(np.array([[0.1, 0.5, 0.45], [1.0, 0.0, -1.0]])) == pytest.approx(0.05)


# --------------------------------------------------------------------------- the two modes of a check


def _toy_assignment(tmp_path):
    grader = assignment.Assignment("00_toy")
    grader.add(SPEC, lambda suite, record: [CASE] if suite == "public" else [Case("other", {}, (XT + 1, PARAMETERS))])
    arrays = {records.record_key("toy_forward", "tiny", p): v for p, v in EXPECTED.items()}
    arrays[records.record_key("toy_forward", "tiny", "a_next", variant="doubled")] = 4 * XT
    record = records.Record(arrays, "00_toy")
    grader._public_record = record
    return grader


def test_student_mode_judges_public_cases_in_the_kernel(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(assignment.MODE_ENV_VAR, raising=False)
    grader = _toy_assignment(tmp_path)
    grader.check("toy_forward", good)
    assert "all 1 public cases passed" in capsys.readouterr().out
    with pytest.raises(messages.CheckFailure, match="the factor 2 is applied twice"):
        grader.check("toy_forward", lambda xt, parameters: (4 * xt, np.full(4, 0.25), Cache(xt, parameters)))
    grader.check("toy_forward", good, suite="hidden")  # never loads a hidden record in a student's kernel
    assert "judged when the instructor autogrades" in capsys.readouterr().out


def test_probe_mode_only_records_observations(tmp_path, monkeypatch):
    monkeypatch.setenv(assignment.MODE_ENV_VAR, assignment.PROBE_MODE)
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw=False: shown.append(data))
    grader = _toy_assignment(tmp_path)
    stub_result = grader.check("toy_forward", lambda xt, parameters: 1 / 0, suite="hidden")  # nothing raised
    assert stub_result is None
    payload = shown[0][assignment.OBSERVATION_MIME]
    assert payload["suite"] == "hidden" and payload["function"] == "toy_forward"
    observation = probe.decode(payload["observations"])[0]
    assert observation.case == "other" and "ZeroDivisionError" in observation.failure


def test_the_judge_requires_one_observation_per_case(tmp_path):
    grader = _toy_assignment(tmp_path)
    record = grader.public_record()
    ok = probe.observe_spec(good, SPEC, CASE)
    assert grader.judge("toy_forward", "public", [ok], record) is None
    assert "observed 0 times" in grader.judge("toy_forward", "public", [], record)
    assert "observed 2 times" in grader.judge("toy_forward", "public", [ok, ok], record)


def test_a_mutated_dict_may_get_new_arrays_unless_its_own_arrays_must_change():
    """optimize may rebind parameters[k]; clip (same_arrays) must overwrite the caller's arrays (np.clip(out=))."""
    case = Case("c", {}, ({"g": np.array([-3.0, 3.0])},))

    def in_place(gradients):
        np.clip(gradients["g"], -1, 1, out=gradients["g"])
        return gradients

    def rebinding(gradients):
        gradients["g"] = np.clip(gradients["g"], -1, 1)
        return gradients

    for same_arrays, rebinding_passes in ((False, True), (True, False)):
        spec = FunctionSpec("clip", (Output("out", "dict", ("g",)),), inputs=("gradients",), mutates=("gradients",),
                            same_arrays=same_arrays)
        expected = probe.observe_spec(in_place, spec, case).leaves
        assert np.array_equal(expected["input gradients.g"], [-1.0, 1.0])
        failure = judge.judge_case(spec, case, probe.observe_spec(rebinding, spec, case), expected, {})
        assert (failure is None) == rebinding_passes, failure
        assert rebinding_passes or "input gradients.g after the call" in failure


def test_an_output_that_must_be_new_may_not_be_an_input_array():
    spec = FunctionSpec("scale", (Output("out", "dict", ("g",)),), inputs=("gradients",), fresh=("out",))
    case = Case("c", {}, ({"g": np.ones(2)},))
    returned_input = probe.observe(lambda f, c: probe.observe_spec(f, spec, c), lambda gradients: dict(gradients), case)
    assert "is one of the caller's own input arrays" in returned_input.failure
    assert probe.observe_spec(lambda gradients: {"g": gradients["g"].copy()}, spec, case).failure is None


def test_a_scalar_output_must_be_a_number_not_a_one_element_array():
    spec = FunctionSpec("norm", (Output("n", "scalar"),))
    case = Case("c", {})
    assert probe.observe_spec(lambda: np.float64(2.0), spec, case).leaves["n"].shape == ()
    failure = probe.observe(lambda f, c: probe.observe_spec(f, spec, c), lambda: np.array([2.0]), case).failure
    assert "expected a number, got an array of shape (1,)" in failure


def test_a_complex_or_huge_scalar_gets_a_sentence():
    spec = FunctionSpec("norm", (Output("n", "scalar"),))
    case = Case("c", {})
    for value in (np.complex128(1 + 2j), 2 ** 70):
        failure = probe.observe(lambda f, c: probe.observe_spec(f, spec, c), lambda: value, case).failure
        assert "expected a real number" in failure, failure


def test_a_grader_error_on_an_odd_value_becomes_a_sentence():
    def observer(func, case):
        return func()["missing"]  # a grader step that assumes a key

    failure = probe.observe(observer, lambda: {}, CASE, "toy").failure
    assert failure.startswith('toy failed on case "tiny"') and "could not use what your function returned" in failure


def test_hidden_messages_show_no_error_size_and_no_property_details():
    msg = verdict(lambda xt, parameters: (2 * xt + 1, np.full(4, 0.3), Cache(xt, parameters)), hidden=True)
    assert "max abs err" not in msg and "values differ" in msg
    spec = FunctionSpec(SPEC.name, SPEC.outputs, inputs=SPEC.inputs, properties=(
        Property("y is a distribution", lambda leaves, case: ("y sums to 0.75", "divide by the sum")),))
    msg = verdict(good, hidden=True, spec=spec)
    assert "0.75" not in msg and "details of a hidden case are not shown" in msg and "divide by the sum" in msg


def test_a_yes_no_fact_or_count_is_shown_as_itself_not_as_an_error_size():
    from graders.compare import compare_leaf

    fact = compare_leaf("padding_ignored", np.bool_(False), np.bool_(True), 1e-7, 1e-6)
    assert fact.summary == "expected True, got False" and "max abs err" not in " ".join(fact.details)
    count = compare_leaf("parameters", np.int64(40), np.int64(52), 1e-7, 1e-6, hidden=True)
    assert count.summary == "got 40" and "52" not in " ".join(count.details)


def test_every_grader_module_exports_one_checker_per_graded_function_and_derives_its_name():
    from graders.instructor import solutions

    for name in solutions.assignment_names():
        module = solutions.grader_module(name)
        assert module.GRADER.name == name
        for func_name in module.GRADER.graded:
            check = getattr(module, f"check_{func_name}")
            assert check.__name__ == f"check_{func_name}" and func_name in check.__doc__
        assert module.preview == module.GRADER.preview and module.sample_inputs == module.GRADER.sample_inputs
    with pytest.raises(LookupError, match="notebooks/NN_no_such_notebook"):
        assignment.Assignment.of_module("graders.no_such_notebook")
