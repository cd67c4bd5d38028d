"""Tests of periodic retraining: warm_start fits continue from the fitted weights."""

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from skorch import NeuralNet

from sk_textrec import BertClassifier
from sk_textrec.models import BertRegressor

torch = pytest.importorskip("torch")

_PARAMS = dict(max_epochs=1, lr=1e-2, batch_size=8, random_state=0, device="cpu")


def _weights(estimator):
    return {name: tensor.clone() for name, tensor in estimator.net_.module_.state_dict().items()}


def _max_change(before, estimator):
    after = estimator.net_.module_.state_dict()
    return max(float((after[name] - before[name]).abs().max()) for name in before)


def test_warm_start_continues_from_the_fitted_weights(tiny_bert, reviews):
    """Check that a warm fit starts from the fitted weights and a cold one starts again."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    fitted = _weights(clf)
    # With a tiny learning rate a warm fit barely moves the weights...
    clf.set_params(warm_start=True, lr=1e-9).fit(texts[:16], y[:16])
    assert _max_change(fitted, clf) < 1e-6
    # ...whereas a cold fit re-initialises the heads (and reloads the encoder).
    clf.set_params(warm_start=False).fit(texts[:16], y[:16])
    assert _max_change(fitted, clf) > 1e-3


def test_warm_start_trains_with_a_fresh_schedule_on_the_new_rows(tiny_bert, reviews):
    """Check that a warm fit runs max_epochs over the new rows with its own warm-up and decay."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, **{**_PARAMS, "max_epochs": 2}).fit(texts, y)
    clf.set_params(warm_start=True, max_epochs=1).fit(texts[:8], y[:8])
    assert clf.n_epochs_ == 1 and clf.net_.history[-1, "train_batch_count"] == 1
    schedule = dict(clf.net_.callbacks_)["lr_schedule"]
    assert schedule.num_training_steps == 1
    assert clf.net_.optimizer_.state == {}  # cleared after training, as after a cold fit
    assert clf.classes_.tolist() == [0, 1]


def test_warm_start_false_behaves_as_before(tiny_bert, reviews):
    """Check that without warm_start a second fit gives the model a single fit gives."""
    texts, y = reviews
    once = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    twice = BertClassifier(tiny_bert, **_PARAMS).fit(texts[12:20], y[12:20]).fit(texts, y)
    np.testing.assert_array_equal(once.predict_proba(texts), twice.predict_proba(texts))


def test_warm_start_first_fit_is_cold(tiny_bert, reviews):
    """Check that warm_start=True on an unfitted model fits as warm_start=False does."""
    texts, y = reviews
    cold = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    warm = BertClassifier(tiny_bert, warm_start=True, **_PARAMS).fit(texts, y)
    np.testing.assert_array_equal(cold.predict_proba(texts), warm.predict_proba(texts))


@pytest.mark.parametrize("change, err_msg", [
    (lambda texts, y: (texts, np.where(y == 1, "x", "y")), r"classes \['x', 'y'\] that BertClassifier"),
    (lambda texts, y: ([(t, t) for t in texts], y), "fitted on single texts; X holds text pairs"),
    (lambda texts, y: (texts, np.column_stack([y, y])), "y has 2 column.*fitted with 1"),
])
def test_warm_start_refuses_other_targets_or_inputs(tiny_bert, reviews, change, err_msg):
    """Check that a warm fit with unknown classes or another form of input is a clear error."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    fitted = _weights(clf)
    with pytest.raises(ValueError, match=err_msg):
        clf.set_params(warm_start=True).fit(*change(texts, y))
    assert _max_change(fitted, clf) == 0


def test_warm_start_allows_a_subset_of_the_classes(tiny_bert, reviews):
    """Check that new rows may lack a class (a week without a rare label); classes_ are kept."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, **_PARAMS).fit(texts, np.array(["a", "b", "c"] * 8))
    clf.set_params(warm_start=True).fit(texts[:8], ["b", "c"] * 4)
    assert clf.classes_.tolist() == ["a", "b", "c"]
    assert clf.predict_proba(texts).shape == (len(texts), 3)


