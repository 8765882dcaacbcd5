"""06 word2vec: the from-scratch losses against TensorFlow, the sampler checks can fail and accept any correct code,
and the corpus / evaluation helpers."""

import json

import numpy as np
import pytest

from graders.assignment import SUITES
from graders.compare import bernstein_tolerance
from helpers import word2vec_data
from helpers.gradcheck import numerical_gradient, rel_error

from conftest import judged, reference_namespace

ASSIGNMENT = "06_word2vec"
# TensorFlow in float64 and numpy evaluate the same formulas in another order: ~1e-15 relative per operation;
# 1e-9 relative leaves a wide margin and is far below what any bug changes (> 1e-3)
TF_RTOL = 1e-9
TF_ATOL = 1e-12


def _grader():
    import graders.word2vec as g

    return g


def _close(a, b):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=TF_RTOL, atol=TF_ATOL)


# --------------------------------------------------------------------------- the teaching core vs TensorFlow


def _tf_sgns(v, u, neg):
    """Loss of sgns_loss written with tf.nn.sigmoid_cross_entropy_with_logits: label 1 for the true pair, 0 for noise."""
    import tensorflow as tf

    pos = tf.reduce_sum(v * u, axis=1)  # (m,)
    negs = tf.einsum("mkd,md->mk", neg, v)  # (m, K)
    return (tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(pos), logits=pos))
            + tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(negs), logits=negs)))


def test_06_sgns_loss_matches_tensorflow():
    """Loss and gradients equal TF's logistic loss and GradientTape on every case (saturated scores included)."""
    import tensorflow as tf

    g, ns = _grader(), reference_namespace(ASSIGNMENT)
    for suite in SUITES:
        for case in g.GRADER.cases("sgns_loss", suite):
            loss, grads = ns["sgns_loss"](*case.args)
            variables = [tf.Variable(a, dtype=tf.float64) for a in case.args]
            with tf.GradientTape() as tape:
                tf_loss = _tf_sgns(*variables)
            tf_grads = tape.gradient(tf_loss, variables)
            assert _close(loss, tf_loss.numpy()), case.name
            for name, tf_grad in zip(("dv_target", "du_context", "du_negatives"), tf_grads):
                assert _close(grads[name], tf_grad.numpy()), (case.name, name)


def test_06_cbow_loss_matches_tensorflow():
    import tensorflow as tf

    g, ns = _grader(), reference_namespace(ASSIGNMENT)
    for suite in SUITES:
        for case in g.GRADER.cases("cbow_loss", suite):
            loss, grads = ns["cbow_loss"](*case.args)
            V, u, neg = (tf.Variable(a, dtype=tf.float64) for a in case.args)
            with tf.GradientTape() as tape:
                tf_loss = _tf_sgns(tf.reduce_mean(V, axis=1), u, neg)
            tf_grads = tape.gradient(tf_loss, [V, u, neg])
            assert _close(loss, tf_loss.numpy()), case.name
            for name, tf_grad in zip(("dV_context", "du_target", "du_negatives"), tf_grads):
                assert _close(grads[name], tf_grad.numpy()), (case.name, name)


def test_06_sgns_step_matches_a_tensorflow_sgd_step():
    """tf.gather's gradient sums over repeated indices: the reference's in-place step must equal W - lr * dW."""
    import tensorflow as tf

    g, ns = _grader(), reference_namespace(ASSIGNMENT)
    for suite in SUITES:
        for case in g.GRADER.cases("sgns_step", suite):
            W_in, W_out, targets, contexts, negatives, lr = (np.copy(a) for a in case.args)
            loss = ns["sgns_step"](W_in, W_out, targets, contexts, negatives, float(lr))
            tf_in, tf_out = tf.Variable(case.args[0]), tf.Variable(case.args[1])
            with tf.GradientTape() as tape:
                tf_loss = _tf_sgns(tf.gather(tf_in, targets), tf.gather(tf_out, contexts), tf.gather(tf_out, negatives))
            d_in, d_out = (tf.convert_to_tensor(d).numpy() for d in tape.gradient(tf_loss, [tf_in, tf_out]))
            assert _close(loss, tf_loss.numpy()), case.name
            assert _close(W_in, case.args[0] - lr * d_in) and _close(W_out, case.args[1] - lr * d_out), case.name


def test_06_sgns_gradients_match_centred_differences():
    ns = reference_namespace(ASSIGNMENT)
    rng = np.random.default_rng(0)
    args = [rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.standard_normal((3, 2, 4))]
    _, grads = ns["sgns_loss"](*args)
    for name, array in zip(("dv_target", "du_context", "du_negatives"), args):
        numeric = numerical_gradient(lambda: ns["sgns_loss"](*args)[0], array)
        assert rel_error(grads[name], numeric) < 1e-7, name  # centred differences: O(h^2) ~ 1e-10 here


