"""03 jazz_improvisation: the oracles, their bug replays and the structure of the hidden cases."""

import numpy as np

from graders.compare import matches


def test_03_hidden_cases_differ_in_structure():
    """Batch of one, one time step, zero state, temperature 0 and > 0: each somewhere in the hidden suite."""
    import graders.jazz_improvisation as g

    def hidden(func_name):
        return g.GRADER.cases(func_name, "hidden")

    assert {1} <= {c.dims["T_x"] for c in hidden("music_model")} and {1} <= {c.dims["m"] for c in hidden("music_model")}
    inference = hidden("music_inference_model")
    assert {c.dims["T_y"] for c in inference} >= {1} and {c.dims["m"] for c in inference} >= {1}
    temperatures = {c.kwargs["temperature"] for c in inference}
    assert 0.0 in temperatures and max(temperatures) > 1.0  # greedy, and hotter than any public case
    assert any(not np.any(c.data["inputs"][1]) for c in inference)  # a0 = 0 in one case
    assert any(c.dims["m"] == 1 and c.dims["T_y"] == 1 for c in hidden("predict_and_sample"))


def test_03_every_known_bug_shows_on_a_public_case():
    """Each bug the oracle replays changes the outputs of some public case (replay drops it where it does not)."""
    import graders.jazz_improvisation as g

    known = {"music_model": {g.STATE_HINT, g.INITIAL_STATE_HINT},
             "music_inference_model": {hint for hint, _ in g._INFERENCE_BUGS},
             "predict_and_sample": {g.RNG_HINT}}  # its other bugs are named by the properties
    for func_name, graded in g.GRADER.graded.items():
        shown = set()
        for case in g.GRADER.cases(func_name, "public"):
            expected, bugs = graded.expect(case)
            shown |= {hint for hint, leaves in bugs.items()
                      if any(not matches(leaves[p], expected[p], graded.spec.atol, graded.spec.rtol) for p in leaves)}
        assert known[func_name] <= shown, (func_name, known[func_name] - shown)


def test_03_stand_in_model_never_chooses_the_last_value():
    """So a one-hot depth taken from the largest chosen index comes out too small (the bug is visible)."""
    import graders.jazz_improvisation as g

    model = g.stand_in_model(T_y=6, n_a=2, n_values=4)
    gumbel = np.zeros((3, 6, 4), dtype=np.float32)
    gumbel[..., -1] = 50.0  # the largest noise sits on the last value
    chosen = model.predict([np.zeros((3, 1, 4)), np.zeros((3, 2)), np.zeros((3, 2)), gumbel], verbose=0)
    assert chosen.shape == (3, 6, 4) and not np.any(chosen[..., -1])
