"""Checks for notebook 14, transformer_ner: sub-token labels, a tagger on a pretrained encoder, its loss and scores.

Each check_* function is one graded test cell (graders.assignment says how it
runs in a student's JupyterLab and at autograde time).

- tokenize_and_align_labels (record-based): the checkpoint's own WordPiece
  tokenizer (helpers.minilm) on sentences written here; each call gets a
  deep copy of the tokenizer (passed by keyword), and the words, tags and tag
  vocabulary must come back unchanged.
- build_token_classifier (behaviour-graded): a tiny BertBackbone (one or two
  layers, hidden size 8, no dropout of its own) with weights from a seeded
  generator stands in for MiniLM, so a case runs in milliseconds; the head's
  weights are injected the same way, and the logits are compared with the
  backbone's own sequence output times the injected kernel plus bias (the
  oracle). The head's parameter count (weights that are not the backbone's),
  whether the given backbone is used and left trainable, and whether
  training mode changes the outputs are compared with the docstring's model.
- masked_token_loss (oracle-based): float32 logits and labels with -100 at
  the positions the loss must skip; the student's loss (a Keras tensor) is
  compared with a float64 numpy oracle, which tests/test_a14_transformer_ner.py
  checks against PyTorch's cross_entropy(ignore_index=-100); the known bugs
  are the oracle replayed with each mistake.
- word_predictions (record-based): logits with a clear winner at every
  position (margin >= 1), word indices with sub-tokens, special tokens and
  words cut off by the window.
- entity_f1 (record-based): IOB2 tags of several sentences; the reference
  agrees with seqeval's default (conlleval) mode on every case, tested in
  tests/test_a14_transformer_ner.py.

Hidden cases differ in structure: other sentences, a max_length that cuts a
word between its sub-tokens, a word beyond the window, one-word sentences, a
batch where the loss sees no label, two layers and no dropout, entities at
sentence ends and I- tags without a B-.

Sources: Devlin et al. (2019), "BERT", section 5.3 (the first sub-token of
each word is tagged); Tjong Kim Sang & De Meulder (2003), the CoNLL-2003
entity-level evaluation (conlleval), as implemented by seqeval.
"""

import copy
import functools

import numpy as np

from graders import behaviour
from graders.assignment import Assignment
from graders.compare import top2_margin
from graders.messages import fail
from graders.probe import Observation
from graders.spec import FLOAT32_ATOL, Case, FunctionSpec, Output, table_cases
from helpers import minilm
from helpers.ner import OUTSIDE
from helpers.ner_transformer import IGNORE_INDEX, NO_WORD

GRADER = Assignment.of_module(__name__)

# the checkpoint's tokenizer, loaded once per process (the probe hands each call a deep copy)
_tokenizer = functools.lru_cache(maxsize=1)(minilm.load_tokenizer)


# --------------------------------------------------------------------------- tokenize_and_align_labels

WIKI_TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "B-MISC", "I-MISC")
SOCIAL_TAGS = ("O", "B-person", "I-person", "B-location", "I-location", "B-creative-work", "I-creative-work")

# case: (max_length, tag set, sentences written word/TAG, a word without /TAG tagged O); window_cuts_a_word: max_length
# cuts "Kalimantan" (kali ##man ##tan) after its first piece, and drops the words after it
ALIGN_SENTENCES = {
    "public": {"two_sentences": (16, WIKI_TAGS, ["Ada/B-PER Lovelace/I-PER annotated Menabrea/B-PER 's memoir "
                                                 "in 1843 .", "Turin/B-LOC hosted him ."]),
               "padding_to_max_length": (24, WIKI_TAGS, [
                   "The Analytical/B-MISC Engine/I-MISC was never built", "Babbage/B-PER",
                   "Charles/B-PER Babbage/I-PER lectured at Cambridge/B-ORG University/I-ORG"])},
    "hidden": {"window_cuts_a_word": (7, WIKI_TAGS, ["Orangutans live in Kalimantan/B-LOC and Sumatra/B-LOC"]),
               "one_word_sentences": (5, WIKI_TAGS, ["Zanzibar/B-LOC", "yes", "UNESCO/B-ORG"]),
               "other_tag_vocabulary": (20, SOCIAL_TAGS, ["watching Stranger/B-creative-work Things/I-creative-work "
                                                          "with Maddie/B-person in Hoboken/B-location lol",
                                                          "@jules_xx omg"]),
               "exact_fit": (6, WIKI_TAGS, ["Nairobi/B-LOC rains today", "Lagos/B-LOC"])},
}


