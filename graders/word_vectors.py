"""Checks for notebook 05, word_vectors: cosine similarity, analogies, neutralize and equalize.

How each function is graded:

- cosine_similarity and neutralize are record-based: their outputs are
  compared with the reference solution's (graders/references/05_word_vectors.npz),
  and known bugs are named by their recorded outputs.
- complete_analogy is graded by behaviour. It runs on *planted* vocabularies,
  random vectors with a few words placed at chosen angles and lengths, so the
  right answer and the answer of each known bug (inputs not excluded, dot
  product instead of cosine, Euclidean distance, reversed offset, word_c
  ignored) are known by construction; and on real GloVe questions whose answer
  is a fact (brother : sister :: uncle : aunt). The probe also counts the lines of
  Python the function runs, its own and those of any library code it calls
  (graders.behaviour.PythonLineCounter): a loop over the vocabulary runs at
  least one line per word, wherever it hides (map(np.linalg.norm, E) runs
  np.linalg.norm's lines once per row), a vectorized query a few dozen.
- equalize is graded by the properties that define it (Bolukbasi et al. 2016):
  both words share the pair's neutral part, their bias components are equal
  and opposite, both have unit length, and each stays on its own side. These
  four determine the answer uniquely, so a pair that has them is the paper's.

Hidden cases differ in structure: a vocabulary in which every candidate has a
negative cosine, another dimension, a larger GloVe vocabulary; exact zero,
orthogonal and parallel vectors; a pair that is already symmetric.

Source: Bolukbasi, Chang, Zou, Saligrama & Kalai (2016), "Man is to Computer
Programmer as Woman is to Homemaker? Debiasing Word Embeddings", NeurIPS;
Mikolov, Yih & Zweig (2013), "Linguistic Regularities in Continuous Space Word
Representations" (the vector offset method for analogies).
"""

import numpy as np

from graders import behaviour, planted, records
from graders.assignment import Assignment
from graders.planted import unit_vector, vector_at_angle
from graders.messages import fmt_number
from graders.probe import observe_spec
from graders.spec import Case, FunctionSpec, Output, Property
from helpers import embeddings

GRADER = Assignment.of_module(__name__)


# --------------------------------------------------------------------------- cosine_similarity

_COSINE_CASES = {  # name: (emb_dim, kind, seed)
    "public": {"random_50d": (50, "random", 1), "near_parallel": (10, "near_parallel", 2),
               "zero_vector": (4, "v_zero", 3)},
    "hidden": {"opposite_1d": (1, "opposite", 101), "large_norms": (300, "large", 102),
               "orthogonal": (6, "orthogonal", 103), "both_zero": (2, "both_zero", 104)},
}
_LARGE_NORM = 1e3  # entries of size 1e3: a sum of squares that must still be handled in float64


def _cosine_inputs(emb_dim, kind, seed):
    rng = np.random.default_rng(seed)
    u, v = rng.standard_normal(emb_dim), rng.standard_normal(emb_dim)
    if kind == "near_parallel":
        v = 2 * u + 0.1 * v
    elif kind == "v_zero":
        v = np.zeros(emb_dim)
    elif kind == "opposite":
        v = -0.5 * u
    elif kind == "large":
        u, v = _LARGE_NORM * u, _LARGE_NORM * v
    elif kind == "orthogonal":  # integer-valued, so u . v is exactly 0
        u, v = np.array([1.0, 0, 2, 0, -1, 3]), np.array([0.0, 4, 1, 5, 2, 0])
    elif kind == "both_zero":
        u, v = np.zeros(emb_dim), np.zeros(emb_dim)
    return u, v


def _cosine_cases(suite, record=None):
    return [Case(name, {"emb_dim": emb_dim, "vectors": kind.replace("_", " ")}, _cosine_inputs(emb_dim, kind, seed))
            for name, (emb_dim, kind, seed) in _COSINE_CASES[suite].items()]


