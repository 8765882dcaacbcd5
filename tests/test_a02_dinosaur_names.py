"""02 dinosaur_names: the behaviour checks of sample and train_char_rnn can fail, and accept any correct code."""

import numpy as np
import pytest

from graders.assignment import SUITES
from graders.compare import FREQUENCY_Z
from helpers.char_rnn import one_hot, rnn_step_forward

from conftest import judged, reference_namespace

ASSIGNMENT = "02_dinosaur_names"


def _grader():
    import graders.dinosaur_names as g

    return g


def _buggy_first_two(parameters, carry_state=True, feed_back=True):
    """P(first two characters) of a sampler with a known bug (the grader's oracle has none)."""
    V, n_a = parameters["by"].shape[0], parameters["Waa"].shape[0]
    a1, p1 = rnn_step_forward(parameters, np.zeros((n_a, 1)), np.zeros((V, 1)))
    joint = np.zeros((V, V + 1))
    joint[0, V] = p1[0, 0]
    for i in range(1, V):
        a_prev = a1 if carry_state else np.zeros((n_a, 1))
        x = one_hot(i, V) if feed_back else np.zeros((V, 1))
        joint[i, :V] = p1[i, 0] * rnn_step_forward(parameters, a_prev, x)[1][:, 0]
    return joint


def test_02_recurrent_models_separate_the_known_bugs():
    """Dropping Waa @ a_prev, not feeding the character back or dropping by moves a frequency by >= 5 tolerances."""
    g = _grader()
    for suite in SUITES:
        for case in g.GRADER.cases("sample", suite):
            if case.data["kind"] != "names":
                continue
            parameters, n, z = case.args[0], case.dims["names"], FREQUENCY_Z
            p = g.first_two_probabilities(parameters, g.MAX_NAME_LENGTH)
            assert np.allclose(p, _buggy_first_two(parameters))  # the oracle is the bug-free sampler
            tolerance = (z ** 2 / 6 + np.sqrt(z ** 4 / 36 + z ** 2 * n * p * (1 - p))) / n
            for bug in (dict(carry_state=False), dict(feed_back=False)):
                assert np.max(np.abs(_buggy_first_two(parameters, **bug) - p) / tolerance) > 5, (case.name, bug)
            no_bias = dict(parameters, by=np.zeros_like(parameters["by"]))
            first, first_bug = p.sum(axis=1), g.first_two_probabilities(no_bias, g.MAX_NAME_LENGTH).sum(axis=1)
            first_tolerance = (z ** 2 / 6 + np.sqrt(z ** 4 / 36 + z ** 2 * n * first * (1 - first))) / n
            assert np.max(np.abs(first_bug - first) / first_tolerance) > 5, case.name


def test_02_frequency_check_holds_for_other_random_streams():
    """The reference passes the frequency property whatever the seed: the tolerance is not tuned to one stream."""
    g = _grader()
    sample = reference_namespace(ASSIGNMENT)["sample"]
    observe, (frequencies,) = g.GRADER.graded["sample"].observe, g.SAMPLE.properties
    for suite in SUITES:
        for case in g.GRADER.cases("sample", suite):
            for seed in (101, 202, 303):
                reseeded = type(case)(case.name, case.dims, case.args, case.kwargs, dict(case.data, seed=seed))
                observation = observe(sample, reseeded)
                assert observation.failure is None
                assert frequencies.check(observation.leaves, reseeded) is None, (case.name, seed)


def test_02_a_sampler_that_draws_by_inverse_cdf_passes():
    """Any correct sampler passes, even one that consumes the generator differently (one uniform per character)."""
    from helpers.activations import softmax

    def sample(parameters, char_to_ix, rng, max_length=50):
        V, n_a = parameters["by"].shape[0], parameters["Waa"].shape[0]
        x, a_prev, indices = np.zeros((V, 1)), np.zeros((n_a, 1)), []
        for _ in range(max_length):
            a_prev = np.tanh(parameters["Wax"] @ x + parameters["Waa"] @ a_prev + parameters["ba"])
            cdf = np.cumsum(softmax(parameters["Wya"] @ a_prev + parameters["by"])[:, 0])
            idx = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), V - 1)
            indices.append(idx)
            if idx == char_to_ix["\n"]:
                break
            x = one_hot(idx, V)
        return indices

    assert judged(ASSIGNMENT, "sample", sample) is None


@pytest.mark.parametrize("returned, words", [
    ("abc", "expected a list of integer indices, got str"),
    ([1.0, 0.0], "expected a list of integer indices, got list of float"),
    ([7], "outside the vocabulary"),
])
def test_02_strange_samples_get_a_sentence(returned, words):
    message = judged(ASSIGNMENT, "sample", lambda parameters, char_to_ix, rng, max_length=50: returned)
    assert message.startswith('sample failed on case "chain"') and words in message
    assert "Traceback" not in message


@pytest.mark.parametrize("returned, words", [
    (None, "expected a list of numbers (one loss per iteration), got None"),
    ({"losses": []}, "expected a list of numbers (one loss per iteration), got dict"),
    ([(100.0, {}, None)], "got list of tuple"),
])
def test_02_strange_training_results_get_a_sentence(returned, words):
    def train(examples, parameters, num_iterations, learning_rate, optimize_fn=None, callback=None):
        a_prev = np.zeros((parameters["Waa"].shape[0], 1))
        for j in range(num_iterations):
            _, _, a_prev = optimize_fn(*examples[j % len(examples)], a_prev, parameters, learning_rate)
        return returned

    message = judged(ASSIGNMENT, "train_char_rnn", train)
    assert message.startswith("train_char_rnn failed") and words in message


def test_02_probe_mode_observations_survive_the_transport():
    """What the kernel sends (JSON) is what the judge reads, for the behaviour-based functions too."""
    import json

    from graders import probe

    g = _grader()
    ns = reference_namespace(ASSIGNMENT)
    for func_name in ("sample", "train_char_rnn"):
        observations = g.GRADER.observe_all(func_name, ns[func_name], "public")
        back = probe.decode(json.loads(json.dumps(probe.encode(observations))))
        assert g.GRADER.judge(func_name, "public", back, None) is None


def test_02_a_wrong_call_of_optimize_fn_names_it_as_the_student_knows_it():
    """The stand-in's own errors read "optimize_fn() takes ...", never a grader's local name."""

    def train(examples, parameters, num_iterations, learning_rate, optimize_fn=None, callback=None):
        return [optimize_fn(*examples[0], np.zeros((parameters["Waa"].shape[0], 1)), parameters, learning_rate, 27)]

    message = judged(ASSIGNMENT, "train_char_rnn", train)
    assert "optimize_fn() takes 5 positional arguments but 6 were given" in message and "<locals>" not in message
