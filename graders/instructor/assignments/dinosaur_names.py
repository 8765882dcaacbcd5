"""Known-wrong variants for 02 dinosaur_names: bugs students really make."""

from graders.instructor.known_wrong import Mutant

MUTANTS = {
    "clip": {
        "copy_not_in_place": Mutant(
            "np.clip(gradients[name], -max_value, max_value, out=gradients[name])",
            "gradients[name] = np.clip(gradients[name], -max_value, max_value)",
            expect="clip must work in place",
        ),
        "some_gradients_not_clipped": Mutant('("dWax", "dWaa", "dWya", "dba", "dby")', '("dWax", "dWaa", "dWya")'),
        "lower_bound_zero": Mutant("-max_value, max_value, out=", "0, max_value, out="),
    },
    "sample": {
        "argmax_instead_of_sampling": Mutant(
            "int(rng.choice(vocab_size, p=probabilities.ravel()))",
            "int(np.argmax(probabilities))",
            expect="sample with rng.choice",
        ),
        "input_not_fed_back": Mutant("        x[idx] = 1.0\n", "", expect="feed the sampled character back"),
        "global_random_state": Mutant(
            "int(rng.choice(vocab_size, p=probabilities.ravel()))",
            "int(np.random.choice(vocab_size, p=probabilities.ravel()))",
            expect="never with np.random.choice",
        ),
        "newline_not_stopping": Mutant(
            "        if idx == newline:\n            break\n", "", expect="stop as soon as the newline",
        ),
        "cap_off_by_one": Mutant(
            "while len(indices) < max_length:", "while len(indices) < max_length - 1:",
            expect="the loop must allow exactly 50 draws",
        ),
    },
    "optimize": {
        "no_clipping": Mutant("    gradients = clip(gradients, max_value)\n", ""),
        "clip_after_update": Mutant(
            "    gradients = clip(gradients, max_value)\n    update_parameters(parameters, gradients, learning_rate)\n",
            "    update_parameters(parameters, gradients, learning_rate)\n    gradients = clip(gradients, max_value)\n",
            expect="clip the gradients before update_parameters",
        ),
        "initial_state_returned": Mutant("a_last = a[len(X) - 1]", "a_last = a[-1]"),
    },
    "train_char_rnn": {
        "same_example_every_time": Mutant("examples[j % len(examples)]", "examples[0]", expect="cycling through all examples"),
        "state_not_carried": Mutant("loss, _, a_prev = optimize_fn(", "loss, _, _ = optimize_fn(", expect="carry the state"),
        "one_iteration_short": Mutant("range(num_iterations)", "range(num_iterations - 1)", expect="one optimize step per iteration"),
    },
}
