"""Known-wrong variants for 01 rnn_step_by_step: bugs students really make."""

from graders.instructor.known_wrong import Mutant

MUTANTS = {
    "rnn_cell_forward": {
        "no_bias": Mutant("Wax @ xt + ba)", "Wax @ xt)"),
        "no_tanh": Mutant("a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)", "a_next = (Waa @ a_prev + Wax @ xt + ba)"),
        "softmax_wrong_axis": Mutant("softmax(Wya @ a_next + by, axis=0)", "softmax(Wya @ a_next + by, axis=1)"),
    },
    "rnn_forward": {
        "forgot_a0": Mutant("a_next = a0\n", "a_next = np.zeros_like(a0)\n"),
        "state_not_carried": Mutant("rnn_cell_forward(x[:, :, t], a_next, parameters)", "rnn_cell_forward(x[:, :, t], a0, parameters)"),
    },
    "lstm_cell_forward": {
        "no_forget_term": Mutant("c_next = ft * c_prev + it * cct", "c_next = it * cct"),
        "gates_swapped": Mutant("c_next = ft * c_prev + it * cct", "c_next = it * c_prev + ft * cct"),
        "a_next_without_tanh": Mutant("a_next = ot * np.tanh(c_next)", "a_next = ot * c_next"),
    },
    "lstm_forward": {
        "forgot_a0": Mutant("a_next = a0\n", "a_next = np.zeros_like(a0)\n"),
        "memory_not_carried": Mutant(
            "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
            "lstm_cell_forward(x[:, :, t], a_next, np.zeros((n_a, m)), parameters)",
        ),
    },
    "rnn_cell_backward": {
        "no_tanh_derivative": Mutant("dz = (1 - cache.a_next ** 2) * da_next", "dz = da_next"),
        "derivative_of_wrong_state": Mutant("(1 - cache.a_next ** 2)", "(1 - cache.a_prev ** 2)"),
        "bias_summed_over_units": Mutant("np.sum(dz, axis=1, keepdims=True)", "np.sum(dz, axis=0, keepdims=True)"),
    },
    "rnn_backward": {
        "not_accumulated": Mutant("gradients[name] += step[name]", "gradients[name] = step[name]"),
        "recurrent_gradient_dropped": Mutant("rnn_cell_backward(da[:, :, t] + da_prevt,", "rnn_cell_backward(da[:, :, t],"),
    },
    "lstm_cell_backward": {
        "dc_next_ignored": Mutant("dc = dc_next + da_next * ot", "dc = da_next * ot"),
        "dc_prev_without_forget_gate": Mutant('gradients["dc_prev"] = dc * ft', 'gradients["dc_prev"] = dc'),
        "output_gate_without_sigmoid_derivative": Mutant("dot = da_next * tanh_c * ot * (1 - ot)", "dot = da_next * tanh_c"),
    },
    "lstm_backward": {
        "not_accumulated": Mutant("gradients[name] += step[name]", "gradients[name] = step[name]"),
        "memory_gradient_dropped": Mutant('dc_prevt = step["dc_prev"]', "dc_prevt = np.zeros((n_a, m))"),
    },
}
