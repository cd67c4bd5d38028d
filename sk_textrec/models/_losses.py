"""Losses for imbalanced classification, as torch criteria for skorch.

Each criterion takes logits of shape (n, n_classes) and the target dict built by
:class:`~sk_textrec.models._data.PadCollator` (``label`` and per-row ``weight``).
Per-row losses are multiplied by the class weight of the row's label and by its
sample weight, then averaged over the sum of sample weights, so that class
weights keep their effect in batches that hold a single class.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

LOSSES = ("cross_entropy", "focal", "class_balanced", "logit_adjusted")


def effective_number_weights(class_counts, beta):
    """Class weights (1 - beta) / (1 - beta^n_c) of Cui et al. (2019), mean 1."""
    counts = np.asarray(class_counts, dtype=np.float64)
    weights = (1.0 - beta) / (1.0 - np.power(beta, counts))
    return weights * len(counts) / weights.sum()


class WeightedLoss(nn.Module):
    """Cross-entropy, focal or logit-adjusted loss with class and sample weights.

    Parameters
    ----------
    class_weight : array-like of shape (n_classes,)
        Weight of each class (focal loss's alpha; class-balanced weights).
    gamma : float, default=0.0
        Focal-loss focusing parameter (Lin et al. 2017); 0 is cross-entropy.
    logit_offsets : array-like of shape (n_classes,), default=None
        Added to the logits during training only: ``tau * log(prior)`` gives the
        logit-adjusted loss of Menon et al. (2021). Predictions use raw logits.
    """

    def __init__(self, class_weight, gamma=0.0, logit_offsets=None):
        super().__init__()
        self.register_buffer(
            "class_weight", torch.as_tensor(class_weight, dtype=torch.float32)
        )
        offsets = np.zeros(len(class_weight)) if logit_offsets is None else logit_offsets
        self.register_buffer(
            "logit_offsets", torch.as_tensor(offsets, dtype=torch.float32)
        )
        self.gamma = gamma

    def forward(self, logits, target):
        labels, weights = target["label"], target["weight"]
        log_probs = F.log_softmax(logits.float() + self.logit_offsets, dim=-1)
        log_p_true = log_probs.gather(1, labels[:, None])[:, 0]
        row_loss = -log_p_true
        if self.gamma:
            row_loss = row_loss * (1.0 - log_p_true.exp()).pow(self.gamma)
        row_weight = self.class_weight[labels] * weights
        return (row_loss * row_weight).sum() / weights.sum().clamp_min(1e-12)


def criterion_params(loss, class_weight, class_counts, *, gamma, beta, tau):
    """Keyword arguments of :class:`WeightedLoss` for the ``loss`` BertClassifier names."""
    class_weight = np.asarray(class_weight, dtype=np.float64)
    if loss == "focal":
        return {"class_weight": class_weight, "gamma": gamma}
    if loss == "class_balanced":
        return {"class_weight": class_weight * effective_number_weights(class_counts, beta)}
    if loss == "logit_adjusted":
        prior = np.asarray(class_counts, dtype=np.float64) / np.sum(class_counts)
        return {"class_weight": class_weight, "logit_offsets": tau * np.log(prior)}
    return {"class_weight": class_weight}