COSINE_FORMULA = "cos(u, v) = u . v / (||u|| ||v||), a number in [-1, 1]"
COSINE = FunctionSpec(
    name="cosine_similarity",
    outputs=(Output("cosine", "scalar"),),
    inputs=("u", "v"),
    hints={
        "no_normalization": "the result is the plain dot product u . v: divide it by the lengths ||u|| ||v||",
        "norms_not_square_rooted": "the lengths are not square-rooted: ||u|| = sqrt(sum of u**2)",
        "cosine_distance": "this is the cosine distance 1 - cos(u, v): return the similarity itself",
        "v_ignored": "the result is 1 whatever v is: u . v and ||v|| must use the second vector",
    },
    default_hint=f"{COSINE_FORMULA}; when u or v is all zeros there is no angle: return 0.0",
)
GRADER.add(COSINE, _cosine_cases)


# --------------------------------------------------------------------------- complete_analogy

HINT_NOT_EXCLUDED = ("the answer is a word of the question: rule out word_a, word_b and word_c (give them the "
                     "lowest possible score) before taking the best")
HINT_ZERO_EXCLUDED = ("a word of the question came back: here every other word has a negative cosine, so an "
                      "excluded word must score below any cosine (-np.inf), not 0")
HINT_DOT = ("a long vector beat a better-aligned one: divide each dot product by the lengths of both vectors, "
            "so the score is a cosine")
HINT_EUCLIDEAN = ("the nearest point won over the best-aligned direction: rank the words by cosine similarity "
                  "with the target, not by Euclidean distance")
HINT_REVERSED = "the offset points the wrong way: the answer lies near e_b - e_a + e_c"
HINT_C_IGNORED = "the answer follows e_b - e_a alone: the relation must be applied to e_c (add it)"
HINT_LOOP = ("score the whole vocabulary at once: one matrix product E @ target gives every dot product, and "
             "the row lengths turn them into cosines; no Python loop over the words")
HINT_ANALOGY = ("the answer is the word, other than the three inputs, whose vector has the largest cosine with "
                "e_b - e_a + e_c")
MAX_PYTHON_LINES = 1000  # per query; a loop over a planted vocabulary (5,000 words) runs at least 5,000
PLANTED_VOCAB_SIZE = 5000
GLOVE_QUESTIONS = {"glove_family": ("brother", "sister", "uncle", "aunt", 50_000)}  # name: (a, b, c, answer, top_n)
_PLANTED = {"planted_exclusion": ("exclusion", PLANTED_VOCAB_SIZE, 50, 11),  # name: (kind, vocab_size, emb_dim, seed)
            "planted_lengths": ("lengths", PLANTED_VOCAB_SIZE, 50, 12)}
# What each kind of planted vocabulary plants around its question a : b :: c : ?, the answer first: (direction,
# cosine with it, length (None: the target's), hint of the bug that returns the word), the directions being
# "target" e_b - e_a + e_c, "reversed" e_a - e_b + e_c and "offset" e_b - e_a. Noise words have random
# directions (cosine about N(0, 1/emb_dim) with any fixed vector, below 0.75 here) and lengths in [0.5, 1.5].
PLANTED_KINDS = {  # kind: (length of b - a, 0: b is a random unit vector; hint when an input comes back; words)
    # b close to a: the target lies almost along e_c (cosine 0.97), so an input word wins unless ruled out
    "exclusion": (0.25, HINT_NOT_EXCLUDED, (("target", 0.93, 1, None),
                                            ("offset", 0.95, 1, HINT_C_IGNORED))),
    # a long vector wins by dot product, a point at the target's length by Euclidean distance
    "lengths": (0, HINT_NOT_EXCLUDED, (("target", 0.95, 4, None), ("target", 0.85, None, HINT_EUCLIDEAN),
                                       ("target", 0.7, 12, HINT_DOT), ("reversed", 0.95, 1, HINT_REVERSED),
                                       ("offset", 0.95, 1, HINT_C_IGNORED))),
    # five words, both candidates at a negative cosine: an input word scored 0 beats them
    "negative": (0, HINT_ZERO_EXCLUDED, (("target", -0.2, 1, None), ("target", -0.6, 1, None))),
}
# The hidden cases are the instructor's: `make references` writes their inputs (vectors, question, GloVe size)
# to the public record under this fixture name and their answers and bug hints to the hidden record, so no
# public file holds a hidden answer. Hints are stored as positions in ANALOGY_HINTS.
ANALOGY_FIXTURE = "analogy"
ANALOGY_KINDS = ("exclusion", "lengths", "negative", "glove")  # records hold numbers only: a kind is its position
ANALOGY_HINTS = (HINT_NOT_EXCLUDED, HINT_ZERO_EXCLUDED, HINT_DOT, HINT_EUCLIDEAN, HINT_REVERSED, HINT_C_IGNORED)