# --------------------------------------------------------------------------- skip-gram pairs and the noise


def _pairs_by_loops(tokens, window):
    pairs = [(tokens[i], tokens[j]) for i in range(len(tokens)) for j in range(i - window, i + window + 1)
             if j != i and 0 <= j < len(tokens)]
    return np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)


def test_06_skipgram_pairs_equal_the_double_loop():
    g, ns = _grader(), reference_namespace(ASSIGNMENT)
    for suite in SUITES:
        for case in g.GRADER.cases("skipgram_pairs", suite):
            for got, want in zip(ns["skipgram_pairs"](*case.args), _pairs_by_loops(*case.args)):
                assert np.array_equal(got, want), case.name


def test_06_a_loop_version_of_skipgram_pairs_passes():
    assert judged(ASSIGNMENT, "skipgram_pairs", _pairs_by_loops) is None


def test_06_noise_distribution_sums_to_one_and_is_flatter_than_the_unigram():
    ns = reference_namespace(ASSIGNMENT)
    counts = np.array([1000, 100, 10, 1])
    noise, unigram = ns["noise_distribution"](counts, 0.75), counts / counts.sum()
    assert abs(noise.sum() - 1) < 1e-12
    assert noise[0] < unigram[0] and noise[-1] > unigram[-1]


# --------------------------------------------------------------------------- the samplers: tolerances that separate


def _band_excess(counts, want, observed_p, n):
    """How many Bernstein tolerances separate the expected count n * want from the count n * observed_p."""
    return np.max(np.abs(n * observed_p - n * want) / bernstein_tolerance(n, want))


def test_06_subsample_bugs_miss_by_at_least_five_tolerances():
    """Each known subsampling bug moves the expected count of some word by >= 5 tolerances, on some public case."""
    g = _grader()
    for bug in ("discard", "raw_counts", "default_t", "all_kept"):
        worst = 0.0
        for case in g.GRADER.cases("subsample", "public"):
            _, counts, t = case.args
            f = counts / counts.sum()
            p = {"discard": np.maximum(0, 1 - np.sqrt(t / f)), "raw_counts": np.minimum(1, np.sqrt(t / counts)),
                 "default_t": np.minimum(1, np.sqrt(g.SUBSAMPLE_T / f)), "all_kept": np.ones_like(f)}[bug]
            want = g.keep_probabilities(counts, t)
            worst = max(worst, np.max(np.abs(counts * p - counts * want) / bernstein_tolerance(counts, want)))
        assert worst > 5, bug


def test_06_uniform_negatives_miss_by_at_least_five_tolerances():
    g = _grader()
    for case in g.GRADER.cases("draw_negatives", "public"):
        noise, m, K = case.args
        uniform = np.full(len(noise), 1 / len(noise))
        assert _band_excess(None, noise, uniform, m * K) > 5, case.name


@pytest.mark.parametrize("func_name, observe", [("subsample", "_observe_subsample"),
                                                ("draw_negatives", "_observe_negatives")])
def test_06_sampler_checks_hold_for_other_random_streams(func_name, observe):
    """The reference passes the frequency properties whatever the seed: the tolerance is not tuned to one stream."""
    g = _grader()
    func = reference_namespace(ASSIGNMENT)[func_name]
    spec = g.GRADER.graded[func_name].spec
    for suite in SUITES:
        for case in g.GRADER.cases(func_name, suite):
            for seed in (101, 202, 303, 404):
                reseeded = type(case)(case.name, case.dims, case.args, case.kwargs, dict(case.data, seed=seed))
                observation = getattr(g, observe)(func, reseeded)
                assert observation.failure is None
                for prop in spec.properties:
                    assert prop.check(observation.leaves, reseeded) is None, (case.name, seed)


def test_06_samplers_that_draw_differently_pass():
    """Any correct sampler passes: a per-token loop with rng.uniform, and inverse-CDF negatives with searchsorted."""

    def subsample(tokens, counts, t, rng):
        f = counts / counts.sum()
        return np.array([w for w in tokens if rng.uniform() < min(1.0, np.sqrt(t / f[w]))], dtype=np.int64)

    def draw_negatives(noise, m, K, rng):
        cdf = np.cumsum(noise)
        return np.minimum(np.searchsorted(cdf, rng.random((m, K)) * cdf[-1], side="right"), len(noise) - 1)

    assert judged(ASSIGNMENT, "subsample", subsample) is None
    assert judged(ASSIGNMENT, "draw_negatives", draw_negatives) is None


