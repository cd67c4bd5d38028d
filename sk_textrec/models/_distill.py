"""Distillation of a fine-tuned estimator into a shallower copy of itself.

The student is the teacher's module with only the lower encoder layers kept
(embeddings, layers ``0 .. n_layers - 1``, pooling and heads copied), trained
by the estimator's own ``_fit_encoder`` — the same skorch net, callbacks and
loader — on the teacher's raw outputs instead of labels
(:class:`~sk_textrec.models._losses.DistillationLoss` per head).
"""

import copy
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from ._heads import output_slices
from ._module import encoder_layers

# What training sets up again for the student; every other fitted attribute
# (labels, class weights, target scale, input form) is the teacher's.
_TRAINING_STATE = frozenset(
    {"net_", "tokenizer_", "device_", "max_length_", "n_epochs_", "_autocast_dtype",
     "_inference_engine"}
)


def distill(teacher, X, n_layers, temperature, params):
    """The fitted student of ``teacher`` (see ``FineTunedEncoderMixin.distill``)."""
    from ._losses import DistillationLoss

    check_is_fitted(teacher, "net_")
    module = teacher.net_.module_
    layers = encoder_layers(module.encoder, "to keep the lower 'n_layers' of them")
    if isinstance(n_layers, bool) or not isinstance(n_layers, Integral) \
            or not 1 <= n_layers <= len(layers):
        raise ValueError(
            f"The 'n_layers' parameter must be an int from 1 to {len(layers)} (the layers of "
            f"the teacher's encoder); got {n_layers!r}."
        )
    if isinstance(temperature, bool) or not isinstance(temperature, Real) or not temperature > 0:
        raise ValueError(f"The 'temperature' parameter must be a positive number; got {temperature!r}.")
    texts = teacher._validate_texts(X, reset=False)
    # The fp32 outputs, whatever the teacher's inference setting.
    soft_targets = teacher._raw_outputs(X, inference="fp32").astype(np.float32)

    # Early stopping on a score would compare soft targets with labels; the
    # checkpoint key does not hold n_layers, so two students could resume each other;
    # the encoder caches are keyed by the model source, whose encoder the student no
    # longer is (a frozen student encodes through its own layers, uncached).
    student = clone(teacher).set_params(**{
        **params, "early_stopping_scoring": None, "checkpoint": None, "cache_size": 0, "memory": None,
    })
    student._validate_params()
    excluded = _TRAINING_STATE | set(student.get_params(deep=False))
    student.__dict__.update(
        {name: copy.deepcopy(value) for name, value in vars(teacher).items() if name not in excluded}
    )

    config = copy.deepcopy(module.encoder.config)
    config.num_hidden_layers = n_layers
    dropped = {id(layer) for layer in layers[n_layers:]}
    prefixes = tuple(f"{name}." for name, sub in module.named_modules() if id(sub) in dropped)
    weights = {name: value for name, value in module.state_dict().items()
               if not name.startswith(prefixes)}

    head_sizes = [head.out_features for head in module.heads]
    tasks = [
        (DistillationLoss(kind, temperature), columns, columns, 1.0)
        for kind, columns in zip(student._distillation_kinds(), output_slices(head_sizes))
    ]
    return student._fit_encoder(
        texts, soft_targets, np.ones(len(texts), dtype=np.float32), tasks=tasks,
        head_sizes=head_sizes, stratify=None, seed=student._draw_seed(), encoder=config,
        initial_weights=weights,
    )
