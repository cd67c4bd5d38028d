"""Tests of the imbalance-aware training losses."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from sk_textrec.models._losses import (  # noqa: E402
    DistillationLoss,
    ESMMLoss,
    MultiTaskLoss,
    RegressionLoss,
    WeightedLoss,
    criterion_params,
    effective_number_weights,
)


def _batch(seed=0, n=8, n_classes=3):
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(n, n_classes, generator=generator)
    labels = torch.randint(0, n_classes, (n,), generator=generator)
    return logits, {"label": labels, "weight": torch.ones(n)}


def _apply(loss, logits, target):
    """Call a task loss the way MultiTaskLoss does: a label column and row weights."""
    return loss(logits, target["label"][:, None], target["weight"])


def test_weighted_loss_unit_weights_is_cross_entropy():
    """Check that unit class and sample weights give plain cross-entropy."""
    logits, target = _batch()
    loss = _apply(WeightedLoss(np.ones(3)), logits, target)
    assert torch.allclose(loss, F.cross_entropy(logits, target["label"]))


def test_weighted_loss_class_weights_scale_rows():
    """Check that class weights multiply each row's loss by its class's weight."""
    logits, target = _batch()
    class_weight = np.array([1.0, 2.0, 0.5])
    loss = _apply(WeightedLoss(class_weight), logits, target)
    rows = F.cross_entropy(logits, target["label"], reduction="none")
    expected = (rows * torch.tensor(class_weight, dtype=torch.float32)[target["label"]]).mean()
    assert torch.allclose(loss, expected)


def test_weighted_loss_sample_weights_are_a_weighted_mean():
    """Check that sample weights give the weighted mean of the row losses."""
    logits, target = _batch()
    target["weight"] = torch.arange(1.0, 9.0)
    loss = _apply(WeightedLoss(np.ones(3)), logits, target)
    rows = F.cross_entropy(logits, target["label"], reduction="none")
    assert torch.allclose(loss, (rows * target["weight"]).sum() / target["weight"].sum())


def test_focal_loss_down_weights_easy_rows():
    """Check that focal loss with gamma=0 is cross-entropy and larger gamma lowers it."""
    logits, target = _batch()
    losses = [_apply(WeightedLoss(np.ones(3), gamma=g), logits, target).item() for g in (0, 1, 2, 5)]
    assert losses[0] == pytest.approx(F.cross_entropy(logits, target["label"]).item(), rel=1e-6)
    assert all(a > b for a, b in zip(losses, losses[1:]))


def test_effective_number_weights_favour_rare_classes():
    """Check that rarer classes get larger class-balanced weights, more so as beta grows."""
    counts = [900, 90, 10]
    for beta in (0.9, 0.99, 0.999):
        weights = effective_number_weights(counts, beta)
        assert weights[0] < weights[1] < weights[2]
        assert weights.mean() == pytest.approx(1.0)
    ratio = [effective_number_weights(counts, b)[2] / effective_number_weights(counts, b)[0]
             for b in (0.9, 0.99, 0.999)]
    assert ratio[0] < ratio[1] < ratio[2]
    assert np.allclose(effective_number_weights(counts, 0.0), 1.0)


def test_logit_adjusted_loss_adds_scaled_log_prior():
    """Check that the logit-adjusted loss is cross-entropy on logits + tau * log(prior)."""
    logits, target = _batch()
    counts = np.array([60, 30, 10])
    params = criterion_params("logit_adjusted", np.ones(3), counts, gamma=0, beta=0, tau=1.5)
    loss = _apply(WeightedLoss(**params), logits, target)
    offsets = torch.tensor(1.5 * np.log(counts / counts.sum()), dtype=torch.float32)
    assert torch.allclose(loss, F.cross_entropy(logits + offsets, target["label"]))


def test_esmm_loss_is_bce_on_click_and_on_click_times_purchase():
    """Check the ESMM loss against binary cross-entropy on P(click) and P(click) * P(cvr)."""
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(16, 2, generator=generator)
    clicked = torch.randint(0, 2, (16,), generator=generator)
    purchased = clicked * torch.randint(0, 2, (16,), generator=generator)
    targets = torch.stack([clicked, purchased], dim=1)
    p_click = torch.sigmoid(logits[:, 0])
    p_both = p_click * torch.sigmoid(logits[:, 1])
    expected = F.binary_cross_entropy(p_click, clicked.float()) + F.binary_cross_entropy(
        p_both, purchased.float())
    assert torch.allclose(ESMMLoss()(logits, targets, torch.ones(16)), expected, atol=1e-5)


def test_esmm_loss_is_finite_for_extreme_logits():
    """Check that saturated probabilities give finite losses (log1mexp, not log(1 - p))."""
    logits = torch.tensor([[30.0, 30.0], [-30.0, -30.0], [30.0, -30.0]])
    targets = torch.tensor([[0, 0], [1, 1], [1, 1]])
    assert torch.isfinite(ESMMLoss()(logits, targets, torch.ones(3)))


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_regression_loss_weighted_mean(loss):
    """Check that the regression loss is the sample-weighted mean of the row losses."""
    predictions, targets = torch.tensor([[0.0], [2.0], [5.0]]), torch.tensor([[1.0], [2.0], [1.0]])
    weights = torch.tensor([1.0, 1.0, 2.0])
    rows = (F.mse_loss if loss == "mse" else F.huber_loss)(predictions, targets, reduction="none")[:, 0]
    expected = (rows * weights).sum() / weights.sum()
    assert torch.allclose(RegressionLoss(loss)(predictions, targets, weights), expected)


def test_multi_task_loss_adds_weighted_tasks_and_skips_zero_weights():
    """Check the weighted sum over task slices; a weight-0 task is never computed."""
    logits, target = _batch(n_classes=3)
    outputs = torch.cat([logits, logits[:, :2]], dim=1)
    targets = torch.stack([target["label"], target["label"] % 2], dim=1)
    first, second = WeightedLoss(np.ones(3)), WeightedLoss(np.ones(2))
    tasks = [(first, slice(0, 3), slice(0, 1), 1.0), (second, slice(3, 5), slice(1, 2), 0.5)]
    total = MultiTaskLoss(tasks)(outputs, {"target": targets, "weight": target["weight"]})
    expected = first(logits, targets[:, :1], target["weight"]) + 0.5 * second(
        logits[:, :2], targets[:, 1:], target["weight"])
    assert torch.allclose(total, expected)

    class Exploding(torch.nn.Module):
        def forward(self, *args):
            raise AssertionError("a task of weight 0 was computed")

    tasks[1] = (Exploding(), slice(3, 5), slice(1, 2), 0.0)
    MultiTaskLoss(tasks)(outputs, {"target": targets, "weight": target["weight"]})


@pytest.mark.parametrize("kind", ["softmax", "sigmoid", "mse"])
def test_distillation_loss_is_zero_on_the_teacher_and_positive_elsewhere(kind):
    """Check that each distillation loss vanishes when the student equals the teacher."""
    student, _ = _batch(seed=0)
    teacher, _ = _batch(seed=1)
    weights = torch.ones(len(student))
    loss = DistillationLoss(kind, temperature=2.0)
    assert float(loss(teacher, teacher, weights)) == pytest.approx(0.0, abs=1e-6)
    assert float(loss(student, teacher, weights)) > 0


def test_distillation_loss_softmax_is_scaled_kl_and_sigmoid_is_bernoulli_kl():
    """Check the softmax kind against torch's KL divergence and the sigmoid kind against Bernoulli KL."""
    student, _ = _batch(seed=0)
    teacher, _ = _batch(seed=1)
    weights, t = torch.ones(len(student)), 3.0
    expected = F.kl_div(F.log_softmax(student / t, 1), F.log_softmax(teacher / t, 1),
                        log_target=True, reduction="batchmean") * t * t
    assert float(DistillationLoss("softmax", t)(student, teacher, weights)) == pytest.approx(float(expected), rel=1e-5)
    p, q = torch.sigmoid(teacher / t), torch.sigmoid(student / t)
    bernoulli = (p * (p / q).log() + (1 - p) * ((1 - p) / (1 - q)).log()).mean() * t * t
    assert float(DistillationLoss("sigmoid", t)(student, teacher, weights)) == pytest.approx(float(bernoulli), rel=1e-5)
