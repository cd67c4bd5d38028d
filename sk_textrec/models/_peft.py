"""Adapters (LoRA and the other peft methods) on the encoder of the fine-tuned estimators.

With ``peft`` set, :class:`~sk_textrec.models._module.EncoderWithHeads` wraps
its encoder with ``peft.get_peft_model``: the encoder's own weights are frozen
and only the adapters and the heads train. After training the adapters are
merged into the encoder's weights (``merge_and_unload``), so prediction costs
what it costs without adapters.

The estimator keeps, in ``_peft_adapters``, what an adapters-only pickle needs
to rebuild the merged encoder: the base model's name or path, one
``(peft config, adapter weights)`` round per fit (a ``warm_start`` fit adds a
round on top of the merged weights), and a fingerprint of the base weights.
Such a pickle leaves the encoder out and unpickling re-loads the base model,
adds and merges each round: the same computation as after ``fit``.

peft is imported inside the functions only (the ``scale`` extra).
"""

import copy
import json
import warnings

# The query and value projections of self-attention, by architecture family:
# BERT / MiniLM / RoBERTa / ELECTRA, DistilBERT, DeBERTa-v2, MPNet, BART-like.
_ATTENTION_TARGETS = (("query", "value"), ("q_lin", "v_lin"), ("query_proj", "value_proj"),
                      ("q", "v"), ("q_proj", "v_proj"))
# The "lora" shortcut: the settings of the LoRA paper's GLUE runs on BERT-size models.
LORA_DEFAULTS = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.1, "bias": "none"}


def _import_peft():
    from ..utils._optional import import_optional

    return import_optional("peft", extra="scale", purpose="The 'peft' parameter (adapters such as LoRA)")


def check_peft(estimator):
    """Validate the ``peft`` parameter in ``fit``: "lora", a peft config or None."""
    value = estimator.peft
    if value is None:
        return
    peft = _import_peft()
    if estimator.freeze is not None:
        raise ValueError(
            "The 'freeze' parameter cannot be combined with 'peft': with adapters the "
            "encoder's own weights are frozen already and only the adapters train."
        )
    if isinstance(value, str):
        return
    if not isinstance(value, peft.PeftConfig):
        raise TypeError(
            f"The 'peft' parameter must be 'lora', a peft config such as "
            f"peft.LoraConfig(r=8) or None; got {type(value).__name__}."
        )
    if value.is_prompt_learning:
        raise ValueError(
            f"The 'peft' parameter is a {type(value).__name__}, which adds virtual tokens to "
            "the input; the estimators pool the encoder's token vectors and support adapters "
            "on its layers only (LoRA, LoHa, LoKr, IA3, ...)."
        )


def lora_targets(encoder):
    """Names of the attention query and value linear layers of ``encoder``."""
    from torch import nn

    names = {name.rsplit(".", 1)[-1] for name, module in encoder.named_modules()
             if isinstance(module, nn.Linear)}
    for pair in _ATTENTION_TARGETS:
        if set(pair) <= names:
            return list(pair)
    raise ValueError(
        f"peft='lora' cannot find the attention query and value layers of "
        f"{type(encoder).__name__} (looked for {[list(pair) for pair in _ATTENTION_TARGETS]}). "
        "Pass a peft.LoraConfig whose target_modules name its linear layers."
    )


def peft_config(peft, encoder):
    """The peft config that ``peft`` stands for on ``encoder``; a copy, never the parameter itself.

    peft writes into the config it is given (the base model's name), and an
    estimator's parameters must stay as the user set them.
    """
    if isinstance(peft, str):
        from peft import LoraConfig

        return LoraConfig(target_modules=lora_targets(encoder), **LORA_DEFAULTS)
    return copy.deepcopy(peft)


def add_adapters(encoder, peft):
    """``encoder`` wrapped by peft with the adapters ``peft`` describes; its own weights frozen."""
    from peft import get_peft_model

    with warnings.catch_warnings():
        # peft reads a transformers attribute that transformers 5 deprecates.
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        return get_peft_model(encoder, peft_config(peft, encoder))


def _fingerprint(parameters):
    """A hash of the given tensors' values, in order (joblib's hash of numpy copies)."""
    import joblib

    return joblib.hash([p.detach().float().cpu().numpy() for p in parameters])