def planted_vocabulary(kind, vocab_size, emb_dim, seed):
    """A random vocabulary with the words of PLANTED_KINDS[kind] planted at random rows around a question; returns
    ((word_to_index, index_to_word, E), question (a, b, c), answer, {word: hint of the bug that returns it})."""
    rng = np.random.default_rng(seed)
    E = planted.random_embeddings(rng, vocab_size, emb_dim)
    a, c = unit_vector(rng.standard_normal(emb_dim)), unit_vector(rng.standard_normal(emb_dim))
    step, input_hint, plants = PLANTED_KINDS[kind]
    b = a + step * unit_vector(rng.standard_normal(emb_dim)) if step else unit_vector(rng.standard_normal(emb_dim))
    directions = {"target": b - a + c, "reversed": a - b + c, "offset": b - a}
    candidates = [((np.linalg.norm(directions["target"]) if length is None else length)
                   * vector_at_angle(directions[toward], cosine, rng), hint) for toward, cosine, length, hint in plants]
    return planted.plant_question(rng, E, (a, b, c), candidates, input_hint)


def glove_question(a, b, c, answer, top_n):
    """The question a : b :: c : answer over the top_n GloVe words, as planted_vocabulary returns its question."""
    return tuple(embeddings.load_glove(top_n)), (a, b, c), answer, dict.fromkeys((a, b, c), HINT_NOT_EXCLUDED)


def _analogy_case(name, kind, vocabulary, question, answer, bug_hints):
    """A complete_analogy case; with answer None and no bug hints, a hidden case as the student's kernel builds it."""
    E = vocabulary[2]
    dims = {"question": "{} : {} :: {} : ?".format(*question), "vocab_size": E.shape[0], "emb_dim": E.shape[1]}
    return Case(name, dims, (*question, *vocabulary), data={"answer": answer, "bug_hints": bug_hints, "kind": kind})


def analogy_records(name, kind, vocabulary, question, answer, bug_hints, top_n=0):
    """({public key: array}, {hidden key: array}) of one hidden analogy case, for `make references`.

    vocabulary : (word_to_index, index_to_word, E); top_n > 0: the top_n GloVe words (E is not stored)
    """
    word_to_index = vocabulary[0]
    inputs = {"kind": np.int64(ANALOGY_KINDS.index(kind)), "top_n": np.int64(top_n),
              "question": np.array([word_to_index[w] for w in question], dtype=np.int64)}
    inputs |= {} if top_n else {"E": np.asarray(vocabulary[2])}
    secret = {"answer": np.int64(word_to_index[answer]),
              "bug_rows": np.array([word_to_index[w] for w in bug_hints], dtype=np.int64),
              "bug_hints": np.array([ANALOGY_HINTS.index(h) for h in bug_hints.values()], dtype=np.int64)}
    return ({records.fixture_key(ANALOGY_FIXTURE, name, k): v for k, v in inputs.items()},
            {records.fixture_key(ANALOGY_FIXTURE, name, k): v for k, v in secret.items()})