def _align_case(name, entry):
    max_length, tag_set, tagged = entry
    split = [[token.partition("/") for token in sentence.split(" ")] for sentence in tagged]  # (word, "/", tag)
    sentences, tags = [[w for w, _, _ in s] for s in split], [[t or OUTSIDE for _, _, t in s] for s in split]
    shown = {"m": len(sentences), "max_length": max_length, "longest sentence (words)": max(map(len, sentences))}
    # the tokenizer goes by keyword: the probe hands each call a deep copy and compares only the data
    return Case(name, shown, (sentences, tags, {tag: i for i, tag in enumerate(tag_set)}, max_length),
                {"tokenizer": _tokenizer()})


GRADER.add(FunctionSpec(
    name="tokenize_and_align_labels",
    outputs=(Output("input_ids"), Output("attention_mask"), Output("labels"), Output("word_ids")),
    inputs=("sentences", "tags", "tag_to_index", "max_length"),
    hints={
        "every_subtoken_labelled": "every sub-token of a word got its label: only the first sub-token of each word "
                                   f"carries it, the others get {IGNORE_INDEX} so the loss counts each word once",
        "unlabelled_positions_zero": f"positions that carry no label ([CLS], [SEP], padding, later sub-tokens) got "
                                     f"0, the index of a real tag: fill labels with {IGNORE_INDEX} first",
        "first_word_unlabelled": "the first word of a sentence has no label: start each sentence with no previous "
                                 "word (None), so that word 0 counts as a new word too",
        "max_length_ignored": "the rows are not max_length long: pass max_length=max_length (with truncation=True "
                              "and padding='max_length') to the tokenizer",
        "word_ids_of_specials": f"word_ids holds a word index for [CLS], [SEP] or padding: they get {NO_WORD}",
    },
    default_hint=(f"call tokenizer(sentences, is_split_into_words=True, ...) with max_length; then, per sentence, the "
                  f"first sub-token of word w gets tag_to_index[tags[i][w]] and every other position {IGNORE_INDEX}"),
), table_cases(ALIGN_SENTENCES, _align_case))


# --------------------------------------------------------------------------- build_token_classifier

CLASSIFIER_SIZES = {  # a tiny BertBackbone stands in for MiniLM: same class, same inputs and outputs
    "public": {"five_tags": dict(n_tags=5, dropout=0.1, num_layers=1, m=2, T=6, padded=2, seed=11)},
    "hidden": {"two_layers_no_dropout": dict(n_tags=3, dropout=0.0, num_layers=2, m=3, T=5, padded=1, seed=111),
               "one_sentence_many_tags": dict(n_tags=13, dropout=0.5, num_layers=1, m=1, T=4, padded=0, seed=112)},
}
TINY_BACKBONE = dict(vocabulary_size=40, num_heads=2, hidden_dim=8, intermediate_dim=16, max_sequence_length=16)
_BACKBONE_SCALE = 0.5  # N(0, 0.25) weights: states spread over a few units, logits far apart
_HEAD_SCALE = 1.0
_HEAD_SEED = 4321

HINT_NOT_LOGITS = ("the outputs are probabilities: return the Dense layer's logits (no activation), since "
                   "masked_token_loss and argmax both read logits")
HINT_POOLED = ("the output has no time axis: tag every sub-token from backbone(...)['sequence_output'] "
               "(m, T, hidden), not the pooled [CLS] vector")
HINT_FROZEN = ("the backbone's weights are frozen: fine-tuning trains them with the head (leave backbone.trainable "
               "as it is)")
HINT_OWN_BACKBONE = ("the model holds weights other than the given backbone's and one Dense head: use the backbone "
                     "you are given, do not load or build another")
HINT_DROPOUT_IGNORED = ("with dropout > 0 the outputs in training (training=True) must differ from inference: put "
                        "keras.layers.Dropout(dropout) between the backbone and the Dense head")
