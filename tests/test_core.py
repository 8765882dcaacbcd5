"""graders/core.py: every stage of a check fails with the message STYLE.md asks for."""

import numpy as np
import pytest

from graders import core

SPEC = core.FunctionSpec(
    name="toy_forward",
    outputs=(core.Output("a_next"), core.Output("y"), core.Output("cache", "record", ("xt",), compare=())),
    hints={"doubled": "a_next is twice too large: the factor 2 is applied twice"},
    default_hint="a_next = 2 * xt",
    properties=(("y sums to one", lambda out, case: None if np.isclose(out["y"].sum(), 1) else "y sums to "
                 f"{out['y'].sum():.3f}"),),
)
XT = np.arange(6, dtype=float).reshape(3, 2)
CASE = core.Case("tiny", {"n_x": 3, "m": 2}, (XT,))


class Cache:
    def __init__(self, xt):
        self.xt = xt


def good(xt):
    return 2 * xt, np.full(4, 0.25), Cache(xt)


def make_record(suite="public"):
    arrays = {
        core.record_key("toy_forward", "tiny", "a_next"): 2 * XT,
        core.record_key("toy_forward", "tiny", "y"): np.full(4, 0.25),
        core.record_key("toy_forward", "tiny", "a_next", variant="doubled"): 4 * XT,
    }
    return core.Record(arrays, "00_toy", suite)


def message_of(func, suite="public"):
    with pytest.raises(core.CheckFailure) as err:
        core.run_check(func, SPEC, [CASE], make_record(suite), quiet=True)
    return str(err.value)


def test_a_correct_function_passes(capsys):
    assert core.run_check(good, SPEC, [CASE], make_record()) == 1
    assert "all 1 public cases passed" in capsys.readouterr().out


def test_not_callable():
    msg = message_of(np.zeros(3))
    assert "expected a function" in msg and "pass the function itself" in msg


def test_stub_says_not_implemented():
    def stub(xt):
        raise NotImplementedError()

    msg = message_of(stub)
    assert msg.startswith('toy_forward failed on case "tiny" (n_x=3, m=2)')
    assert "still the stub" in msg


def test_student_exception_is_reraised_with_the_case():
    def broken(xt):
        return xt @ np.ones((5, 5))

    with pytest.raises(core.CheckFailure) as err:
        core.run_check(broken, SPEC, [CASE], make_record(), quiet=True)
    assert 'case "tiny"' in str(err.value) and "ValueError" in str(err.value)
    assert isinstance(err.value.__cause__, ValueError)


def test_wrong_arity():
    msg = message_of(lambda xt: (2 * xt, np.full(4, 0.25)))
    assert "expected 3 return values (a_next, y, cache), got 2" in msg
    assert "return a_next, y, cache" in msg


def test_single_value_instead_of_tuple():
    msg = message_of(lambda xt: 2 * xt)
    assert "got one ndarray" in msg


def test_list_instead_of_array():
    msg = message_of(lambda xt: ((2 * xt).tolist(), np.full(4, 0.25), Cache(xt)))
    assert "output a_next: expected a numpy ndarray, got list" in msg and "np.array" in msg


def test_none_instead_of_array():
    msg = message_of(lambda xt: (None, np.full(4, 0.25), Cache(xt)))
    assert "got None" in msg and "return" in msg


def test_record_missing_a_field():
    msg = message_of(lambda xt: (2 * xt, np.full(4, 0.25), object()))
    assert "output cache" in msg and "xt" in msg


def test_wrong_dtype():
    msg = message_of(lambda xt: ((2 * xt).astype(np.float32), np.full(4, 0.25), Cache(xt)))
    assert "dtype float32, expected float64" in msg


def test_transposed_shape():
    msg = message_of(lambda xt: ((2 * xt).T, np.full(4, 0.25), Cache(xt)))
    assert "shape (2, 3), expected (3, 2)" in msg and "transposed" in msg


def test_nan_is_reported_before_values():
    def with_nan(xt):
        a = 2 * xt
        a[1, 0] = np.nan
        return a, np.full(4, 0.25), Cache(xt)

    msg = message_of(with_nan)
    assert "nan or inf, first at [1, 0]" in msg


def test_value_message_shows_where_expected_got_tolerance_and_default_hint():
    def off_by_one(xt):
        return 2 * xt + (xt > 3), np.full(4, 0.25), Cache(xt)

    msg = message_of(off_by_one)
    assert "output a_next: shape (3, 2) as expected" in msg
    assert "2 of 6 entries differ" in msg
    assert "first at [2, 0]: expected 8.0000, got 9.0000" in msg
    assert "tolerance 1e-07" in msg
    assert "hint:   a_next = 2 * xt" in msg


def test_known_bug_is_named():
    msg = message_of(lambda xt: (4 * xt, np.full(4, 0.25), Cache(xt)))
    assert "the factor 2 is applied twice" in msg


def test_hidden_suite_never_shows_expected_values():
    msg = message_of(lambda xt: (2 * xt + 1, np.full(4, 0.25), Cache(xt)), suite="hidden")
    assert "expected value of a hidden case is not shown" in msg
    for value in (2 * XT).ravel():
        assert f"expected {core.fmt_number(value)}" not in msg


def test_property_is_checked_after_values():
    def bad_y(xt):
        return 2 * xt, np.full(4, 0.25), Cache(xt)

    spec = core.FunctionSpec(SPEC.name, SPEC.outputs, properties=(
        ("y is a distribution", lambda out, case: "y has no zeros"),))
    with pytest.raises(core.CheckFailure, match="property: y is a distribution"):
        core.run_check(bad_y, spec, [CASE], make_record(), quiet=True)


def test_inputs_are_copied_so_a_mutating_function_cannot_spoil_the_case():
    def mutating(xt):
        result = good(xt.copy())
        xt[:] = 0
        return result

    core.run_check(mutating, SPEC, [CASE], make_record(), quiet=True)
    assert np.array_equal(CASE.args[0], XT)


def test_missing_records_explain_themselves(tmp_path, monkeypatch):
    monkeypatch.setattr(core, "PUBLIC_RECORD_DIR", tmp_path)
    monkeypatch.setattr(core, "HIDDEN_RECORD_DIR", tmp_path)
    with pytest.raises(core.CheckFailure, match="make references"):
        core.load_record("00_toy", "public")
    with pytest.raises(core.CheckFailure, match="only when the instructor autogrades"):
        core.load_record("00_toy", "hidden")


def test_preview_reports_instead_of_raising(capsys):
    def stub(xt):
        raise NotImplementedError()

    core.preview(stub, SPEC, CASE, make_record())
    assert "still the stub" in capsys.readouterr().out
    core.preview(good, SPEC, CASE, make_record())
    out = capsys.readouterr().out
    assert "yours" in out and "expected" in out


def test_fmt_preview_never_prints_a_whole_array():
    text = core.fmt_preview(np.arange(100.0))
    shown = text[: text.index("]")]
    assert shown.count(",") == core.PREVIEW_ENTRIES and shown.endswith("...") and "shape (100,)" in text