def _recorded_analogy_case(name, held):
    """A hidden case from the arrays the record holds for it {key: array}: its inputs, and its answer and bug hints
    when the record holds them too (the judge's record: public and hidden together)."""
    top_n = int(held["top_n"])
    E = held.get("E")  # None for a GloVe question: the vectors are the top_n GloVe words
    vocabulary = tuple(embeddings.load_glove(top_n)) if top_n else (*planted.synthetic_words(len(E)), E)
    word = vocabulary[1]  # index_to_word
    bug_hints = {word[row]: ANALOGY_HINTS[h] for row, h in zip(held.get("bug_rows", ()), held.get("bug_hints", ()))}
    return _analogy_case(name, ANALOGY_KINDS[held["kind"]], vocabulary, [word[row] for row in held["question"]],
                         word[held["answer"]] if "answer" in held else None, bug_hints)


def _public_analogy_cases():
    planted = [_analogy_case(name, kind, *planted_vocabulary(kind, *sizes))
               for name, (kind, *sizes) in _PLANTED.items()]
    glove = [_analogy_case(name, "glove", *glove_question(*question)) for name, question in GLOVE_QUESTIONS.items()]
    return planted + glove


def _observe_analogy(func, case):
    """Call func once on the case's question; record the answer's row (-1: not a word) and the Python lines run."""
    return planted.observe_choice(func, ANALOGY, case, 3, str, "a word (str)", (
        ((int, np.integer), "you returned a row number: return the word, index_to_word[row]"),),
        "return one word, the str index_to_word[row] of the best row")


ANALOGY = FunctionSpec(
    name="complete_analogy", outputs=(Output("best_word"),), default_hint=HINT_ANALOGY,
    inputs=("word_a", "word_b", "word_c", "word_to_index", "index_to_word", "E"),
    properties=(Property("answers with the best word that is not in the question",
                         planted.choice_check("answer", 4), HINT_ANALOGY),
                Property("scores the vocabulary without a Python loop over its words",
                         behaviour.no_loop_check(MAX_PYTHON_LINES, "vocab_size", "words"), HINT_LOOP)),
)
# the public cases are built once; the hidden ones from the arrays the record holds for them
GRADER.add(ANALOGY, behaviour.recorded_cases(_public_analogy_cases, ANALOGY_FIXTURE, _recorded_analogy_case),
           observe=_observe_analogy, expect=behaviour.judged_by_properties)


# --------------------------------------------------------------------------- neutralize

_NEUTRALIZE_CASES = {  # name: (emb_dim, kind, seed)
    "public": {"random_50d": (50, "random", 21), "unit_g": (8, "unit_g", 22)},
    "hidden": {"parallel": (5, "parallel", 121), "orthogonal": (6, "orthogonal", 122), "long_g_300d": (300, "long_g", 123)},
}
_LONG_G = 40.0  # ||g|| in "long_g": a formula that assumes a unit g is off by a factor 1600


def _neutralize_inputs(emb_dim, kind, seed):
    rng = np.random.default_rng(seed)
    e, g = 0.5 * rng.standard_normal(emb_dim), rng.standard_normal(emb_dim)
    if kind == "unit_g":
        g = unit_vector(g)
    elif kind == "parallel":
        e = -2.5 * g
    elif kind == "orthogonal":  # integer-valued, so e . g is exactly 0
        e, g = np.array([0.0, 3, 5, 0, -1, 0]), np.array([1.0, 0, 0, 2, 0, -1])
    elif kind == "long_g":
        g = _LONG_G * unit_vector(g)
    return e, g


def _neutralize_cases(suite, record=None):
    return [Case(name, {"emb_dim": emb_dim, "e": kind.replace("_", " ")}, _neutralize_inputs(emb_dim, kind, seed))
            for name, (emb_dim, kind, seed) in _NEUTRALIZE_CASES[suite].items()]


