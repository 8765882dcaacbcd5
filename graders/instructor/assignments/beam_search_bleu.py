"""Known-wrong variants for 08 beam_search_bleu: bugs students really make.

A variant whose message comes from an error its code raises, or from an input
changed in place, has that text as its `expect`.
"""

from graders.instructor.assignments import Metric, Mutant

IN_PLACE = "your function changed its input {} in place"

GREEDY_STEP = "log_probs, state = step(np.array([last]), state)"
GREEDY_APPEND = ("tokens.append(last)\n        log_prob += log_probs[0, last]\n        if last == eos_id:\n"
                 "            break")
BEAM_SET_ASIDE = ("if token == eos_id:\n                ended.append((alive[parent] + [token], totals[parent, token]))"
                  "\n            else:\n                kept.append((parent, token))")
CLOSEST = "r += min((abs(len(ref) - len(candidate)), len(ref)) for ref in refs)[1]"

MUTANTS = {
    "greedy_decode": {
        "eos_left_out": Mutant(GREEDY_APPEND, "if last == eos_id:\n            break\n        tokens.append(last)\n"
                                              "        log_prob += log_probs[0, last]"),
        "bos_fed_every_step": Mutant(GREEDY_STEP, "log_probs, state = step(np.array([bos_id]), state)"),
        "state_not_carried": Mutant(GREEDY_STEP, "log_probs, _ = step(np.array([last]), state)"),
        "probabilities_added": Mutant("log_prob += log_probs[0, last]", "log_prob += np.exp(log_probs[0, last])"),
        "one_token_too_many": Mutant("range(max_len)", "range(max_len + 1)", category="degenerate"),
        "state_overwritten_in_place": Mutant(GREEDY_STEP, "log_probs, new_state = step(np.array([last]), state)\n"
                                                          "        state[...] = new_state",
                                             expect=IN_PLACE.format("initial_state"), category="in_place"),
    },
    "beam_search": {
        "scores_not_accumulated": Mutant("totals = scores[:, np.newaxis] + log_probs", "totals = log_probs"),
        "ended_kept_alive": Mutant(BEAM_SET_ASIDE, "kept.append((parent, token))"),
        "ended_take_beam_slots": Mutant("if len(kept) == beam_width:", "if len(kept) + len(ended) >= beam_width:"),
        "stops_at_first_end": Mutant("if len(ended) >= beam_width:", "if ended:"),
        "unfinished_dropped": Mutant("        ended += list(zip(alive, scores))\n", "        pass\n",
                                     category="degenerate"),
        "states_not_reordered": Mutant("states, last = new_states[parents], tokens", "states, last = new_states, tokens",
                                       expect="raised ValueError", category="structure"),
        "beam_width_ignored": Mutant("if len(kept) == beam_width:", "if len(kept) == 3:",
                                     category="ignored_argument"),
    },
    "length_normalized_score": {
        "alpha_ignored": Mutant("np.power(lengths, alpha)", "lengths", category="ignored_argument"),
        "multiplied_by_length": Mutant("log_probs / np.power", "log_probs * np.power"),
        "bos_counted": Mutant("np.power(lengths, alpha)", "np.power(lengths + 1, alpha)"),
        "probabilities_normalized": Mutant("log_probs / np.power", "np.exp(log_probs) / np.power"),
        "divided_in_place": Mutant("scores = log_probs / np.power(lengths, alpha)",
                                   "log_probs /= np.power(lengths, alpha)\n    scores = log_probs",
                                   expect=IN_PLACE.format("log_probs"), category="in_place"),
    },
    "sequence_log_prob": {
        "own_choices_fed": Mutant("last = token", "last = int(np.argmax(log_probs[0]))"),
        "start_token_skipped": Mutant("initial_state, bos_id\n    for token in tokens:",
                                      "initial_state, tokens[0]\n    for token in tokens[1:]:",
                                      category="ignored_argument"),
        "last_token_dropped": Mutant("for token in tokens:", "for token in tokens[:-1]:", category="degenerate"),
        "mean_not_sum": Mutant("log_prob += log_probs[0, token]", "log_prob += log_probs[0, token] / len(tokens)"),
        "state_not_carried": Mutant("log_probs, state = step(", "log_probs, _ = step("),
    },
    "error_analysis": {
        "raw_log_probs_compared": Mutant("scores = length_normalized_score(log_probs, lengths, alpha)",
                                         "scores = log_probs"),
        "verdict_inverted": Mutant("int(scores[0] > scores[1])", "int(scores[0] < scores[1])"),
        "reference_not_scored": Mutant("pair = (reference_tokens, beam_tokens)", "pair = (beam_tokens, beam_tokens)"),
        "alpha_ignored": Mutant("lengths, alpha)", "lengths, 1.0)", category="ignored_argument"),
    },
    "modified_precision": {
        "counts_not_clipped": Mutant("min(count, max_ref[gram])", "(count if max_ref[gram] else 0)"),
        "clipped_by_the_sum": Mutant("max_ref |= ngrams(reference)", "max_ref += ngrams(reference)"),
        "first_reference_only": Mutant("for reference in references:", "for reference in references[:1]:",
                                       category="ignored_argument"),
        "total_of_the_reference": Mutant("total = sum(counts.values())", "total = sum(ngrams(references[0]).values())"),
        "n_ignored": Mutant("tuple(words[i:i + n]) for i in range(len(words) - n + 1)", "(word,) for word in words",
                            category="ignored_argument"),
        "candidate_sorted_in_place": Mutant("counts = ngrams(candidate)", "candidate.sort()\n    counts = "
                                                                         "ngrams(candidate)",
                                            expect=IN_PLACE.format("candidate"), category="in_place"),
    },
    "brevity_penalty": {
        "ratio_inverted": Mutant("1 - reference_length / candidate_length", "1 - candidate_length / reference_length"),
        "long_candidates_rewarded": Mutant("if candidate_length > reference_length:\n        bp = 1.0\n    elif", "if"),
        "not_exponentiated": Mutant("math.exp(1 - reference_length / candidate_length)",
                                    "1 - reference_length / candidate_length"),
        "empty_candidate_divides_by_zero": Mutant("    elif candidate_length == 0:\n        bp = 0.0\n", "",
                                                  expect="raised ZeroDivisionError", category="degenerate"),
    },
    "corpus_bleu": {
        "longest_reference": Mutant(CLOSEST, "r += max(len(ref) for ref in refs)"),
        "arithmetic_mean": Mutant("np.exp(np.mean(np.log(matches / totals)))", "np.mean(matches / totals)"),
        "brevity_ignored": Mutant("100 * brevity_penalty(c, r) *", "100 *"),
        "max_n_ignored": Mutant("np.mean(np.log(matches / totals))", "np.sum(np.log(matches / totals)) / 4",
                                category="ignored_argument"),
        "not_a_percentage": Mutant("bleu = 100 * ", "bleu = "),
        "sentence_average": Mutant("matches, totals = np.zeros(max_n), np.zeros(max_n)\n    c = r = 0\n    for "
                                   "candidate, refs in zip(candidates, references):",
                                   "if len(candidates) > 1:\n        return float(np.mean([corpus_bleu([cand], "
                                   "[refs], max_n) for cand, refs in zip(candidates, references)]))\n    "
                                   "matches, totals = np.zeros(max_n), np.zeros(max_n)\n    c = r = 0\n    for "
                                   "candidate, refs in zip(candidates, references):"),
    },
}

# the bug the class test submits: corpus_bleu is called by no other graded function
CLASS_BUG = ("corpus_bleu", "brevity_ignored")

BENCH_METRICS = [
    Metric("test BLEU, greedy", "greedy_bleu", "reported", lambda v, _: True),
    Metric("test BLEU, beam B = 4 (>= greedy)", "beam_bleu", ">= greedy BLEU",
           lambda v, values: v >= values["test BLEU, greedy"]),
    Metric("test sacreBLEU, beam B = 4, <= 10 words (published large models: 50s)", "sacre_beam_bleu", ">= 35",
           lambda v, _: v >= 35),
    Metric("largest |our BLEU - sacrebleu|", "bleu_vs_sacrebleu", "<= 0.01", lambda v, _: v <= 0.01),
    Metric("beam decoding of the test set (s)", "beam_seconds", "<= 120", lambda v, _: v <= 120),
    Metric("share of beam errors due to the search", "search_error_share", "reported", lambda v, _: True),
]
