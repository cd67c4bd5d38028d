"""Tests of training options: adversarial training (FGM, PGD) and early stopping on a scorer."""

import numpy as np
import pytest
from sklearn.metrics import make_scorer, recall_score

from sk_textrec import BertClassifier

torch = pytest.importorskip("torch")


def _fast(tiny_bert, **params):
    return BertClassifier(tiny_bert, **{"max_epochs": 2, "lr": 1e-3, "batch_size": 8,
                                        "random_state": 0, **params})


def _count_encoder_calls(clf, texts, y):
    """Fit, counting forward passes of the encoder in training mode."""
    calls = []

    def fit_counting():
        clf.fit(texts, y)

    from transformers import BertModel

    original = BertModel.forward

    def counting(self, *args, **kwargs):
        if self.training:
            calls.append(1)
        return original(self, *args, **kwargs)

    BertModel.forward = counting
    try:
        fit_counting()
    finally:
        BertModel.forward = original
    return len(calls)


@pytest.mark.parametrize("adversarial, passes", [(None, 1), ("fgm", 2), ("pgd", 4)])
def test_bert_classifier_adversarial_costs_extra_passes(tiny_bert, reviews, adversarial, passes):
    """Check the documented cost: FGM 2, PGD steps + 1 forward-backward passes per batch."""
    texts, y = reviews
    clf = _fast(tiny_bert, adversarial=adversarial, adversarial_steps=3, max_epochs=1)
    n_batches = -(-len(texts) // 8)
    assert _count_encoder_calls(clf, texts, y) == passes * n_batches


@pytest.mark.parametrize("adversarial", ["fgm", "pgd"])
def test_bert_classifier_adversarial_changes_training_reproducibly(tiny_bert, reviews, adversarial):
    """Check that adversarial training changes the model, and the same seed repeats it."""
    texts, y = reviews
    plain = _fast(tiny_bert).fit(texts, y).predict_proba(texts)
    first = _fast(tiny_bert, adversarial=adversarial).fit(texts, y).predict_proba(texts)
    second = _fast(tiny_bert, adversarial=adversarial).fit(texts, y).predict_proba(texts)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, plain)


def test_bert_classifier_adversarial_epsilon_scales_the_effect(tiny_bert, reviews):
    """Check that a larger perturbation moves the model further from plain training."""
    texts, y = reviews
    plain = _fast(tiny_bert).fit(texts, y).predict_proba(texts)
    gaps = [np.abs(_fast(tiny_bert, adversarial="fgm", adversarial_epsilon=eps)
                   .fit(texts, y).predict_proba(texts) - plain).mean() for eps in (1e-4, 10.0)]
    assert gaps[0] < gaps[1]


def test_bert_classifier_adversarial_with_frozen_embeddings(tiny_bert, reviews):
    """Check that FGM works when the embedding layer is frozen (it perturbs its output)."""
    texts, y = reviews
    clf = _fast(tiny_bert, adversarial="fgm", freeze="embeddings").fit(texts, y)
    assert np.all(np.isfinite(clf.predict_proba(texts)))
    assert clf.net_.callbacks_[[n for n, _ in clf.net_.callbacks_].index("adversarial")][1]._hook is None


def test_bert_classifier_early_stopping_on_a_scorer(tiny_bert, reviews):
    """Check that a scorer is recorded per epoch and decides the best epoch and the stop."""
    texts, y = reviews
    texts, y = texts * 3, np.tile(y, 3)
    clf = _fast(tiny_bert, max_epochs=12, validation_fraction=0.25, patience=2,
                early_stopping_scoring="average_precision", lr=5e-3).fit(texts, y)
    scores = clf.net_.history[:, "valid_average_precision"]
    assert len(scores) == clf.n_epochs_ and all(0 <= s <= 1 for s in scores)
    if clf.n_epochs_ < 12:  # stopped: the last `patience` epochs did not beat the best one
        assert max(scores[-2:]) <= max(scores[:-2])


def test_bert_classifier_early_stopping_with_a_scorer_object(tiny_bert, reviews):
    """Check that a make_scorer object works and is named in the history."""
    texts, y = reviews
    scorer = make_scorer(recall_score)
    clf = _fast(tiny_bert, validation_fraction=0.25, early_stopping_scoring=scorer).fit(texts * 2, np.tile(y, 2))
    assert any(key.startswith("valid_") and key != "valid_loss" for key in clf.net_.history[-1])


@pytest.mark.parametrize("params, err_msg", [
    ({"early_stopping_scoring": "average_precision"}, "set validation_fraction"),
    ({"early_stopping_scoring": "no_such_metric", "validation_fraction": 0.25}, "scorer name"),
    ({"adversarial": "free"}, "'adversarial' parameter"),
    ({"adversarial_epsilon": 0}, "'adversarial_epsilon' parameter"),
    ({"truncation": "tail"}, "'truncation' parameter"),
])
def test_bert_classifier_training_option_errors(tiny_bert, reviews, params, err_msg):
    """Check that bad training options raise clear errors naming the parameter."""
    texts, y = reviews
    with pytest.raises(ValueError, match=err_msg):
        _fast(tiny_bert, **params).fit(texts, y)