NEUTRALIZE = FunctionSpec(
    name="neutralize",
    outputs=(Output("e_debiased"),),
    inputs=("e", "g"),
    fresh=("e_debiased",),
    hints={
        "divided_by_norm": "the projection divides by ||g|| once: the bias component is (e . g / ||g||^2) g",
        "bias_component_returned": "this is the bias component itself: subtract it from e",
        "bias_component_added": "the bias component was added: subtract it from e",
        "g_assumed_unit": "correct only when ||g|| = 1: divide e . g by g . g, the squared length of g",
    },
    default_hint="e_debiased = e - (e . g / ||g||^2) g, a new array orthogonal to g",
)
GRADER.add(NEUTRALIZE, _neutralize_cases)


# --------------------------------------------------------------------------- equalize

# Unit vectors in float64: each quantity below is a sum of at most 300 products, off by at most
# ~300 * 1.1e-16 = 3e-14 on any CPU; every known bug violates a property by more than 1e-2.
PROPERTY_ATOL = 1e-9
# name: (emb_dim, ||nu||, length of each word's own part, bias parts (beta1, beta2) along g/||g||, ||g||, seed);
# already_symmetric: no part of their own and ||nu||^2 + 0.8^2 = 1, the pair is already what equalize returns
_EQUALIZE_CASES = {
    "public": {"same_side": (50, 0.7, 0.2, (0.5, 0.2), 3.0, 31),
               "opposite_sides": (50, 0.7, 0.2, (0.4, -0.3), 0.5, 32)},
    "hidden": {"already_symmetric": (20, 0.6, 0.0, (0.8, -0.8), 2.0, 131),
               "unit_g_3d": (3, 0.7, 0.2, (-0.1, 0.6), 1.0, 132),
               "long_g_300d": (300, 0.7, 0.2, (0.3, 0.05), 25.0, 133)},
}


def _equalize_inputs(emb_dim, nu_norm, own_norm, betas, g_norm, seed):
    """Unit vectors e_w1, e_w2: a shared neutral part nu and a part of each word's own, both orthogonal to g,
    plus the bias parts betas along g; and g."""
    rng = np.random.default_rng(seed)
    g_hat = unit_vector(rng.standard_normal(emb_dim))
    nu, *own = (unit_vector(x - (x @ g_hat) * g_hat) for x in rng.standard_normal((3, emb_dim)))
    words = (unit_vector(nu_norm * nu + own_norm * part + beta * g_hat) for part, beta in zip(own, betas))
    return (*words, g_norm * g_hat)


def _equalize_cases(suite, record=None):
    return [Case(name, {"emb_dim": emb_dim, "||g||": g_norm, "pair": "symmetric" if own == 0 else
                        "same side of the neutral subspace" if b1 * b2 > 0 else "opposite sides"},
                 _equalize_inputs(emb_dim, nu, own, (b1, b2), g_norm, seed))
            for name, (emb_dim, nu, own, (b1, b2), g_norm, seed) in _EQUALIZE_CASES[suite].items()]


def _pair_parts(leaves, case):
    """For e1 and e2: the name, the bias component e . g/||g||, the largest gap between the part orthogonal to g
    and the pair's neutral part nu = mu - mu_B (mu the mean of e_w1 and e_w2), and the length."""
    e_w1, e_w2, g = case.args
    g_hat, mu = unit_vector(g), (e_w1 + e_w2) / 2
    nu = mu - (mu @ g_hat) * g_hat
    for name in ("e1", "e2"):
        e = np.asarray(leaves[name], dtype=float)
        yield name, e @ g_hat, np.max(np.abs(e - (e @ g_hat) * g_hat - nu)), np.linalg.norm(e)


def _check_neutral_part(leaves, case):
    for name, _, gap, _ in _pair_parts(leaves, case):
        if gap > PROPERTY_ATOL:
            return (f"the part of {name} orthogonal to g differs from the pair's neutral part nu = mu - mu_B by up "
                    f"to {fmt_number(gap)} (tolerance {PROPERTY_ATOL:.0e})")
    return None


