"""05 word_vectors: the reference against trusted oracles (scipy, scikit-learn), the planted
analogy cases against what each formula really answers, and the no-loop check by behaviour."""

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.linalg import null_space
from scipy.spatial.distance import cosine as scipy_cosine_distance
from sklearn.metrics.pairwise import cosine_similarity as sklearn_cosine
from sklearn.metrics.pairwise import euclidean_distances

import graders.word_vectors as g
from graders import behaviour
from graders.assignment import MIN_MARGIN, SUITES
from helpers import embeddings

from conftest import reference_namespace, suite_records

ASSIGNMENT = "05_word_vectors"
# float64 formulas evaluated two ways (BLAS dot vs a library's own order) differ by ~1e-15
ORACLE_ATOL = 1e-12


@pytest.fixture(scope="module")
def ns():
    return reference_namespace(ASSIGNMENT)


def all_cases(func_name):
    """Every case as the judge builds it (a hidden analogy case holds its answer only there)."""
    return [case for suite in SUITES
            for case in g.GRADER.cases(func_name, suite, g.GRADER.judging_record(suite_records(ASSIGNMENT)[suite]))]


# --------------------------------------------------------------------------- cosine_similarity and neutralize


def test_cosine_similarity_matches_scipy_and_sklearn(ns):
    rng = np.random.default_rng(0)
    pairs = [case.args for case in all_cases("cosine_similarity")] + \
            [(rng.standard_normal(d), rng.standard_normal(d)) for d in (1, 2, 50, 300)]
    for u, v in pairs:
        ours = ns["cosine_similarity"](u, v)
        assert isinstance(ours, float)
        assert abs(ours - sklearn_cosine(u[None], v[None])[0, 0]) < ORACLE_ATOL  # sklearn: 0 for a zero vector
        if np.any(u) and np.any(v):  # scipy's distance is undefined (nan) for a zero vector
            assert abs(ours - (1 - scipy_cosine_distance(u, v))) < ORACLE_ATOL


def test_neutralize_is_the_orthogonal_projection_of_scipy(ns):
    """e_debiased = N N^T e, N an orthonormal basis of the complement of g (scipy.linalg.null_space)."""
    rng = np.random.default_rng(1)
    pairs = [case.args for case in all_cases("neutralize")] + \
            [(rng.standard_normal(d), rng.standard_normal(d) * s) for d, s in ((3, 1.0), (50, 0.01), (50, 100.0))]
    for e, direction in pairs:
        N = null_space(direction[None, :])  # (emb_dim, emb_dim - 1)
        np.testing.assert_allclose(ns["neutralize"](e, direction), N @ (N.T @ e), atol=1e-10)
        assert abs(np.dot(ns["neutralize"](e, direction), direction)) < 1e-10 * np.linalg.norm(direction)


# --------------------------------------------------------------------------- equalize


def _leaves(e1, e2):
    return {"e1": e1, "e2": e2}


def test_reference_equalize_has_every_defining_property(ns):
    rng = np.random.default_rng(2)
    cases = all_cases("equalize")
    for d in (2, 5, 50, 300):  # random unit pairs beyond the graded cases
        e_w1, e_w2 = (x / np.linalg.norm(x) for x in rng.standard_normal((2, d)))
        cases.append(g.Case("random", {}, (e_w1, e_w2, rng.standard_normal(d))))
    for case in cases:
        leaves = _leaves(*ns["equalize"](*case.args))
        for prop in g.EQUALIZE_PROPERTIES:
            assert prop.check(leaves, case) is None, (case.name, prop.description)


def test_equalize_matches_the_paper_written_with_scipy_projections(ns):
    """Bolukbasi et al.'s equalize with B and its complement as explicit projection matrices."""
    for case in all_cases("equalize"):
        e_w1, e_w2, direction = case.args
        B = direction[:, None] / np.linalg.norm(direction)  # (emb_dim, 1) orthonormal basis of the bias subspace
        N = null_space(direction[None, :])
        mu = (e_w1 + e_w2) / 2
        nu = N @ (N.T @ mu)
        expected = [nu + np.sqrt(1 - nu @ nu) * (B @ (B.T @ (w - mu))) / np.linalg.norm(B.T @ (w - mu))
                    for w in (e_w1, e_w2)]
        for ours, theirs in zip(ns["equalize"](*case.args), expected):
            np.testing.assert_allclose(ours, theirs, atol=1e-10)


