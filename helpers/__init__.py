"""Given code for the Sequence Models Companion notebooks, one module per concept.

Nothing here is an exercise: students import these modules and never need to
edit them. Modules: activations, budget, char_rnn, data, gradcheck,
keras_bridge, music, ner, plotting, rnn_caches, text.
"""
