"""Planted vocabularies, and functions that answer with one word of a vocabulary.

A planted vocabulary is random word vectors with a few chosen ones written in at random rows, so that the
right answer, and the answer each known bug gives, is a known word (`random_embeddings`, `vector_at_angle`,
`plant_words`). `observe_choice` and `choice_check` grade a function by the word it returns.
"""

import numpy as np

from graders import probe
from graders.behaviour import call_counting_lines, snapshot
from graders.messages import fail, type_name


# --------------------------------------------------------------------------- planted vectors


def unit_vector(x):
    """x / ||x||."""
    return x / np.linalg.norm(x)


def vector_at_angle(direction, cosine, rng):
    """A unit vector whose cosine with `direction` is exactly `cosine`, the rest of it a random direction
    orthogonal to `direction` (one standard normal draw from rng)."""
    d = unit_vector(direction)
    r = rng.standard_normal(d.shape)
    r = unit_vector(r - (r @ d) * d)
    return cosine * d + np.sqrt(1 - cosine ** 2) * r


def synthetic_words(vocab_size):
    """(word_to_index, index_to_word) of vocab_size words named w0000, w0001, ...: names that say nothing about
    the role a planted word plays."""
    index_to_word = [f"w{i:04d}" for i in range(vocab_size)]
    return {w: i for i, w in enumerate(index_to_word)}, index_to_word


def random_embeddings(rng, vocab_size, emb_dim, lengths=(0.5, 1.5)):
    """(vocab_size, emb_dim) word vectors of random directions and lengths uniform in `lengths`: the noise
    words of a planted vocabulary (their cosine with a fixed vector is about N(0, 1/emb_dim))."""
    E = rng.standard_normal((vocab_size, emb_dim))
    E *= rng.uniform(*lengths, size=(vocab_size, 1)) / np.linalg.norm(E, axis=1, keepdims=True)
    return E


def plant_words(rng, E, vectors):
    """(word_to_index, index_to_word, planted words): `vectors` written into E (in place) at distinct rows drawn
    from rng, the vocabulary named by synthetic_words, the planted words in the order of `vectors`."""
    rows = rng.choice(len(E), size=len(vectors), replace=False)
    E[rows] = vectors
    word_to_index, index_to_word = synthetic_words(len(E))
    return word_to_index, index_to_word, [index_to_word[row] for row in rows]


# --------------------------------------------------------------------------- what a function returned


def returned_type(value, kind, what, func_name, case, hints=(), default_hint=""):
    """`value` when it is an instance of `kind`, else a failure "expected {what}, got {type}" whose hint is that
    of the first (types, hint) of `hints` value is an instance of; for None, "did you forget a `return`
    statement?"; else default_hint."""
    if isinstance(value, kind):
        return value
    hint = next((h for types, h in hints if isinstance(value, types)), default_hint)
    fail(func_name, case, f"expected {what}, got {type_name(value)}",
         "hint:   did you forget a `return` statement?" if value is None else f"hint:   {hint}")


def observe_choice(func, spec, case, positions, kind, what, hints=(), default_hint=""):
    """The Observation of a function that answers with one item of a collection (a word of a vocabulary), called
    once on fresh copies of case.args with its lines of Python counted (call_counting_lines): "answer", the
    position case.args[positions].get(result) of what it returned (-1: none of the items), once
    returned_type(result, kind, what, ...) passed, and "python_lines" (for choice_check and no_loop_check)."""
    result, changed, lines = call_counting_lines(func, spec, case, snapshot(case.args))
    returned_type(result, kind, what, spec.name, case, hints, default_hint)
    leaves = {"answer": np.int64(case.args[positions].get(result, -1)), "python_lines": np.int64(lines)}
    return probe.Observation(case.name, leaves, changed)


def choice_check(path, items, unknown="a word that is not in the vocabulary"):
    """check(leaves, case) of a Property of a function that answers with one of the items case.args[items] (the
    words of index_to_word), observed as its position at leaf `path` (-1: none of them): it must be
    case.data["answer"]; else "returned X, expected Y" with the hint case.data["bug_hints"] gives X (the known
    bug that answers X), or the Property's own hint; `unknown` names an answer that is none of the items."""

    def check(leaves, case):
        row = int(leaves[path])
        chosen = case.args[items][row] if row >= 0 else None
        if chosen == case.data["answer"]:
            return None
        shown = unknown if chosen is None else repr(chosen)
        problem = f"returned {shown}, expected {case.data['answer']!r}"
        hint = case.data["bug_hints"].get(chosen)
        return (problem, hint) if hint else problem

    return check


def plant_question(rng, E, question, candidates, input_hint):
    """A question and its candidate answers planted into E by plant_words (in place, at distinct random rows drawn
    from rng, the question's vectors first): ((word_to_index, index_to_word, E), the question's words, the right
    answer's word, {word: hint of the known bug that answers it}).

    question : the vectors of the question's words, e.g. (e_a, e_b, e_c) of a : b :: c : ?
    candidates : ((vector, hint or None), ...), the right answer first; a hint names the known bug that answers
                 that word (None: no known bug does)
    input_hint : the hint of the known bug that answers one of the question's own words
    """
    word_to_index, index_to_word, names = plant_words(rng, E, [*question, *(vector for vector, _ in candidates)])
    asked, answers = tuple(names[:len(question)]), names[len(question):]
    bug_hints = {word: hint for word, (_, hint) in zip(answers, candidates) if hint}
    return (word_to_index, index_to_word, E), asked, answers[0], bug_hints | dict.fromkeys(asked, input_hint)