HINT_HEAD = ("with the same weights the logits differ from Dense(n_tags) on the backbone's sequence output: an "
             "activation or a layer too many?")


def tiny_backbone(case):
    """The case's stand-in encoder: keras_hub BertBackbone (dropout 0) with seeded N(0, 0.25) weights."""
    import keras_hub

    backbone = keras_hub.models.BertBackbone(num_layers=case.data["num_layers"], dropout=0.0, **TINY_BACKBONE)
    return behaviour.inject_trainable(backbone, np.random.default_rng(case.data["seed"]), _BACKBONE_SCALE)


def _head_weights(n_tags):
    """The injected head: kernel (hidden_dim, n_tags) and bias (n_tags,), float32."""
    shapes = [(TINY_BACKBONE["hidden_dim"], n_tags), (n_tags,)]
    return behaviour.drawn_weights(np.random.default_rng(_HEAD_SEED), shapes, _HEAD_SCALE)


def _classifier_case(name, s):
    rng = np.random.default_rng(s["seed"] + 1)
    token_ids = rng.integers(1, TINY_BACKBONE["vocabulary_size"], size=(s["m"], s["T"])).astype(np.int32)
    padding_mask = np.broadcast_to(np.arange(s["T"]) < s["T"] - s["padded"], token_ids.shape).astype(np.int32)
    inputs = {"token_ids": token_ids * padding_mask, "segment_ids": np.zeros_like(token_ids),
              "padding_mask": padding_mask}
    return Case(name, {k: s[k] for k in ("n_tags", "dropout", "m", "T")}, (), {k: s[k] for k in ("n_tags", "dropout")},
                {"num_layers": s["num_layers"], "seed": s["seed"], "inputs": inputs})


def _observe_classifier(func, case):
    name, inputs = "build_token_classifier", case.data["inputs"]
    backbone = tiny_backbone(case)
    model = behaviour.build_model(func, name, case, (backbone,), case.kwargs)
    given = {id(w) for w in backbone.weights}
    own = [w for w in model.weights if id(w) not in given]
    used = [w for w in model.weights if id(w) in given]  # the backbone's pooler may be left out: it tags nothing
    head = _head_weights(case.kwargs["n_tags"])
    if [tuple(int(d) for d in w.shape) for w in own] == [w.shape for w in head]:  # else the facts say what is wrong
        for weight, value in zip(own, head):
            weight.assign(value)
    logits = behaviour.run_model(model, inputs, name, case).astype(float)  # the oracle's dtype
    if logits.ndim != 3:
        fail(name, case, f"the model's output has shape {logits.shape}, expected (m, T, n_tags) = "
             f"{inputs['token_ids'].shape + (case.kwargs['n_tags'],)}", f"hint:   {HINT_POOLED}")
    trained = behaviour.run_model(model, inputs, name, case, training=True).astype(float)
    trainable = behaviour.weight_count([w for w in model.trainable_weights if id(w) in given])  # of the backbone's
    facts = behaviour.fact_leaves({"uses_the_given_backbone": bool(used),
                                   "backbone_is_trainable": bool(used) and trainable == behaviour.weight_count(used),
                                   "training_changes_outputs": bool(behaviour.differs(trained, logits))})
    return Observation(case.name, {"logits": logits, "head_parameters": behaviour.weight_count(own)} | facts)


def _expect_classifier(case):
    hidden = behaviour.to_numpy(tiny_backbone(case)(case.data["inputs"])["sequence_output"]).astype(float)
    kernel, bias = _head_weights(case.kwargs["n_tags"])
    logits = hidden @ kernel + bias
    expected, bugs = behaviour.expected_facts({
        "uses_the_given_backbone": (True, HINT_OWN_BACKBONE, ""),
        "backbone_is_trainable": (True, HINT_FROZEN, ""),
        "training_changes_outputs": (case.kwargs["dropout"] > 0, HINT_DROPOUT_IGNORED, behaviour.HINT_DROPOUT_FIXED)})
    head = behaviour.dense_params(TINY_BACKBONE["hidden_dim"], case.kwargs["n_tags"])
    expected |= {"logits": logits, "head_parameters": np.asarray(head, np.int64)}
    bugs = {HINT_NOT_LOGITS: {"logits": behaviour.dense_softmax(hidden, kernel, bias)}} | bugs
    return expected, bugs