def test_each_equalize_property_can_fail(ns):
    case = all_cases("equalize")[0]
    e1, e2 = ns["equalize"](*case.args)
    e_w1, _, direction = case.args
    g_hat = direction / np.linalg.norm(direction)
    wrong = {
        "shape": _leaves(e1[:-1], e2),
        "neutral part": _leaves(e1 + 0.1 * (e_w1 - (e_w1 @ g_hat) * g_hat), e2),
        "opposite": _leaves(e1, e2 + 0.1 * g_hat),
        "unit": _leaves(0.9 * e1, 0.9 * e2),
        "sides": _leaves(e2, e1),
    }
    for prop, leaves in zip(g.EQUALIZE_PROPERTIES, wrong.values()):
        assert prop.check(leaves, case) is not None, prop.description


# --------------------------------------------------------------------------- complete_analogy


def _oracle_scores(case, how="cosine", target=None):
    """Scores of every word for the question of a case, by a trusted library; inputs get -inf."""
    a, b, c, word_to_index, _, E = case.args
    ea, eb, ec = (np.asarray(E[word_to_index[w]], dtype=float) for w in (a, b, c))
    target = eb - ea + ec if target is None else target(ea, eb, ec)
    E = np.asarray(E, dtype=float)
    if how == "cosine":
        scores = sklearn_cosine(E, target[None])[:, 0]
    elif how == "dot":
        scores = E @ target
    else:
        scores = -euclidean_distances(E, target[None])[:, 0]
    for w in (a, b, c):
        scores[word_to_index[w]] = -np.inf
    return scores


def _word(case, scores):
    return case.args[4][int(np.argmax(scores))]


@pytest.mark.parametrize("case", all_cases("complete_analogy"), ids=lambda c: c.name)
def test_expected_answer_is_the_oracles_with_a_margin(case):
    scores = _oracle_scores(case)
    assert _word(case, scores) == case.data["answer"]
    top2 = np.sort(scores)[-2:]
    assert top2[1] - top2[0] >= MIN_MARGIN  # the same argmax on every CPU, float32 GloVe included


@pytest.mark.parametrize("case", [c for c in all_cases("complete_analogy") if c.data["kind"] != "glove"],
                         ids=lambda c: c.name)
def test_planted_bug_answers_are_what_each_bug_returns(case):
    """Every hint a planted case names is earned: that bug really answers that word, by a margin."""
    hints = case.data["bug_hints"]
    bugs = {g.HINT_DOT: _oracle_scores(case, "dot"), g.HINT_EUCLIDEAN: _oracle_scores(case, "euclidean"),
            g.HINT_REVERSED: _oracle_scores(case, target=lambda ea, eb, ec: ea - eb + ec),
            g.HINT_C_IGNORED: _oracle_scores(case, target=lambda ea, eb, ec: eb - ea)}
    for hint, scores in bugs.items():
        if hint in hints.values():
            assert hints[_word(case, scores)] == hint
            top2 = np.sort(scores)[-2:]
            assert top2[1] - top2[0] >= MIN_MARGIN
    a, b, c, word_to_index, index_to_word, E = case.args
    with_inputs = sklearn_cosine(E, (E[word_to_index[b]] - E[word_to_index[a]] + E[word_to_index[c]])[None])[:, 0]
    if case.data["kind"] == "negative":  # inputs scored 0 beat every candidate, whose cosines are negative
        others = [i for i in range(len(index_to_word)) if index_to_word[i] not in (a, b, c)]
        assert np.max(with_inputs[others]) < 0
    elif case.data["kind"] == "exclusion":  # inputs not excluded: an input word wins
        assert index_to_word[int(np.argmax(with_inputs))] in (a, b, c)