def _frozen_fingerprint(peft_model):
    return _fingerprint(p for p in peft_model.parameters() if not p.requires_grad)


def merge_adapters(estimator, model_name_or_path, *, warm):
    """After training: record the adapters, then merge them into the encoder's weights.

    A cold fit starts a new record, with a fingerprint of the frozen base
    weights; a warm fit adds its round to the record of the fit it continues
    (a model without one, e.g. loaded by ``sk_textrec.load``, has only its
    merged weights and pickles in full).
    """
    from peft import get_peft_model_state_dict

    module = estimator.net_.module_
    peft_model = module.encoder
    adapters = {name: tensor.detach().to("cpu", copy=True)
                for name, tensor in get_peft_model_state_dict(peft_model).items()}
    round_ = (peft_model.peft_config["default"], adapters)
    record = getattr(estimator, "_peft_adapters", None) if warm else None
    if not warm:
        record = {"base": model_name_or_path, "trust_remote_code": estimator.trust_remote_code,
                  "base_fingerprint": _frozen_fingerprint(peft_model), "rounds": []}
    if record is not None:
        record["rounds"].append(round_)
    estimator._peft_adapters = record
    module.encoder = peft_model.merge_and_unload()


def without_encoder(net):
    """A shallow copy of a fitted skorch net whose module leaves out the encoder, for pickling.

    The optimizer is left out too: it refers to every weight, and a fitted
    model does not need it (a ``warm_start`` fit builds a fresh one).
    """
    module = net.module_
    light_module = object.__new__(type(module))
    light_module.__dict__.update(module.__dict__, _modules={**module._modules, "encoder": None})
    # Not copy.copy: skorch's __getstate__ would serialise the whole module to copy it.
    light_net = object.__new__(type(net))
    light_net.__dict__.update(net.__dict__, module_=light_module, optimizer_=None)
    return light_net


def _load_base(estimator, record):
    from ..utils._model_source import resolve_model_source
    from ._module import load_encoder

    base = record["base"]
    described = "the packaged all-MiniLM-L6-v2" if base is None else repr(str(base))
    try:
        return load_encoder(resolve_model_source(base), record["trust_remote_code"])
    except (OSError, ValueError, ImportError) as exc:
        raise OSError(
            f"This {type(estimator).__name__} was pickled with its adapters only "
            f"(peft_pickle='adapters'): unpickling re-loads its base model {described} and adds "
            f"the adapters, and the base model could not be loaded here ({exc}). Unpickle it "
            "where that model can be loaded, or pickle it with peft_pickle='full' for a "
            "self-contained file."
        ) from exc


def restore_encoder(estimator):
    """Rebuild the merged encoder of an unpickled adapters-only model, as ``fit`` left it."""
    import torch
    from peft import set_peft_model_state_dict

    record = estimator._peft_adapters
    module = estimator.net_.module_
    device = estimator.net_.device
    # Wrapping an encoder draws initial adapter weights, overwritten at once.
    with torch.random.fork_rng(devices=estimator._rng_devices()):
        encoder = _load_base(estimator, record).to(device)
        for i, (config, adapters) in enumerate(record["rounds"]):
            peft_model = add_adapters(encoder, config)
            if i == 0 and _frozen_fingerprint(peft_model) != record["base_fingerprint"]:
                raise ValueError(
                    f"The base model {record['base']!r} loaded to unpickle this "
                    f"{type(estimator).__name__} is not the one its adapters were trained on "
                    "(its weights differ). Unpickle it with the same base model, or pickle it "
                    "with peft_pickle='full'."
                )
            set_peft_model_state_dict(peft_model, adapters)
            encoder = peft_model.merge_and_unload()
    module.encoder = encoder.eval()


def config_to_saved(peft):
    """The ``peft`` parameter as plain JSON data for a model folder (a config becomes a dict)."""
    if peft is None or isinstance(peft, str):
        return peft
    to_plain = lambda value: sorted(value) if isinstance(value, (set, frozenset)) else str(value)  # noqa: E731
    return json.loads(json.dumps(peft.to_dict(), default=to_plain))


def config_from_saved(peft):
    """Inverse of :func:`config_to_saved`: a dict back to its peft config."""
    if not isinstance(peft, dict):
        return peft
    return _import_peft().PeftConfig.from_peft_type(**peft)