GRADER.add(FunctionSpec(
    name="build_token_classifier",
    outputs=(Output("model"),),
    default_hint=HINT_HEAD,
    pattern_hints=((("head_parameters",), f"the head's parameter count differs from one Dense(n_tags) on the "
                                          f"{TINY_BACKBONE['hidden_dim']}-dimensional hidden states: one layer, "
                                          f"kernel and bias"),),
    atol=FLOAT32_ATOL, rtol=0.0,  # float32 Keras against the oracle's float64 product of the same float32 states
), table_cases(CLASSIFIER_SIZES, _classifier_case), observe=_observe_classifier, expect=_expect_classifier)


# --------------------------------------------------------------------------- masked_token_loss

LOSS_SIZES = {  # m sentences of T positions, n_tags classes; `ignored`: share of positions labelled -100
    "public": {"small_batch": dict(m=2, T=6, n_tags=5, ignored=0.4, seed=21),
               "few_labels": dict(m=3, T=8, n_tags=4, ignored=0.8, seed=22)},
    "hidden": {"every_position_labelled": dict(m=2, T=4, n_tags=3, ignored=0.0, seed=121),
               "no_label_at_all": dict(m=2, T=3, n_tags=6, ignored=1.0, seed=122),
               "one_sentence_unequal_rows": dict(m=1, T=10, n_tags=9, ignored=0.5, seed=123)},
}
# float32 log-softmax and a mean of a few dozen terms of size ~2: rounding ~1e-6 relative; every known bug moves the
# loss by more than 1e-2
LOSS_ATOL = 1e-5


def _loss_case(name, s):
    rng = np.random.default_rng(s["seed"])
    logits = (2.0 * rng.standard_normal((s["m"], s["T"], s["n_tags"]))).astype(np.float32)
    labels = rng.integers(0, s["n_tags"], size=(s["m"], s["T"])).astype(np.int32)
    labels[rng.random((s["m"], s["T"])) < s["ignored"]] = IGNORE_INDEX
    if name == "one_sentence_unequal_rows":
        labels[0, :2] = IGNORE_INDEX  # [CLS] and a continuation piece
    shown = {k: s[k] for k in ("m", "T", "n_tags")} | {"positions counted": int(np.sum(labels != IGNORE_INDEX))}
    return Case(name, shown, (labels, logits))


def loss_oracle(labels, logits, denominator="counted", ignored_as_class_0=False, from_logits=True):
    """The masked cross-entropy in float64 numpy, and the known bugs' versions of it.

    denominator : "counted" (right), "all" (every position), "per_sentence" (mean of sentence means),
                  "unguarded" (no max(count, 1): nan without labels)
    ignored_as_class_0 : positions labelled IGNORE_INDEX count as class 0
    from_logits : False reads the logits as probabilities, as Keras's sparse crossentropy with from_logits=False
                  does on TensorFlow: clip to [1e-7, 1 - 1e-7], take the log, then a softmax cross-entropy
    """
    labels, logits = np.asarray(labels), np.asarray(logits, dtype=float)
    counted = labels != IGNORE_INDEX
    classes = np.where(counted, labels, 0)
    if from_logits:
        shifted = logits - logits.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    else:
        clipped = np.clip(logits, 1e-7, 1 - 1e-7)
        log_p = np.log(clipped / clipped.sum(axis=-1, keepdims=True))
    nll = -np.take_along_axis(log_p, classes[..., None], axis=-1)[..., 0]  # (m, T)
    weights = np.ones_like(nll) if ignored_as_class_0 else counted.astype(float)
    count = counted.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        if denominator == "all":
            return np.float64((nll * weights).sum() / nll.size)
        if denominator == "per_sentence":
            return np.float64(np.mean((nll * weights).sum(axis=1) / np.maximum(counted.sum(axis=1), 1)))
        if denominator == "unguarded":
            return np.float64((nll * weights).sum() / count)
        return np.float64((nll * weights).sum() / max(count, 1))