def test_reference_solves_analogies_of_four_relations_over_all_400k_words(ns):
    word_to_index, index_to_word, E = embeddings.load_glove()
    assert not E.flags.writeable  # the memory map: a reference that wrote into E would raise here
    for a, b, c, d in [("france", "paris", "germany", "berlin"), ("walk", "walked", "swim", "swam"),
                       ("good", "better", "bad", "worse"), ("prince", "princess", "actor", "actress")]:
        assert ns["complete_analogy"](a, b, c, word_to_index, index_to_word, E) == d


def _lines_run(func, vocab_size, seed=5):
    (word_to_index, index_to_word, E), (a, b, c), _, _ = g.planted_vocabulary("lengths", vocab_size, 20, seed)
    with behaviour.PythonLineCounter() as counter:
        func(a, b, c, word_to_index, index_to_word, E)
    return counter.lines


def test_the_reference_runs_the_same_few_lines_whatever_the_vocabulary_size(ns):
    small, large = _lines_run(ns["complete_analogy"], 1_000), _lines_run(ns["complete_analogy"], 20_000)
    assert small == large <= g.MAX_PYTHON_LINES / 10  # numpy's own Python lines included


def test_a_loop_hidden_in_a_library_call_is_counted_too(ns):
    """map(np.linalg.norm, E) loops in C, but runs np.linalg.norm's Python lines once per row."""

    def norms_by_map(word_a, word_b, word_c, word_to_index, index_to_word, E):
        target = E[word_to_index[word_b]] - E[word_to_index[word_a]] + E[word_to_index[word_c]]
        scores = (E @ target) / np.array(list(map(np.linalg.norm, E)))
        return index_to_word[int(np.argmax(scores))]

    assert _lines_run(norms_by_map, 2_000) > 2_000 > g.MAX_PYTHON_LINES


def test_a_loop_over_the_vocabulary_is_counted_line_by_line(ns):
    cosine_similarity = ns["cosine_similarity"]

    def looping(word_a, word_b, word_c, word_to_index, index_to_word, E):
        target = E[word_to_index[word_b]] - E[word_to_index[word_a]] + E[word_to_index[word_c]]
        best, best_word = -np.inf, None
        for word, row in word_to_index.items():
            if word not in (word_a, word_b, word_c) and cosine_similarity(E[row], target) > best:
                best, best_word = cosine_similarity(E[row], target), word
        return best_word

    assert _lines_run(looping, 2_000) > 2_000 > g.MAX_PYTHON_LINES


def test_the_line_counter_restores_a_tracer_already_set():
    def tracer(frame, event, arg):
        return None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        with pytest.raises(ZeroDivisionError):
            with behaviour.PythonLineCounter():
                1 / 0
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def test_05_hidden_cases_differ_in_structure():
    from graders.instructor.assignments import word_vectors as declared

    public, hidden = g._PLANTED.values(), declared.HIDDEN_PLANTED.values()
    assert {kind for kind, *_ in hidden} - {kind for kind, *_ in public} == {"negative"}
    assert {dim for *_, dim, _ in hidden} - {dim for *_, dim, _ in public}
    assert max(q[-1] for q in declared.HIDDEN_GLOVE_QUESTIONS.values()) > max(q[-1] for q in g.GLOVE_QUESTIONS.values())
    assert {kind for _, kind, _ in g._NEUTRALIZE_CASES["hidden"].values()} & {"parallel", "orthogonal"}
    # a pair already equalized: no part of its own, bias parts equal and opposite
    assert any(own == 0 and b1 == -b2 for _, _, own, (b1, b2), _, _ in g._EQUALIZE_CASES["hidden"].values())


def test_05_no_public_file_holds_a_hidden_analogy_answer():
    """The student's kernel builds the hidden cases from the public record alone: inputs, never answers."""
    from graders.instructor.assignments import word_vectors as declared

    kernel_side = g.GRADER.cases("complete_analogy", "hidden")
    assert {c.name for c in kernel_side} == set(declared.HIDDEN_PLANTED) | set(declared.HIDDEN_GLOVE_QUESTIONS)
    assert all(c.data["answer"] is None and not c.data["bug_hints"] for c in kernel_side)
    public_text = "".join(p.read_text() for p in (Path(g.__file__).parent).glob("*.py"))
    assert "spanish" not in public_text
    judged_side = all_cases("complete_analogy")
    assert all(c.data["answer"] for c in judged_side)