def test_warm_start_multi_task(tiny_bert, reviews):
    """Check that warm fits keep the auxiliary heads and need the auxiliary targets again."""
    texts, y = reviews
    aux = np.arange(len(texts)) % 3
    clf = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y, auxiliary_targets=aux)
    clf.set_params(warm_start=True).fit(texts[:12], y[:12], auxiliary_targets=aux[:12])
    assert [head.out_features for head in clf.net_.module_.heads] == [2, 3]
    with pytest.raises(ValueError, match="auxiliary_targets has 0 column"):
        clf.fit(texts, y)


def test_warm_start_regressor_keeps_the_target_scale(tiny_bert, reviews):
    """Check that a warm BertRegressor keeps the standardisation of its first fit."""
    texts, _ = reviews
    stars = np.arange(len(texts)) % 5 + 1.0
    reg = BertRegressor(tiny_bert, **_PARAMS).fit(texts, stars)
    mean, scale = reg.target_mean_.copy(), reg.target_scale_.copy()
    reg.set_params(warm_start=True).fit(texts[:8], stars[:8] + 10)
    np.testing.assert_array_equal(reg.target_mean_, mean)
    np.testing.assert_array_equal(reg.target_scale_, scale)
    with pytest.raises(ValueError, match="2 target column.*fitted on 1-D targets"):
        reg.fit(texts, np.column_stack([stars, stars]))


def test_warm_start_clone_keeps_the_parameter(tiny_bert):
    """Check that clone and get_params carry warm_start (and no fitted weights)."""
    clf = BertClassifier(tiny_bert, warm_start=True)
    cloned = clone(clf)
    assert cloned.get_params()["warm_start"] is True and not hasattr(cloned, "net_")


def test_warm_start_with_peft_adds_a_round_of_adapters(tiny_bert, reviews):
    """Check that a warm peft fit trains new adapters on the merged weights and pickles them all."""
    pytest.importorskip("peft")
    texts, y = reviews
    clf = BertClassifier(tiny_bert, peft="lora", **_PARAMS).fit(texts, y)
    clf.set_params(warm_start=True).fit(texts[:8], y[:8])
    assert len(clf._peft_adapters["rounds"]) == 2
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(restored.predict_proba(texts), clf.predict_proba(texts), atol=1e-6)
    # a warm fit without adapters trains every weight: the adapters no longer describe the model
    clf.set_params(peft=None).fit(texts[:8], y[:8])
    assert not hasattr(clf, "_peft_adapters")
    assert all(p.requires_grad for p in clf.net_.module_.parameters())


def test_warm_start_resumes_its_checkpoint(tiny_bert, reviews, tmp_path, monkeypatch):
    """Check that a warm fit that crashed leaves the model as it was and resumes to the same weights."""
    texts, y = reviews
    params = {**_PARAMS, "max_epochs": 3, "warm_start": True}
    fitted = BertClassifier(tiny_bert, **params).fit(texts, y)
    uninterrupted = copy.deepcopy(fitted).fit(texts[:16], y[:16])
    before = _weights(fitted)
    original, calls = NeuralNet.train_step, []

    def train_step(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:  # in the third epoch of 2 batches
            raise RuntimeError("simulated crash")
        return original(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(NeuralNet, "train_step", train_step)
        with pytest.raises(RuntimeError, match="simulated crash"):
            fitted.set_params(checkpoint=tmp_path).fit(texts[:16], y[:16])
    assert _max_change(before, fitted) == 0
    assert len(list(tmp_path.glob("*/epoch-0002"))) == 1
    resumed = fitted.fit(texts[:16], y[:16])
    after, expected = resumed.net_.module_.state_dict(), uninterrupted.net_.module_.state_dict()
    assert all(torch.equal(after[name], expected[name]) for name in expected)
    assert list(tmp_path.iterdir()) == []
