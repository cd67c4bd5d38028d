"""Losses for imbalanced classification, regression and the ESMM chain, for skorch.

The module's output is one ``(n, width)`` tensor holding every head side by side;
:class:`MultiTaskLoss` gives each task its slice of outputs and of the target
matrix built by :class:`~sk_textrec.models._data.PadCollator`, and adds the
task losses with their weights. Per-row losses are multiplied by the class
weight of the row's label and by its sample weight, then averaged over the sum
of sample weights, so that class weights keep their effect in batches that hold
a single class.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

def effective_number_weights(class_counts, beta):
    """Class weights (1 - beta) / (1 - beta^n_c) of Cui et al. (2019), mean 1."""
    counts = np.asarray(class_counts, dtype=np.float64)
    weights = (1.0 - beta) / (1.0 - np.power(beta, counts))
    return weights * len(counts) / weights.sum()


def _weighted_mean(row_loss, weights):
    return (row_loss * weights).sum() / weights.sum().clamp_min(1e-12)


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

    def forward(self, logits, labels, weights):
        labels = labels[:, 0].long()
        log_probs = F.log_softmax(logits.float() + self.logit_offsets, dim=-1)
        log_p_true = log_probs.gather(1, labels[:, None])[:, 0]
        row_loss = -log_p_true
        if self.gamma:
            row_loss = row_loss * (1.0 - log_p_true.exp()).pow(self.gamma)
        return _weighted_mean(row_loss * self.class_weight[labels], weights)


class RegressionLoss(nn.Module):
    """Mean squared error or Huber loss, averaged over outputs, with sample weights."""

    def __init__(self, loss="mse", delta=1.0):
        super().__init__()
        self.loss = loss
        self.delta = delta

    def forward(self, predictions, targets, weights):
        if self.loss == "huber":
            row_loss = F.huber_loss(predictions, targets.float(), reduction="none", delta=self.delta)
        else:
            row_loss = F.mse_loss(predictions, targets.float(), reduction="none")
        return _weighted_mean(row_loss.mean(dim=1), weights)


def _log1mexp(log_p):
    """log(1 - exp(log_p)) for log_p < 0, accurate near 0 and near -inf (Maechler 2012)."""
    return torch.where(
        log_p > -0.6931, torch.log(-torch.expm1(log_p)), torch.log1p(-torch.exp(log_p))
    )


def esmm_log_probabilities(logits):
    """log P(click) and log P(click and purchase) from the two ESMM logits."""
    log_ctr = F.logsigmoid(logits[:, 0])
    return log_ctr, log_ctr + F.logsigmoid(logits[:, 1])


class ESMMLoss(nn.Module):
    """The ESMM loss (Ma et al., SIGIR 2018) over all impressions.

    The heads' two logits model P(click) and P(purchase | click); the loss is
    binary cross-entropy on P(click) against ``clicked`` plus binary
    cross-entropy on P(click) * P(purchase | click) against ``purchased``, so the
    conversion head learns from every impression, not only the clicked ones.

    Parameters
    ----------
    task_weights : array-like of shape (2,)
        Weights of the click loss and of the click-and-purchase loss.
    positive_weights : array-like of shape (2,)
        Weight of a positive row (``clicked``, ``purchased``) relative to a
        negative one, e.g. the balanced ratio of the rare purchases.
    """

    def __init__(self, task_weights=(1.0, 1.0), positive_weights=(1.0, 1.0)):
        super().__init__()
        self.register_buffer("task_weights", torch.as_tensor(task_weights, dtype=torch.float32))
        self.register_buffer(
            "positive_weights", torch.as_tensor(positive_weights, dtype=torch.float32)
        )

    def forward(self, logits, targets, weights):
        targets = targets.float()
        total = logits.new_zeros(())
        for column, log_p in enumerate(esmm_log_probabilities(logits.float())):
            positive = targets[:, column]
            row_loss = -(positive * log_p + (1 - positive) * _log1mexp(log_p))
            row_weight = 1 + (self.positive_weights[column] - 1) * positive
            total = total + self.task_weights[column] * _weighted_mean(
                row_loss * row_weight, weights
            )
        return total


class DistillationLoss(nn.Module):
    """Distance of a student head's outputs to the teacher's raw outputs (soft targets).

    Parameters
    ----------
    kind : {"softmax", "sigmoid", "mse"}
        ``"softmax"``: KL divergence from the teacher's to the student's class
        probabilities at ``temperature`` (Hinton et al. 2015); ``"sigmoid"``:
        the same for independent sigmoid outputs (the two ESMM logits);
        ``"mse"``: squared error of the outputs (regression heads).
    temperature : float, default=1.0
        Divides both sides' logits. The divergence is multiplied by
        ``temperature**2`` so that its gradients keep their size at any temperature.
    """

    def __init__(self, kind, temperature=1.0):
        super().__init__()
        self.kind = kind
        self.temperature = temperature

    def forward(self, outputs, teacher_outputs, weights):
        outputs, teacher_outputs = outputs.float(), teacher_outputs.float()
        if self.kind == "mse":
            return _weighted_mean(((outputs - teacher_outputs) ** 2).mean(dim=1), weights)
        t = self.temperature
        if self.kind == "softmax":
            log_student = F.log_softmax(outputs / t, dim=1)
            log_teacher = F.log_softmax(teacher_outputs / t, dim=1)
            row_loss = (log_teacher.exp() * (log_teacher - log_student)).sum(dim=1)
        else:
            # Each logit is a two-class softmax over (logit, 0).
            zeros = outputs.new_zeros(outputs.shape)
            log_student = F.log_softmax(torch.stack([outputs, zeros], dim=2) / t, dim=2)
            log_teacher = F.log_softmax(torch.stack([teacher_outputs, zeros], dim=2) / t, dim=2)
            row_loss = (log_teacher.exp() * (log_teacher - log_student)).sum(dim=2).mean(dim=1)
        return _weighted_mean(row_loss * t * t, weights)


class MultiTaskLoss(nn.Module):
    """Sum of task losses, each on its slice of the outputs and of the targets.

    Parameters
    ----------
    tasks : list of (loss, output_slice, target_slice, weight)
        A loss module called as ``loss(outputs[:, output_slice],
        targets[:, target_slice], sample_weights)``, and its weight in the sum.
        Tasks of weight 0 are skipped: they neither cost time nor send
        gradients, so the other heads train exactly as without them.
    """

    def __init__(self, tasks):
        super().__init__()
        self.losses = nn.ModuleList(loss for loss, _, _, _ in tasks)
        self.slices = [(outputs, targets) for _, outputs, targets, _ in tasks]
        self.task_weights = [float(weight) for _, _, _, weight in tasks]

    def forward(self, outputs, target):
        targets, weights = target["target"], target["weight"]
        total = outputs.new_zeros(())
        for loss, (output_slice, target_slice), weight in zip(
            self.losses, self.slices, self.task_weights
        ):
            if weight:
                total = total + weight * loss(
                    outputs[:, output_slice], targets[:, target_slice], weights
                )
        return total


def criterion_params(loss, class_weight, class_counts, *, gamma, beta, tau):
    """Keyword arguments of :class:`WeightedLoss` for the ``loss`` a classifier names."""
    class_weight = np.asarray(class_weight, dtype=np.float64)
    if loss == "focal":
        return {"class_weight": class_weight, "gamma": gamma}
    if loss == "class_balanced":
        return {"class_weight": class_weight * effective_number_weights(class_counts, beta)}
    if loss == "logit_adjusted":
        prior = np.asarray(class_counts, dtype=np.float64) / np.sum(class_counts)
        return {"class_weight": class_weight, "logit_offsets": tau * np.log(prior)}
    return {"class_weight": class_weight}
