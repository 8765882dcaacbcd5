"""Models the course trains once and ships as weights, with a model card each.

Some notebooks build on a model that takes too long to train in class (a
translator for beam search, a trigger-word detector, a speech recognizer).
The project trains each one itself, from the committed data, with a fixed
seed: ``make models`` (or ``make models MODEL=name``) runs this module. It
writes, under ``datasets/models/``:

    <name>.weights.h5   Keras 3 weights only (never a whole-model file): the
                        notebook rebuilds the model in code and loads them
    <name>.md           the model card: data and split, hyperparameters, seed,
                        parameter count, training time, held-out metrics;
                        its first fenced ``json`` block holds the same facts
                        for programs (`read_card`)

and adds or replaces both files' lines in ``datasets/SHA256SUMS``, so
`load_trained_model` refuses a missing, truncated or edited file by name.

A model module (one per model, listed in `REGISTRY`) defines:

    build_model()      -> keras.Model, built (weights created), not trained
    train_model(seed)  -> (trained keras.Model, facts): facts is a dict with
                          at least "data", "split" and "hyperparameters"
                          (strings or dicts of plain values)
    evaluate_model(model) -> {metric name: float} on the held-out set
    METRIC_TOLERANCE   {metric name: absolute tolerance}: how far a
                          re-evaluation on another machine may drift from
                          the card (the module justifies each size)

Training and evaluation run with `keras.utils.set_random_seed(seed)`.
"""

import argparse
import importlib
import json
import re
import time
from pathlib import Path

from helpers.data import MANIFEST_NAME, data_dir, dataset_path, sha256_of

MODELS_SUBDIR = "models"
DEFAULT_SEED = 0
WEIGHTS_SUFFIX = ".weights.h5"
CARD_SUFFIX = ".md"
CARD_FIELDS = ("name", "module", "seed", "data", "split", "hyperparameters",
               "parameters", "training_seconds", "cpu_cores", "metrics", "metric_tolerance")

# model name -> module defining build_model / train_model / evaluate_model / METRIC_TOLERANCE
REGISTRY = {
    "ctc_recognizer": "helpers.ctc_recognizer",
    "trigger_detector": "helpers.trigger_detector",
    "translator": "helpers.translator",
}

_JSON_BLOCK = re.compile(r"```json\n(.*?)\n```", re.DOTALL)


class ModelCardError(RuntimeError):
    """A model card is missing, unreadable, or lacks a required field."""


def model_names():
    """Names of every registered model, sorted."""
    return sorted(REGISTRY)


def model_module(name):
    """Import and return the module that builds, trains and evaluates `name`.

    Raises
    ------
    KeyError  if `name` is not registered; the message lists the known names.
    """
    if name not in REGISTRY:
        raise KeyError(f"no trained model named {name!r}; known models: {', '.join(model_names()) or 'none'}")
    return importlib.import_module(REGISTRY[name])


def weights_relative_path(name):
    """Path of a model's weights below datasets/, as SHA256SUMS writes it."""
    return f"{MODELS_SUBDIR}/{name}{WEIGHTS_SUFFIX}"


def card_relative_path(name):
    """Path of a model's card below datasets/, as SHA256SUMS writes it."""
    return f"{MODELS_SUBDIR}/{name}{CARD_SUFFIX}"


def load_trained_model(name, root=None):
    """Build model `name` in code and load its committed, checksum-verified weights.

    Returns
    -------
    keras.Model  the model of ``build_model()`` carrying the trained weights

    Raises
    ------
    KeyError               if `name` is not registered
    helpers.data.DataFileError  if the weights file is missing, unlisted or
                           does not match datasets/SHA256SUMS (the message
                           names the file and its expected checksum)
    """
    module = model_module(name)
    path = dataset_path(weights_relative_path(name), root)
    model = module.build_model()
    model.load_weights(path)
    return model


