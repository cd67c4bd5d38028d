"""The encoder estimators in a model folder (``sk_textrec.save`` / ``sk_textrec.load``).

A fitted BertClassifier, BertRegressor or TextEmbedder is written as

- a subfolder with the torch module's weights (``model.safetensors``: the
  encoder and the heads, as trained), the encoder's ``config.json`` and the
  tokenizer's files, all data;
- an :class:`EncoderStub` in its place in the skops file: the estimator's
  parameters and fitted attributes without the torch objects.

Loading builds the module's architecture from the config (nothing is
downloaded, no code from the folder runs), loads the weights, and turns the
stub back into the estimator. torch is imported inside the functions only.

Derived inference state (a compressed copy of the weights, a runtime
session) is not saved: an estimator lists such attributes in
``_derived_attributes`` and rebuilds them in ``_restore_derived()``, which
loading calls once the fp32 weights are in place.
"""

import os
import warnings
from pathlib import PurePath

# The torch objects and what follows from them and the machine: rebuilt on load.
_REBUILT = frozenset({"net_", "model_", "tokenizer_", "device_", "_autocast_dtype"})
# Never taken from a file: TextEmbedder pickles carry the module as torch-pickled bytes.
_FORBIDDEN = frozenset({"_model_bytes"})
# The adapters of a peft model, kept for adapters-only pickles: a folder holds the
# merged weights instead, self-contained (the loaded model pickles in full).
_NOT_KEPT = frozenset({"_peft_adapters"})
WEIGHTS_FILE = "model.safetensors"


def encoder_classes():
    """The estimators saved through :class:`EncoderStub`, by class name."""
    from ._bert import BertClassifier
    from ._embedder import TextEmbedder
    from ._regressor import BertRegressor

    return {cls.__name__: cls for cls in (BertClassifier, BertRegressor, TextEmbedder)}


def is_encoder(obj):
    return isinstance(obj, tuple(encoder_classes().values()))


def _not_saved(estimator):
    return _REBUILT | _FORBIDDEN | _NOT_KEPT | set(getattr(estimator, "_derived_attributes", ()))


def saved_state(estimator):
    """The attributes of an encoder estimator that its stub stores; paths as strings.

    A path parameter (``checkpoint=Path(...)``, ``model_name_or_path``) is
    stored as its string, as ``sk_textrec.save`` stores paths elsewhere; a
    peft config (the ``peft`` parameter) as its dict.
    """
    excluded = _not_saved(estimator)
    state = {name: os.fspath(value) if isinstance(value, PurePath) else value
             for name, value in vars(estimator).items() if name not in excluded}
    if state.get("peft") is not None:
        from ._peft import config_to_saved

        state["peft"] = config_to_saved(state["peft"])
    return state


class EncoderStub:
    """Stand-in for an encoder estimator in the skops file of a model folder.

    Parameters
    ----------
    estimator_class : str
        ``"BertClassifier"``, ``"BertRegressor"`` or ``"TextEmbedder"``.
    state : dict
        The estimator's parameters and fitted attributes, without torch objects.
    folder : str or None
        Subfolder of its weights, tokenizer and config (``"encoders/0"``);
        ``None`` for an unfitted estimator.
    device : str or None
        Device the model was on when saved.
    history : list of dict or None
        ``net_.history`` of a fine-tuned estimator.
    """

    def __init__(self, estimator_class, state, folder=None, device=None, history=None):
        self.estimator_class = estimator_class
        self.state = state
        self.folder = folder
        self.device = device
        self.history = history


def _fitted_module(estimator):
    if hasattr(estimator, "net_"):
        return estimator.net_.module_
    return getattr(estimator, "model_", None)


def save_encoder(estimator, root, folder):
    """Write a fitted encoder estimator's files under ``root/folder``; its stub."""
    name = type(estimator).__name__
    if estimator.trust_remote_code:
        raise ValueError(
            f"Cannot save {name} with trust_remote_code=True: its model needs code from "
            "the hub, which a safe model folder neither holds nor runs. Keep it with "
            "pickle / joblib and load it only from sources you trust."
        )
    module = _fitted_module(estimator)
    state = saved_state(estimator)
    if module is None:
        return EncoderStub(name, state)
    from safetensors.torch import save_model

    target = os.path.join(root, folder)
    os.makedirs(target)
    try:
        save_model(module, os.path.join(target, WEIGHTS_FILE))
    except (ValueError, TypeError, RuntimeError) as exc:
        raise ValueError(
            f"Cannot write the weights of {name}: {exc}. A saved model holds its fp32 "
            "weights; compressed copies are rebuilt from them on loading."
        ) from exc
    getattr(module, "encoder", module).config.save_pretrained(target)
    estimator.tokenizer_.save_pretrained(target)
    history = None
    if hasattr(estimator, "net_"):
        history = [dict(row, batches=[dict(b) for b in row.get("batches", [])])
                   for row in estimator.net_.history]
    return EncoderStub(name, state, folder, estimator.device_, history)


