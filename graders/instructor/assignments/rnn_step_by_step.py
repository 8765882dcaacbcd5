"""Known-wrong variants for 01 rnn_step_by_step: bugs students really make.

A variant without an entry in its spec's `hints` is named by the *pattern* of
outputs it gets wrong (spec.pattern_hints); its `expect` is that pattern's text.
"""

from graders.instructor.assignments import Metric, Mutant

IN_PLACE = "your function changed its input {} in place"

MUTANTS = {
    "rnn_cell_forward": {
        "no_bias": Mutant("Wax @ xt + ba)", "Wax @ xt)"),
        "no_tanh": Mutant("a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)", "a_next = (Waa @ a_prev + Wax @ xt + ba)"),
        "softmax_wrong_axis": Mutant("softmax(Wya @ a_next + by, axis=0)", "softmax(Wya @ a_next + by, axis=1)"),
        "a_prev_ignored": Mutant("np.tanh(Waa @ a_prev + Wax @ xt", "np.tanh(Wax @ xt", category="ignored_argument"),
        "cache_states_swapped": Mutant("RNNStepCache(a_next=a_next, a_prev=a_prev,", "RNNStepCache(a_next=a_prev, a_prev=a_next,",
                                       category="structure"),
    },
    "rnn_forward": {
        "forgot_a0": Mutant("a_next = a0\n", "a_next = np.zeros_like(a0)\n", category="ignored_argument"),
        "state_not_carried": Mutant("rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                    "rnn_cell_forward(x[:, :, t], a0, parameters)"),
        "caches_reversed": Mutant("step_caches.append(step_cache)", "step_caches.insert(0, step_cache)",
                                  category="structure"),
        "states_not_stored": Mutant("        a[:, :, t] = a_next\n", "", category="degenerate"),
    },
    "lstm_cell_forward": {
        "no_forget_term": Mutant("c_next = ft * c_prev + it * cct", "c_next = it * cct"),
        "gates_swapped": Mutant("c_next = ft * c_prev + it * cct", "c_next = it * c_prev + ft * cct"),
        "a_next_without_tanh": Mutant("a_next = ot * np.tanh(c_next)", "a_next = ot * c_next"),
        "stacked_in_wrong_order": Mutant("np.concatenate([a_prev, xt], axis=0)", "np.concatenate([xt, a_prev], axis=0)"),
        "c_prev_scaled_in_place": Mutant("c_next = ft * c_prev + it * cct", "c_prev *= ft\n    c_next = c_prev + it * cct",
                                         expect=IN_PLACE.format("c_prev"), category="in_place"),
        "cache_states_swapped": Mutant("a_prev=a_prev, c_prev=c_prev,", "a_prev=c_prev, c_prev=a_prev,",
                                       category="structure"),
    },
    "lstm_forward": {
        "forgot_a0": Mutant("a_next = a0\n", "a_next = np.zeros_like(a0)\n", category="ignored_argument"),
        "memory_not_carried": Mutant("lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
                                     "lstm_cell_forward(x[:, :, t], a_next, np.zeros((n_a, m)), parameters)"),
        "memory_starts_at_a0": Mutant("c_next = np.zeros((n_a, m))", "c_next = a0"),
        "caches_x_one_step": Mutant("LSTMCache(step_caches=step_caches, x=x)",
                                    "LSTMCache(step_caches=step_caches, x=x[:, :, t])", category="structure"),
    },
    "rnn_cell_backward": {
        "no_tanh_derivative": Mutant("dz = (1 - cache.a_next ** 2) * da_next", "dz = da_next"),
        "derivative_of_wrong_state": Mutant("(1 - cache.a_next ** 2)", "(1 - cache.a_prev ** 2)"),
        "bias_summed_over_units": Mutant("np.sum(dz, axis=1, keepdims=True)", "np.sum(dz, axis=0, keepdims=True)",
                                         category="structure"),
        "da_next_ignored": Mutant("dz = (1 - cache.a_next ** 2) * da_next", "dz = (1 - cache.a_next ** 2)",
                                  category="ignored_argument"),
        "da_next_scaled_in_place": Mutant("dz = (1 - cache.a_next ** 2) * da_next",
                                          "da_next *= 1 - cache.a_next ** 2\n    dz = da_next",
                                          expect=IN_PLACE.format("da_next"), category="in_place"),
        "dWaa_from_a_next": Mutant("dz @ cache.a_prev.T", "dz @ cache.a_next.T",
                                   expect="only dWaa is wrong: dWaa = dz @ a_prev.T"),
    },
    "rnn_backward": {
        "not_accumulated": Mutant("gradients[name] += step[name]", "gradients[name] = step[name]"),
        "recurrent_gradient_dropped": Mutant("rnn_cell_backward(da[:, :, t] + da_prevt,", "rnn_cell_backward(da[:, :, t],"),
        "forward_in_time": Mutant("for t in reversed(range(T_x)):", "for t in range(T_x):"),
        "adds_into_da": Mutant("step = rnn_cell_backward(da[:, :, t] + da_prevt,",
                               "da[:, :, t] += da_prevt\n        step = rnn_cell_backward(da[:, :, t],",
                               expect=IN_PLACE.format("da"), category="in_place"),
    },
    "lstm_cell_backward": {
        "dc_next_ignored": Mutant("dc = dc_next + da_next * ot", "dc = da_next * ot", category="ignored_argument"),
        "dc_prev_without_forget_gate": Mutant('gradients["dc_prev"] = dc * ft', 'gradients["dc_prev"] = dc'),
        "output_gate_without_sigmoid_derivative": Mutant("dot = da_next * tanh_c * ot * (1 - ot)", "dot = da_next * tanh_c"),
        "forget_gate_from_c_next": Mutant("dft = dc * cache.c_prev", "dft = dc * cache.c_next",
                                          expect="only the gradients through the forget gate ft are wrong"),
        "candidate_without_tanh_derivative": Mutant("dcct = dc * it * (1 - cct ** 2)", "dcct = dc * it",
                                                    expect="only the gradients through the candidate cct are wrong"),
        "memory_without_tanh_derivative": Mutant("dc = dc_next + da_next * ot * (1 - tanh_c ** 2)",
                                                 "dc = dc_next + da_next * ot",
                                                 expect="everything but the output gate's gradients is wrong"),
        "adds_into_dc_next": Mutant("dc = dc_next + da_next * ot * (1 - tanh_c ** 2)",
                                    "dc_next += da_next * ot * (1 - tanh_c ** 2)\n    dc = dc_next",
                                    expect=IN_PLACE.format("dc_next"), category="in_place"),
    },
    "lstm_backward": {
        "not_accumulated": Mutant("gradients[name] += step[name]", "gradients[name] = step[name]"),
        "memory_gradient_dropped": Mutant('dc_prevt = step["dc_prev"]', "dc_prevt = np.zeros((n_a, m))"),
        "forward_in_time": Mutant("for t in reversed(range(T_x)):", "for t in range(T_x):"),
        "adds_into_da": Mutant("step = lstm_cell_backward(da[:, :, t] + da_prevt,",
                               "da[:, :, t] += da_prevt\n        step = lstm_cell_backward(da[:, :, t],",
                               expect=IN_PLACE.format("da"), category="in_place"),
    },
}

# the bug the class test submits: lstm_backward is called by no other graded function
CLASS_BUG = ("lstm_backward", "not_accumulated")

BENCH_METRICS = [
    Metric("largest gradient-check relative error", "max(all_errors.values())", "< 1e-7",
           lambda v, _: v < 1e-7),
    Metric("numpy LSTM vs keras.layers.LSTM (max abs diff)", "float(np.max(np.abs(a_numpy - a_keras)))",
           "< 1e-5 (float32)", lambda v, _: v < 1e-5),
]