def _check_opposite_bias(leaves, case):
    (_, b1, _, _), (_, b2, _, _) = _pair_parts(leaves, case)
    if abs(b1 + b2) > PROPERTY_ATOL:
        return (f"the bias components are not equal and opposite: e1 . g/||g|| = {fmt_number(b1)}, "
                f"e2 . g/||g|| = {fmt_number(b2)}, so the two words are not equally far from the neutral subspace")
    return None


def _check_unit_length(leaves, case):
    for name, _, _, length in _pair_parts(leaves, case):
        if abs(length - 1) > PROPERTY_ATOL:
            return f"||{name}|| = {fmt_number(length)}, expected 1 (tolerance {PROPERTY_ATOL:.0e})"
    return None


def _check_sides(leaves, case):
    e_w1, e_w2, g = case.args
    if (leaves["e1"] @ g) * ((e_w1 - e_w2) @ g) <= 0:  # the signs of their bias components along g
        return "e1 lies on e_w2's side of the neutral subspace (and e2 on e_w1's): the two words swapped places"
    return None


EQUALIZE_PROPERTIES = (
    Property("e1 and e2 have the inputs' shape and finite entries", behaviour.shape_check(("e1", "e2"), 0, "e_w1"),
             "return two vectors of shape (emb_dim,), e.g. `return e1, e2`"),
    Property("both words share the pair's neutral part (so they are equally far from every neutral word)",
             _check_neutral_part,
             "nu = mu - mu_B, with mu the mean of e_w1 and e_w2 and mu_B its projection on the g you were given; "
             "add the same nu to both words and nothing else orthogonal to g"),
    Property("the bias components are equal and opposite (equidistant from the neutral axis)", _check_opposite_bias,
             "move each word's bias part relative to the centre's, e_wB - mu_B (the two point in opposite "
             "directions), and do not add mu_B back"),
    Property("both words have unit length", _check_unit_length,
             "the bias part needs length sqrt(1 - ||nu||^2): scale the unit vector (e_wB - mu_B) / ||e_wB - mu_B|| "
             "by it (the norm of the bias difference alone, not of e_w - mu)"),
    Property("each word stays on its own side of the neutral subspace", _check_sides,
             "e1 is built from e_w1 and returned first, e2 from e_w2"),
)
EQUALIZE = FunctionSpec(
    name="equalize",
    outputs=(Output("e1"), Output("e2")),
    inputs=("e_w1", "e_w2", "g"),
    fresh=("e1", "e2"),
    default_hint="Bolukbasi et al.'s equalize: e_i = nu + sqrt(1 - ||nu||^2) (e_wiB - mu_B) / ||e_wiB - mu_B||",
    properties=EQUALIZE_PROPERTIES,
)
GRADER.add(EQUALIZE, _equalize_cases, expect=behaviour.judged_by_properties)


def show_equalize_properties(equalize):
    """Quick look: run `equalize` on the first public case and say which of its properties hold."""
    case = _equalize_cases("public")[0]
    try:
        observation = observe_spec(equalize, EQUALIZE, case)
    except Exception as err:  # the quick look never raises; the graded cell gives the full message
        print(str(err).split("\n", 1)[-1].strip())
        return
    print(f"equalize on {case.describe()}:")
    for prop in EQUALIZE_PROPERTIES:
        problem = prop.check(observation.leaves, case)
        print(f"  {'holds   ' if problem is None else 'FAILS   '}{prop.description}")
        if problem is not None:
            print(f"          {problem if isinstance(problem, str) else problem[0]}")
            break


# --------------------------------------------------------------------------- test-cell entry points

check_cosine_similarity = GRADER.checker("cosine_similarity")
check_complete_analogy = GRADER.checker("complete_analogy")
check_neutralize = GRADER.checker("neutralize")
check_equalize = GRADER.checker("equalize")

# quick looks and experiment inputs for the notebook, from the first public case
preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