_LOSS_BUGS = {"ignored_positions_in_denominator": {"denominator": "all"},  # known-wrong variant: the oracle's keywords
              "ignored_positions_as_class_0": {"ignored_as_class_0": True},
              "logits_read_as_probabilities": {"from_logits": False},
              "mean_of_sentence_means": {"denominator": "per_sentence"},
              "nan_without_labels": {"denominator": "unguarded"}}


def _observe_loss(func, case):
    """The loss (a Keras scalar tensor, observed as a float64 number) on fresh copies of the case's arrays."""
    return behaviour.observe_tensors(func, GRADER.graded["masked_token_loss"].spec, case, copy.deepcopy(case.args))


def _expect_loss(case):
    hints = GRADER.graded["masked_token_loss"].spec.hints
    return behaviour.replay(lambda **kw: {"loss": loss_oracle(*case.args, **kw)},
                            [(hints[name], kw) for name, kw in _LOSS_BUGS.items()], atol=LOSS_ATOL)


GRADER.add(FunctionSpec(
    name="masked_token_loss",
    outputs=(Output("loss", kind="scalar"),),
    inputs=("labels", "logits"),
    hints={
        "ignored_positions_in_denominator": f"the sum is divided by every position: average over the positions "
                                            f"whose label is not {IGNORE_INDEX} only",
        "ignored_positions_as_class_0": f"positions labelled {IGNORE_INDEX} count as class 0: give them weight 0, "
                                        "both in the sum and in the count",
        "logits_read_as_probabilities": "the logits were read as probabilities: use from_logits=True (the model has "
                                        "no softmax)",
        "mean_of_sentence_means": "the loss averages each sentence's mean: every counted position weighs the same, "
                                  "so divide the total by the number of counted positions of the whole batch",
        "nan_without_labels": "a batch with no counted position gives nan (0 / 0): divide by at least 1, e.g. "
                              "keras.ops.maximum(count, 1.0)",
    },
    default_hint=f"mean over the positions with label != {IGNORE_INDEX} of -log softmax(logits)[label]",
    atol=LOSS_ATOL, rtol=0.0,
), table_cases(LOSS_SIZES, _loss_case), observe=_observe_loss, expect=_expect_loss)


# --------------------------------------------------------------------------- word_predictions

# case: (tag set, seed, max_length, the number of sub-tokens of each word of each sentence); words past the window
# are cut off
WORD_LAYOUTS = {
    "public": {"two_sentences": (WIKI_TAGS, 31, 10, [[1, 2, 1, 3], [1, 1]]),
               "three_pieces": (WIKI_TAGS, 32, 9, [[3, 1, 2]])},
    "hidden": {"window_cuts_words": (SOCIAL_TAGS, 131, 6, [[2, 1, 3, 1, 1], [1]]),
               "one_word": (WIKI_TAGS, 132, 7, [[4]]),
               "no_padding": (SOCIAL_TAGS, 133, 5, [[1, 1, 1], [2, 1]])},
}
_WINNER_LEAD = 1.0  # the best tag of each position leads the others by at least this much: argmax is never a tie


def _word_ids_row(pieces, max_length):
    """Word index of each sub-token: [CLS], the words' pieces as far as the window allows, [SEP], padding."""
    inside = [w for w, n in enumerate(pieces) for _ in range(n)][:max_length - 2]
    row = [NO_WORD] + inside + [NO_WORD]
    return row + [NO_WORD] * (max_length - len(row))


def _word_case(name, entry):
    tag_set, seed, T, pieces = entry
    rng = np.random.default_rng(seed)
    word_ids = np.array([_word_ids_row(p, T) for p in pieces], dtype=np.int32)
    logits = rng.random(word_ids.shape + (len(tag_set),)).astype(np.float32)
    winners = rng.integers(0, len(tag_set), size=word_ids.shape)
    np.put_along_axis(logits, winners[..., None], _WINNER_LEAD + 1.0, axis=-1)
    n_words = [len(p) for p in pieces]
    return Case(name, {"m": len(word_ids), "T": T, "n_tags": len(tag_set), "words": n_words},
                (logits, word_ids, n_words))