def _device_here(saved):
    """The saved device where this machine has it, else the CPU (with a warning)."""
    import torch

    device = torch.device(saved)
    if device.type == "cuda" and torch.cuda.is_available():
        if (device.index or 0) < torch.cuda.device_count():
            return saved
    elif device.type == "mps" and getattr(torch.backends, "mps", None) is not None:
        if torch.backends.mps.is_available():
            return saved
    elif device.type == "cpu":
        return "cpu"
    warnings.warn(
        f"The model was saved on {saved!r}, which this machine does not have; it is "
        "loaded on the CPU.", UserWarning, stacklevel=4,
    )
    return "cpu"


def _head_sizes(weights_file):
    """Width of each head, read from the saved weights (``heads.<i>.weight``)."""
    from safetensors import safe_open

    with safe_open(weights_file, framework="pt") as file:
        shapes = {key: file.get_slice(key).get_shape() for key in file.keys()}
    sizes = []
    while f"heads.{len(sizes)}.weight" in shapes:
        sizes.append(int(shapes[f"heads.{len(sizes)}.weight"][0]))
    return sizes


def restore_encoder(stub, root):
    """The estimator that ``stub`` stands for, with its weights from ``root/stub.folder``."""
    classes = encoder_classes()
    if stub.estimator_class not in classes:
        raise ValueError(
            f"The model folder names an unknown encoder class {stub.estimator_class!r}; "
            f"sk_textrec saves only {sorted(classes)}."
        )
    cls = classes[stub.estimator_class]
    estimator = cls.__new__(cls)
    unexpected = sorted(set(stub.state) & _not_saved(estimator))
    if unexpected:
        raise ValueError(
            f"The saved state of {cls.__name__} holds {unexpected}, which sk_textrec.save "
            "never writes: the folder was altered. It is not loaded."
        )
    estimator.__dict__.update(stub.state)
    if isinstance(stub.state.get("peft"), dict):
        from ._peft import config_from_saved

        estimator.peft = config_from_saved(stub.state["peft"])
    if stub.folder is None:
        return estimator
    import torch
    from safetensors.torch import load_model
    from transformers import AutoConfig, AutoTokenizer

    from ..utils._device import resolve_precision

    folder = os.path.join(root, stub.folder)
    weights = os.path.join(folder, WEIGHTS_FILE)
    estimator.device_ = _device_here(stub.device)
    estimator._autocast_dtype = resolve_precision(estimator.precision, estimator.device_)
    # trust_remote_code=False whatever the state says: no code from the folder runs.
    estimator.tokenizer_ = AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
    config = AutoConfig.from_pretrained(folder, trust_remote_code=False)
    # Building the architecture draws random initial weights, soon overwritten;
    # the caller's global RNG is left as it was.
    with torch.random.fork_rng(devices=[]):
        if hasattr(estimator, "_fit_encoder"):
            module = _restore_net(estimator, config, _head_sizes(weights), stub.history)
        else:
            from ._module import load_encoder

            module = estimator.model_ = load_encoder(config, trust_remote_code=False)
    load_model(module, weights, strict=True, device=estimator.device_)
    module.to(estimator.device_).eval()
    restore_derived = getattr(estimator, "_restore_derived", None)
    if restore_derived is not None:
        restore_derived()
    return estimator


def _restore_net(estimator, config, head_sizes, history):
    """A fine-tuned estimator's skorch net, built as ``fit`` builds it, weights aside."""
    from skorch.history import History

    # No training rows: the net predicts. Its loss has no tasks, and its
    # optimizer starts empty, as fit leaves it.
    net = estimator._build_net([], None, [], head_sizes, seed=0, encoder=config)
    net.initialize()
    net.history = History(history or [])
    estimator.net_ = net
    return net.module_
