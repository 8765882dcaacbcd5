"""Known-wrong variants for 02 dinosaur_names: bugs students really make."""

from graders.instructor.assignments import Metric, Mutant

MUTANTS = {
    "clip": {
        "copy_not_in_place": Mutant(
            "np.clip(gradients[name], -max_value, max_value, out=gradients[name])",
            "gradients[name] = np.clip(gradients[name], -max_value, max_value)",
            category="in_place",
        ),
        "some_gradients_not_clipped": Mutant('("dWax", "dWaa", "dWya", "dba", "dby")', '("dWax", "dWaa", "dWya")'),
        "lower_bound_zero": Mutant("-max_value, max_value, out=", "0, max_value, out="),
        "max_value_ignored": Mutant("-max_value, max_value, out=", "-MAX_GRADIENT, MAX_GRADIENT, out=",
                                    category="ignored_argument"),
    },
    "sample": {
        "argmax_instead_of_sampling": Mutant(
            "int(rng.choice(vocab_size, p=probabilities.ravel()))", "int(np.argmax(probabilities))",
            expect="the generator rng you were given was never used: draw every index", category="degenerate",
        ),
        "global_random_state": Mutant(
            "int(rng.choice(vocab_size, p=probabilities.ravel()))",
            "int(np.random.choice(vocab_size, p=probabilities.ravel()))",
            expect="the generator rng you were given was never used", category="ignored_argument",
        ),
        "input_not_fed_back": Mutant("        x[idx] = 1.0\n", "", expect="feed the drawn character back"),
        "recurrent_term_dropped": Mutant("Wax @ x + Waa @ a_prev + ba", "Wax @ x + ba",
                                         expect="the second step must use the state a_prev"),
        "bias_dropped": Mutant("softmax(Wya @ a_prev + by)", "softmax(Wya @ a_prev)", expect="first characters:"),
        "newline_not_stopping": Mutant("        if idx == newline:\n            break\n", "",
                                       expect="stop as soon as the newline index is drawn"),
        "cap_off_by_one": Mutant("while len(indices) < max_length:", "while len(indices) < max_length - 1:",
                                 expect="the loop must allow exactly max_length draws"),
        "max_length_ignored": Mutant("while len(indices) < max_length:", "while len(indices) < MAX_NAME_LENGTH:",
                                     expect="stop at the max_length argument", category="ignored_argument"),
    },
    "optimize": {
        "no_clipping": Mutant("    gradients = clip(gradients, max_value)\n", ""),
        "clip_after_update": Mutant(
            "    gradients = clip(gradients, max_value)\n    update_parameters(parameters, gradients, learning_rate)\n",
            "    update_parameters(parameters, gradients, learning_rate)\n    gradients = clip(gradients, max_value)\n",
        ),
        "initial_state_returned": Mutant("a_last = a[len(X) - 1]", "a_last = a[-1]"),
        "max_value_ignored": Mutant("clip(gradients, max_value)", "clip(gradients, MAX_GRADIENT)",
                                    category="ignored_argument"),
        "parameters_copied": Mutant(
            "    update_parameters(parameters, gradients, learning_rate)\n",
            "    parameters = {k: v.copy() for k, v in parameters.items()}\n"
            "    update_parameters(parameters, gradients, learning_rate)\n",
            category="in_place",
        ),
    },
    "train_char_rnn": {
        "same_example_every_time": Mutant("examples[j % len(examples)]", "examples[0]",
                                          expect="cycling through all examples"),
        "state_not_carried": Mutant("loss, _, a_prev = optimize_fn(", "loss, _, _ = optimize_fn(",
                                    expect="carry the state"),
        "one_iteration_short": Mutant("range(num_iterations)", "range(num_iterations - 1)",
                                      expect="one optimize step per iteration"),
        "optimize_called_directly": Mutant("loss, _, a_prev = optimize_fn(", "loss, _, a_prev = optimize(",
                                           expect="call the optimize_fn you were given", category="ignored_argument"),
        "callback_always_called": Mutant("        if callback is not None:\n            callback(",
                                         "        callback(", expect="call it only `if callback is not None`",
                                         category="degenerate"),
        "unpacked_in_wrong_order": Mutant("loss, _, a_prev = optimize_fn(", "loss, a_prev, _ = optimize_fn(",
                                          expect="`loss, _, a_prev = optimize_fn(...)`", category="structure"),
        "whole_result_as_loss": Mutant("loss, _, a_prev = optimize_fn(", "loss = optimize_fn(",
                                       expect="unpack it and append the loss alone", category="structure"),
        "vocab_size_passed_too": Mutant("loss, _, a_prev = optimize_fn(X, Y, a_prev, parameters, learning_rate)",
                                        "loss, _, a_prev = optimize_fn(X, Y, a_prev, parameters, learning_rate, 27)",
                                        expect="optimize_fn() takes 5 positional arguments", category="structure"),
        "flat_initial_state": Mutant("a_prev = np.zeros((n_a, 1))", "a_prev = np.zeros(n_a)",
                                     expect="start from np.zeros((n_a, 1))", category="structure"),
    },
}

# the bug the class test submits: clip is called by no other graded function
CLASS_BUG = ('clip', 'copy_not_in_place')

BENCH_METRICS = [
    Metric("dinosaur held-out NLL per char (nats)", "dino_nll", "reported; < ln 27 = 3.296",
           lambda v, _: v < 3.296),
    Metric("US names held-out NLL per char, numpy RNN (nats)", "numpy_nll", "reported", lambda v, _: True),
    Metric("US names held-out NLL per char, Keras LSTM (nats)", "keras_nll", "beats the numpy RNN",
           lambda v, values: v < values["US names held-out NLL per char, numpy RNN (nats)"]),
]
