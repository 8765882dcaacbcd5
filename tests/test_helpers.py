"""Unit tests of the given helper modules."""

import math
import shutil

import numpy as np
import pytest

from helpers import activations, budget, char_rnn, data, gradcheck, text


# --------------------------------------------------------------------------- data


def test_dataset_path_verifies_a_good_file():
    path = data.dataset_path("names/dinos.txt")
    assert path.name == "dinos.txt"
    assert data.sha256_of(path) == data.read_manifest()["names/dinos.txt"]


def test_read_lines_gives_the_documented_counts():
    assert len(data.read_lines("names/dinos.txt")) == 1529
    assert len(data.read_lines("names/us_names.txt")) == 32033


@pytest.fixture
def data_copy(tmp_path):
    shutil.copytree(data.data_dir(), tmp_path / "datasets")
    return tmp_path / "datasets"


def test_missing_file_names_the_file_and_its_checksum(data_copy):
    expected = data.read_manifest(data_copy)["names/dinos.txt"]
    (data_copy / "names" / "dinos.txt").unlink()
    with pytest.raises(data.DataFileError) as err:
        data.dataset_path("names/dinos.txt", root=data_copy)
    assert "dinos.txt" in str(err.value) and expected in str(err.value)
    assert "missing" in str(err.value)


def test_corrupt_file_names_the_file_and_both_checksums(data_copy):
    expected = data.read_manifest(data_copy)["names/dinos.txt"]
    with open(data_copy / "names" / "dinos.txt", "a") as f:
        f.write("Notasaurus\n")
    with pytest.raises(data.DataFileError) as err:
        data.dataset_path("names/dinos.txt", root=data_copy)
    assert expected in str(err.value) and "corrupt" in str(err.value)


def test_unlisted_file_is_refused(data_copy):
    with pytest.raises(data.DataFileError, match="not listed"):
        data.dataset_path("names/other.txt", root=data_copy)


def test_every_shipped_file_matches_the_manifest():
    for name in data.read_manifest():
        data.dataset_path(name)


# --------------------------------------------------------------------------- budget


@pytest.mark.parametrize("value, quick", [("1", True), ("true", True), ("", False), ("0", False), ("no", False)])
def test_quick_mode_switch(monkeypatch, value, quick):
    monkeypatch.setenv(budget.QUICK_ENV_VAR, value)
    assert budget.is_quick() is quick
    assert budget.pick(full=10, quick=1) == (1 if quick else 10)


def test_quick_mode_rejects_typos(monkeypatch):
    monkeypatch.setenv(budget.QUICK_ENV_VAR, "ture")
    with pytest.raises(ValueError, match=budget.QUICK_ENV_VAR):
        budget.is_quick()


# --------------------------------------------------------------------------- activations


def test_softmax_columns_sum_to_one_and_survive_large_logits():
    z = np.array([[1000.0, -3.0], [999.0, 2.0], [0.0, 2.0]])
    p = activations.softmax(z, axis=0)
    assert np.allclose(p.sum(axis=0), 1.0)
    assert np.all(np.isfinite(p))
    assert p[0, 0] == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-12)
    assert p[1, 1] == pytest.approx(p[2, 1])


def test_sigmoid_matches_the_formula_without_overflow():
    x = np.array([-800.0, -2.0, 0.0, 3.0, 800.0])
    s = activations.sigmoid(x)
    assert np.all(np.isfinite(s))
    assert np.allclose(s[1:4], 1 / (1 + np.exp(-x[1:4])))
    assert s[0] == 0.0 and s[-1] == 1.0


# --------------------------------------------------------------------------- gradcheck


def test_numerical_gradient_of_a_known_function():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    grad = gradcheck.numerical_gradient(lambda: np.sum(x**3), x)
    assert gradcheck.rel_error(grad, 3 * x**2) < 1e-8
    assert np.array_equal(x, [[1.0, -2.0], [0.5, 3.0]]), "x must be restored"


def test_rel_error_detects_a_wrong_gradient():
    assert gradcheck.rel_error(np.ones(3), np.ones(3)) == 0.0
    assert gradcheck.rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])) > 1e-2
    with pytest.raises(ValueError, match="shape"):
        gradcheck.rel_error(np.ones(2), np.ones(3))


def test_numerical_gradient_refuses_arrays_it_cannot_perturb():
    with pytest.raises(TypeError):
        gradcheck.numerical_gradient(lambda: 0.0, np.ones(3, dtype=np.float32))


# --------------------------------------------------------------------------- text