@pytest.mark.parametrize("func_name, returned, words", [
    ("subsample", None, "did you forget a `return` statement?"),
    ("subsample", np.array([0.5, 1.0]), "expected integer word indices"),
    ("subsample", np.array([99]), "outside the vocabulary"),
    ("draw_negatives", np.zeros(4, dtype=np.int64), "expected an array of shape (m, K)"),
    ("draw_negatives", "abc", "expected the negatives as a numpy array"),
])
def test_06_strange_sampler_results_get_a_sentence(func_name, returned, words):
    message = judged(ASSIGNMENT, func_name, lambda *args: returned)
    assert message.startswith(f"{func_name} failed on case") and words in message, message
    assert "Traceback" not in message


def test_06_probe_mode_observations_survive_the_transport():
    from graders import probe

    g, ns = _grader(), reference_namespace(ASSIGNMENT)
    for func_name in ("subsample", "draw_negatives"):
        observations = g.GRADER.observe_all(func_name, ns[func_name], "public")
        back = probe.decode(json.loads(json.dumps(probe.encode(observations))))
        assert g.GRADER.judge(func_name, "public", back, None) is None


# --------------------------------------------------------------------------- helpers


def test_06_wikitext2_loads_lower_cased_without_unk():
    tokens = word2vec_data.load_wikitext2("valid", max_tokens=5000)
    assert len(tokens) == 5000 and "<unk>" not in tokens and all(t == t.lower() for t in tokens)
    with pytest.raises(ValueError, match="split must be one of"):
        word2vec_data.load_wikitext2("training")
    with pytest.raises(ValueError, match="max_tokens"):
        word2vec_data.load_wikitext2("valid", max_tokens=0)


def test_06_vocabulary_is_frequency_ordered_with_a_minimum_count():
    word_to_index, index_to_word, counts = word2vec_data.build_vocab("a b a c a b d".split(), min_count=2)
    assert index_to_word == ["a", "b"] and counts.tolist() == [3, 2] and word_to_index == {"a": 0, "b": 1}
    assert word2vec_data.encode("a d b".split(), word_to_index).tolist() == [0, 1]
    with pytest.raises(ValueError, match="lower min_count"):
        word2vec_data.build_vocab(["a"], min_count=2)


def test_06_pair_batches_cover_every_pair_once():
    targets, contexts = np.arange(10), np.arange(10) + 100
    seen = [(t, c) for bt, bc in word2vec_data.pair_batches(targets, contexts, 3, np.random.default_rng(0))
            for t, c in zip(bt, bc)]
    assert sorted(seen) == list(zip(targets, contexts))


def test_06_analogy_accuracy_solves_a_built_analogy_and_skips_unknown_words():
    # a : b :: c : d with d = c + (b - a) exactly; "decoy" is close to c but off the offset
    words = ["a", "b", "c", "d", "decoy"]
    E = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [0.1, 0, 1]], dtype=float)
    index = {w: i for i, w in enumerate(words)}
    result = word2vec_data.analogy_accuracy(E, index, [("x", "a", "b", "c", "d"), ("x", "a", "b", "c", "zzz")])
    assert result["overall"] == 1.0 and result["coverage"] == (1, 2) and result["per_category"] == {"x": (1, 1)}
    wrong = word2vec_data.analogy_accuracy(E, index, [("x", "a", "b", "c", "decoy")])
    assert wrong["overall"] == 0.0


def test_06_nearest_neighbours_exclude_the_word_and_name_a_missing_one():
    E = np.array([[1, 0], [0.9, 0.1], [0, 1]], dtype=float)
    found = word2vec_data.nearest_neighbours(E, {"x": 0, "y": 1, "z": 2}, ["x", "y", "z"], "x", k=2)
    assert [w for w, _ in found] == ["y", "z"]
    with pytest.raises(KeyError, match="not in the vocabulary"):
        word2vec_data.nearest_neighbours(E, {"x": 0}, ["x"], "q")


def test_06_cooccurrence_weights_by_distance_and_is_symmetric():
    index = {"a": 0, "b": 1, "c": 2}
    X = word2vec_data.cooccurrence_matrix([["a", "b", "c"]], index, window=2)
    assert np.allclose(X, X.T) and X[0, 1] == 1.0 and X[0, 2] == 0.5 and X[0, 0] == 0.0


def test_06_glove_objective_gradients_match_centred_differences():
    rng = np.random.default_rng(1)
    X = np.array([[0, 3, 0.5], [3, 0, 120], [0.5, 120, 0]])
    params = [rng.standard_normal((3, 2)), rng.standard_normal((3, 2)), rng.standard_normal(3), rng.standard_normal(3)]
    _, grads = word2vec_data.glove_loss_and_gradients(*params, X)
    for name, array in zip(("dW", "dW_tilde", "db", "db_tilde"), params):
        numeric = numerical_gradient(lambda: word2vec_data.glove_loss_and_gradients(*params, X)[0], array)
        assert rel_error(grads[name], numeric) < 1e-7, name
    assert word2vec_data.glove_weight(np.array([0.0, 100.0, 1000.0])).tolist() == [0.0, 1.0, 1.0]
