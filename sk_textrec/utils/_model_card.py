"""The readable side of a model folder: the manifest's summary and the model card.

The manifest (``model.json``) describes the saved estimator for people and
tools (parameters, classes, thresholds, library versions, file hashes); the
skops file and the weights are what loading reads. The model card
(``README.md``) says the same in prose, with the evaluation once
``python -m sk_textrec evaluate`` has run.
"""

import json
import math
import numbers
import platform
from importlib import metadata
from pathlib import Path

import numpy as np

from ._trust import type_name

# Larger arrays, lists and dicts are summarised by their size.
_MAX_ITEMS = 50
_DISTRIBUTIONS = ("sk-textrec", "scikit-learn", "imbalanced-learn", "numpy", "scipy", "torch",
                  "transformers", "skorch", "safetensors", "skops")
# Fitted attributes of a ThresholdTunedClassifier that the card shows.
_DECISION_RULES = ("best_threshold_", "group_thresholds_", "offsets_")
CARD_FILE = "README.md"
EVALUATION_FILE = "evaluation.json"


def readable(value):
    """``value`` as plain JSON: nested estimators as class and parameters, big arrays by shape."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else str(float(value))
    if isinstance(value, np.ndarray):
        if value.size > _MAX_ITEMS:
            return f"array of shape {value.shape}, dtype {value.dtype}"
        return readable(value.tolist())
    if isinstance(value, (list, tuple)):
        if len(value) > _MAX_ITEMS:
            return f"{type(value).__name__} of {len(value)} items"
        return [readable(item) for item in value]
    if isinstance(value, dict):
        if len(value) > _MAX_ITEMS:
            return f"dict of {len(value)} items"
        return {str(key): readable(item) for key, item in value.items()}
    if hasattr(value, "get_params") and not isinstance(value, type):
        return {"class": type_name(type(value)),
                "params": {name: readable(item) for name, item in value.get_params(deep=False).items()}}
    if isinstance(value, type) or callable(value):
        return type_name(value) if hasattr(value, "__qualname__") else repr(value)
    return repr(value)[:200]


def fitted_summary(estimator):
    """The fitted attributes of ``estimator`` worth reading (classes, thresholds, sizes)."""
    summary = {}
    names = [name for name in vars(estimator) if name.endswith("_") and not name.startswith("_")]
    for name in ["classes_", *names]:
        try:
            value = getattr(estimator, name)
        except AttributeError:  # classes_ of an unfitted or regressor estimator
            continue
        if not hasattr(value, "get_params") and not _holds_estimators(value):
            summary[name] = readable(value)
    return summary


def _holds_estimators(value):
    """Whether a list, tuple or dict holds estimators, perhaps in (name, estimator) pairs."""
    if isinstance(value, dict):
        value = list(value.values())
    if not isinstance(value, (list, tuple)):
        return False
    parts = [part for item in value for part in (item if isinstance(item, (list, tuple)) else [item])]
    return any(hasattr(part, "get_params") for part in parts)


def library_versions():
    versions = {"python": platform.python_version()}
    for name in _DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def write_card(folder, manifest, evaluation=None):
    """Write ``README.md``: what the model is, its data, its evaluation, how to load it."""
    estimator = manifest["estimator"]
    version = manifest["versions"].get("sk-textrec", "?")
    lines = [f"# {estimator['class'].rsplit('.', 1)[-1]} (sk_textrec model folder)", "",
             f"Saved {manifest['saved_at']} with sk_textrec {version}.", "", "## Model", "",
             f"- Estimator: `{estimator['class']}`"]
    classes = estimator["fitted"].get("classes_")
    if classes is not None:
        lines.append(f"- Classes: {classes}")
    for part in manifest["estimators"]:
        thresholds = {name: part["fitted"][name] for name in _DECISION_RULES if name in part["fitted"]}
        if thresholds:
            lines.append(f"- Decision rule of `{part['path']}`: {json.dumps(thresholds)}")
    for encoder in manifest["encoders"]:
        if encoder["folder"] is None:  # an unfitted template (a meta-estimator's parameter)
            continue
        source = encoder["model_name_or_path"] or "all-MiniLM-L6-v2 (packaged)"
        name = encoder["class"].rsplit(".", 1)[-1]
        lines.append(f"- `{encoder['path']}`: {name} from {source}, in `{encoder['folder']}/`; "
                     f"max_length {encoder['fitted']['max_length_']}")
    lines += ["", "## Data", "", manifest.get("description") or
              "Not described (pass `description=` to `sk_textrec.save`)."]
    lines += ["", "## Evaluation", ""]
    if evaluation is None:
        lines.append("Not evaluated yet: `python -m sk_textrec evaluate --model FOLDER --data "
                     "test.csv` adds the results here.")
    else:
        lines += [f"On {evaluation['data']}:", "", "```", evaluation["report"].rstrip(), "```"]
    lines += ["", "## Loading", "", "```python", "import sk_textrec", "",
              'model = sk_textrec.load("FOLDER")', "```", "",
              "Loading reads data only (safetensors weights, tokenizer and config files, a skops "
              "file of the scikit-learn parts) and checks every file against the hash in "
              "`model.json`; it runs no code from the folder.", "",
              "## Library versions", "", "| package | version |", "|---|---|"]
    lines += [f"| {name} | {version} |" for name, version in manifest["versions"].items()]
    (folder / CARD_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")


def record_evaluation(folder, manifest, evaluation):
    """Keep an evaluation beside the model (``evaluation.json``) and in its model card.

    Neither file is read by loading, so neither is in the manifest's hashes.
    """
    folder = Path(folder)
    evaluation = readable(evaluation)
    (folder / EVALUATION_FILE).write_text(json.dumps(evaluation, indent=2) + "\n", encoding="utf-8")
    write_card(folder, manifest, evaluation)