def test_vocabulary_puts_the_newline_first():
    char_to_ix, ix_to_char = text.build_char_vocab(["bca", "ab"])
    assert ix_to_char == {0: "\n", 1: "a", 2: "b", 3: "c"}
    assert char_to_ix["\n"] == 0


def test_name_to_example_shifts_by_one():
    char_to_ix, _ = text.build_char_vocab(["rex"])
    X, Y = text.name_to_example("rex", char_to_ix)
    assert X == [None, char_to_ix["r"], char_to_ix["e"], char_to_ix["x"]]
    assert Y == [char_to_ix["r"], char_to_ix["e"], char_to_ix["x"], 0]


def test_unknown_character_is_named():
    char_to_ix, _ = text.build_char_vocab(["abc"])
    with pytest.raises(KeyError, match="'z'"):
        text.encode("az", char_to_ix)


def test_padded_arrays_align_inputs_targets_and_mask():
    char_to_ix, _ = text.build_char_vocab(["ab", "c"])
    inputs, targets, mask = text.names_to_padded_arrays(["ab", "b"], char_to_ix)
    a, b = char_to_ix["a"], char_to_ix["b"]
    assert inputs.tolist() == [[1, a + 1, b + 1], [1, b + 1, 0]]
    assert targets.tolist() == [[a, b, 0], [b, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    with pytest.raises(ValueError, match="shorter"):
        text.names_to_padded_arrays(["abc"], char_to_ix, T_x=2)


# --------------------------------------------------------------------------- char_rnn (given code must be right)


def test_char_rnn_backward_passes_a_gradient_check():
    rng = np.random.default_rng(0)
    vocab_size, n_a = 5, 4
    parameters = char_rnn.initialize_parameters(n_a, vocab_size, rng)
    for name in parameters:
        parameters[name] = rng.standard_normal(parameters[name].shape)
    X, Y = [None, 1, 3, 2], [1, 3, 2, 0]
    a0 = rng.standard_normal((n_a, 1))
    _, cache = char_rnn.rnn_forward(X, Y, a0, parameters, vocab_size)
    gradients, _ = char_rnn.rnn_backward(X, Y, parameters, cache)
    for name in ("Wax", "Waa", "Wya", "ba", "by"):
        numerical = gradcheck.numerical_gradient(
            lambda: char_rnn.rnn_forward(X, Y, a0, parameters, vocab_size)[0], parameters[name])
        assert gradcheck.rel_error(gradients["d" + name], numerical) < 1e-7, name
    numerical_a0 = gradcheck.numerical_gradient(lambda: char_rnn.rnn_forward(X, Y, a0, parameters, vocab_size)[0], a0)
    assert gradcheck.rel_error(gradients["da_next"], numerical_a0) < 1e-7


def test_a_uniform_model_scores_log_vocab_size():
    vocab_size = 27
    parameters = char_rnn.initialize_parameters(8, vocab_size, np.random.default_rng(0))
    for name in ("Wya", "by"):
        parameters[name][:] = 0.0
    examples = [text.name_to_example(n, text.build_char_vocab(["abcxyz"])[0]) for n in ("abc", "zyx")]
    assert char_rnn.nll_per_char(parameters, examples, vocab_size) == pytest.approx(math.log(vocab_size))
    probs = np.full((2, 3, vocab_size), 1 / vocab_size)
    targets = np.zeros((2, 3), dtype=int)
    mask = np.array([[1, 1, 0], [1, 0, 0]], dtype=float)
    assert char_rnn.nll_per_char_from_probs(probs, targets, mask) == pytest.approx(math.log(vocab_size))


def test_update_parameters_is_gradient_descent_in_place():
    parameters = {k: np.ones((2, 2)) for k in ("Wax", "Waa", "Wya", "ba", "by")}
    gradients = {"d" + k: np.full((2, 2), 2.0) for k in parameters}
    same = parameters["Wax"]
    char_rnn.update_parameters(parameters, gradients, 0.25)
    assert same is parameters["Wax"] and np.allclose(same, 0.5)


def test_a_training_curve_over_integer_steps_has_integer_ticks_only():
    import matplotlib

    matplotlib.use("Agg")
    from helpers import plotting

    fig = plotting.training_curve(np.arange(1, 3), [2.0, 1.0], xlabel="epoch")
    ticks = fig.axes[0].get_xticks()
    assert len(ticks) >= 2 and np.array_equal(ticks, np.round(ticks))
    fig = plotting.training_curve(np.linspace(0, 1, 5), [4.0, 3.0, 2.0, 1.5, 1.0], xlabel="seconds")
    assert not np.array_equal(fig.axes[0].get_xticks(), np.round(fig.axes[0].get_xticks()))  # real steps keep theirs