def read_card(name, root=None):
    """The facts of a model card: the dict in its first ```json block.

    Raises
    ------
    helpers.data.DataFileError  if the card is missing or fails its checksum
    ModelCardError              if it has no json block or lacks a field of CARD_FIELDS
    """
    path = dataset_path(card_relative_path(name), root)
    match = _JSON_BLOCK.search(path.read_text(encoding="utf-8"))
    if match is None:
        raise ModelCardError(f"model card {path} has no ```json block; regenerate it with make models MODEL={name}")
    facts = json.loads(match.group(1))
    missing = [field for field in CARD_FIELDS if field not in facts]
    if missing:
        raise ModelCardError(f"model card {path} lacks {', '.join(missing)}; regenerate it with make models MODEL={name}")
    return facts


def _format_value(value):
    if isinstance(value, dict):
        return "; ".join(f"{key} = {val}" for key, val in value.items())
    return str(value)


def render_card(facts):
    """Markdown text of a model card from its facts (see CARD_FIELDS)."""
    metrics = "\n".join(f"| {metric} | {value:.4f} | ± {facts['metric_tolerance'][metric]} |"
                        for metric, value in facts["metrics"].items())
    return f"""# Model card: {facts['name']}

Trained by `make models MODEL={facts['name']}` (module `{facts['module']}`), seed {facts['seed']}.
The notebook rebuilds the model in code and loads `{facts['name']}{WEIGHTS_SUFFIX}`;
nobody needs to retrain it.

- **Data:** {_format_value(facts['data'])}
- **Split:** {_format_value(facts['split'])}
- **Hyperparameters:** {_format_value(facts['hyperparameters'])}
- **Trainable and other parameters:** {facts['parameters']:,}
- **Training time:** {facts['training_seconds']:.0f} s on {facts['cpu_cores']} CPU cores

## Held-out metrics

| metric | value | tolerance when re-evaluated |
|---|---|---|
{metrics}

## Facts for programs

```json
{json.dumps(facts, indent=2, sort_keys=True)}
```
"""


def _update_manifest(root, relative_paths):
    """Add or replace the SHA256SUMS lines of `relative_paths`, keeping the others."""
    manifest = root / MANIFEST_NAME
    lines = [line for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    kept = [line for line in lines if line.split(maxsplit=1)[1].lstrip("*").strip() not in relative_paths]
    added = [f"{sha256_of(root / rel)}  {rel}" for rel in relative_paths]
    manifest.write_text("\n".join(kept + added) + "\n", encoding="utf-8")


def train_and_save(name, seed=DEFAULT_SEED, root=None):
    """Train model `name` with `seed`, then write its weights, card and checksums.

    Returns
    -------
    dict  the card's facts
    """
    import os

    import keras

    root = Path(root) if root is not None else data_dir()
    module = model_module(name)
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model, facts = module.train_model(seed)
    training_seconds = time.perf_counter() - start
    metrics = {metric: float(value) for metric, value in module.evaluate_model(model).items()}
    unknown = sorted(set(metrics) - set(module.METRIC_TOLERANCE))
    if unknown:
        raise ModelCardError(f"{REGISTRY[name]}.METRIC_TOLERANCE has no tolerance for {', '.join(unknown)}")
    card = {
        "name": name,
        "module": REGISTRY[name],
        "seed": seed,
        "data": facts["data"],
        "split": facts["split"],
        "hyperparameters": facts["hyperparameters"],
        "parameters": int(model.count_params()),
        "training_seconds": round(training_seconds, 1),
        "cpu_cores": os.cpu_count(),
        "metrics": metrics,
        "metric_tolerance": {metric: module.METRIC_TOLERANCE[metric] for metric in metrics},
    }
    (root / MODELS_SUBDIR).mkdir(parents=True, exist_ok=True)
    model.save_weights(root / weights_relative_path(name))
    (root / card_relative_path(name)).write_text(render_card(card), encoding="utf-8")
    _update_manifest(root, [weights_relative_path(name), card_relative_path(name)])
    return card


def main(argv=None):
    """Command line of ``make models``: train the named models (default: all)."""
    parser = argparse.ArgumentParser(description="Train the course's pretrained models and write their cards.")
    parser.add_argument("names", nargs="*", help=f"models to train (default: all of {', '.join(model_names())})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    for name in args.names or model_names():
        card = train_and_save(name, seed=args.seed)
        print(f"{name}: {card['parameters']:,} parameters, {card['training_seconds']:.0f} s, metrics {card['metrics']}")


if __name__ == "__main__":
    main()