GRADER.add(FunctionSpec(
    name="word_predictions",
    outputs=(Output("word_tags"),),
    inputs=("logits", "word_ids", "n_words"),
    hints={
        "last_subtoken_read": "the tags come from the last sub-token of each word: read the first one, the position "
                              "the labels were put on in training",
        "words_cut_off_left_empty": f"a word the window cut off got {NO_WORD}: it is a word of the sentence, so it "
                                    f"gets OUTSIDE_INDEX ('O'); only the places past the sentence's last word get "
                                    f"{NO_WORD}",
        "special_tokens_read": f"a special token or padding ({NO_WORD} in word_ids) was read as a word: skip the "
                               f"positions whose word_ids is {NO_WORD}",
    },
    default_hint=f"word_tags[i, w] is the argmax of the logits at the first position t where word_ids[i, t] == w; "
                 f"OUTSIDE_INDEX if there is none; {NO_WORD} for w >= n_words[i]",
), table_cases(WORD_LAYOUTS, _word_case), margin=lambda case: top2_margin(case.args[0]))


# --------------------------------------------------------------------------- entity_f1

F1_CASES = {  # case: (true tags, predicted tags), a sentence per string; each known bug gives its own scores
    "public": {
        "two_sentences": (["B-PER I-PER O B-LOC O", "O B-ORG I-ORG O B-MISC"],
                          ["B-PER I-PER O B-ORG O", "O B-ORG O O O"]),
        "boundary_errors": (["B-MISC I-MISC I-MISC O B-PER", "I-LOC O O"], ["B-MISC I-MISC O O I-PER", "B-LOC O O"]),
    },
    "hidden": {
        "entity_at_the_end": (["O O B-LOC I-LOC", "B-PER"], ["O O B-LOC I-LOC", "B-PER"]),
        "inside_without_begin": (["O I-PER I-PER O B-LOC"], ["O B-PER I-PER O I-LOC"]),
        "entities_across_sentences": (["O B-ORG", "I-ORG O B-LOC"], ["O B-ORG", "B-ORG O B-LOC"]),
        "nothing_predicted": (["B-PER O", "O B-LOC"], ["O O", "O O"]),
        "type_changes_mid_entity": (["B-creative-work I-creative-work O B-person"],
                                    ["B-creative-work I-person O B-person"]),
    },
}


def _f1_case(name, taggings):
    true_tags, pred_tags = ([sentence.split(" ") for sentence in tagging] for tagging in taggings)
    return Case(name, {"sentences": len(true_tags), "tags": sum(map(len, true_tags))}, (true_tags, pred_tags))


# precision, recall and F1 are ratios of small counts: float64 round-off is ~1e-16; any known bug moves one by > 0.05
GRADER.add(FunctionSpec(
    name="entity_f1",
    outputs=(Output("precision", kind="scalar"), Output("recall", kind="scalar"), Output("f1", kind="scalar")),
    inputs=("true_tags", "pred_tags"),
    hints={
        "types_ignored": "entities with the right span but the wrong type were counted as found: an entity counts "
                         "only when its type and both boundaries match",
        "last_entity_dropped": "an entity that ends with its sentence is lost: close the open entity when the "
                               "sentence ends",
        "inside_without_begin_ignored": "an I- tag that follows O or another type must start an entity (conlleval, "
                                        "seqeval's default), not be skipped",
        "sentences_joined": "the sentences were joined before reading entities, so an entity can run from one "
                            "sentence into the next: read the entities of each sentence on its own",
        "precision_recall_swapped": "precision and recall are swapped: precision = correct / predicted entities, "
                                    "recall = correct / true entities",
        "nan_when_nothing_predicted": "with no predicted entity the scores must be 0 (as seqeval with "
                                      "zero_division=0), not nan or an error",
    },
    default_hint="collect the (sentence, start, end, type) of every entity of both taggings; correct = those in "
                 "both; precision = correct / predicted, recall = correct / true, F1 their harmonic mean",
), table_cases(F1_CASES, _f1_case))


# --------------------------------------------------------------------------- test-cell entry points

check_tokenize_and_align_labels = GRADER.checker("tokenize_and_align_labels")
check_build_token_classifier = GRADER.checker("build_token_classifier")
check_masked_token_loss = GRADER.checker("masked_token_loss")
check_word_predictions = GRADER.checker("word_predictions")
check_entity_f1 = GRADER.checker("entity_f1")

preview = GRADER.preview
sample_inputs = GRADER.sample_inputs
