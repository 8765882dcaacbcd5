"""The models the course ships: committed weights load into the code's model and score what their card says.

The first tests exercise helpers/trained_models.py itself on a tiny model
trained into a temporary data folder; the parametrized ones check every
registered model's committed files.
"""

import shutil
import textwrap

import numpy as np
import pytest

from helpers import trained_models
from helpers.data import MANIFEST_NAME, DataFileError

TOY_MODULE = "toy_course_model"
TOY_SOURCE = textwrap.dedent('''
    import keras
    import numpy as np

    METRIC_TOLERANCE = {"mse": 1e-5}
    _X = np.linspace(-1.0, 1.0, 32, dtype="float32").reshape(-1, 1)
    _Y = 3.0 * _X - 1.0

    def build_model():
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        return model

    def train_model(seed):
        model = build_model()
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        model.fit(_X, _Y, epochs=3, verbose=0)
        return model, {"data": "a line", "split": {"train": 32}, "hyperparameters": {"epochs": 3}}

    def evaluate_model(model):
        return {"mse": float(np.mean((model.predict(_X, verbose=0) - _Y) ** 2))}
''')


@pytest.fixture
def toy_root(tmp_path, monkeypatch):
    """A data folder with an empty manifest and the toy model registered."""
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / f"{TOY_MODULE}.py").write_text(TOY_SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path / "code"))
    monkeypatch.setitem(trained_models.REGISTRY, "toy", TOY_MODULE)
    root = tmp_path / "datasets"
    root.mkdir()
    (root / MANIFEST_NAME).write_text("0" * 64 + "  names/kept.txt\n")
    return root


def test_train_and_save_writes_weights_card_and_checksums(toy_root):
    card = trained_models.train_and_save("toy", seed=3, root=toy_root)
    manifest = (toy_root / MANIFEST_NAME).read_text()
    assert "names/kept.txt" in manifest, "training a model must keep the other files' checksums"
    assert trained_models.weights_relative_path("toy") in manifest
    assert trained_models.card_relative_path("toy") in manifest
    assert trained_models.read_card("toy", root=toy_root) == card
    model = trained_models.load_trained_model("toy", root=toy_root)
    metrics = trained_models.model_module("toy").evaluate_model(model)
    # the same weights on the same machine: only float32 summation order may differ
    assert metrics["mse"] == pytest.approx(card["metrics"]["mse"], abs=1e-6)
    assert card["parameters"] == 2 and card["seed"] == 3


def test_training_again_replaces_the_manifest_lines(toy_root):
    trained_models.train_and_save("toy", seed=0, root=toy_root)
    trained_models.train_and_save("toy", seed=1, root=toy_root)
    lines = (toy_root / MANIFEST_NAME).read_text().splitlines()
    assert sum(trained_models.weights_relative_path("toy") in line for line in lines) == 1


def test_edited_weights_are_refused_by_name(toy_root):
    trained_models.train_and_save("toy", root=toy_root)
    weights = toy_root / trained_models.weights_relative_path("toy")
    weights.write_bytes(weights.read_bytes() + b"\0")
    with pytest.raises(DataFileError, match=r"toy\.weights\.h5.*expected"):
        trained_models.load_trained_model("toy", root=toy_root)


def test_card_without_json_block_is_refused(toy_root):
    trained_models.train_and_save("toy", root=toy_root)
    card = toy_root / trained_models.card_relative_path("toy")
    card.write_text("# no facts here\n")
    trained_models._update_manifest(toy_root, [trained_models.card_relative_path("toy")])
    with pytest.raises(trained_models.ModelCardError, match="json"):
        trained_models.read_card("toy", root=toy_root)


def test_unknown_model_lists_the_known_ones():
    with pytest.raises(KeyError, match="known models"):
        trained_models.model_module("no_such_model")


@pytest.mark.parametrize("name", trained_models.model_names())
def test_committed_weights_load_and_reproduce_the_card(name):
    card = trained_models.read_card(name)
    model = trained_models.load_trained_model(name)
    assert model.count_params() == card["parameters"], "the code builds another architecture than the card's"
    metrics = trained_models.model_module(name).evaluate_model(model)
    assert set(metrics) == set(card["metrics"])
    for metric, value in metrics.items():
        # each module states (and justifies) how far a re-evaluation may drift across CPUs
        assert abs(value - card["metrics"][metric]) <= card["metric_tolerance"][metric], (
            f"{name}: {metric} = {value:.4f} now, {card['metrics'][metric]:.4f} on the card")


@pytest.mark.parametrize("name", trained_models.model_names())
def test_committed_weights_are_small(name):
    size_mb = (trained_models.data_dir() / trained_models.weights_relative_path(name)).stat().st_size / 2**20
    assert size_mb < 8, f"{name} weights are {size_mb:.1f} MB; keep shipped models to a few MB"
