"""Tests of training and prediction faults: divergence, running out of memory, Ctrl-C."""

import os
import signal
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sk_textrec import BertClassifier, TextEmbedder
from sk_textrec.models import BertRegressor

torch = pytest.importorskip("torch")

from sk_textrec.models import _base  # noqa: E402
from sk_textrec.models._divergence import DivergenceGuard  # noqa: E402
from sk_textrec.models._module import EncoderWithHeads  # noqa: E402

# 24 texts in batches of 8: 3 training batches per epoch.
_PARAMS = dict(max_epochs=3, lr=1e-3, batch_size=8, random_state=0)


def _patch_training_forward(monkeypatch, on_call):
    """Run ``on_call(n, outputs)`` after the n-th training forward pass; it may replace the outputs."""
    original = EncoderWithHeads.forward
    calls = []

    def forward(self, *args, **kwargs):
        outputs = original(self, *args, **kwargs)
        if not self.training:
            return outputs
        calls.append(1)
        replaced = on_call(len(calls), outputs)
        return outputs if replaced is None else replaced

    monkeypatch.setattr(EncoderWithHeads, "forward", forward)


def _nan_at(call):
    return lambda n, outputs: outputs * float("nan") if n == call else None


def test_bert_classifier_divergence_raises_naming_epoch_batch_and_lr(tiny_bert, reviews):
    """Check that a learning rate that makes the loss NaN is an error, not a NaN model."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, **{**_PARAMS, "lr": 1e8})
    with pytest.raises(FloatingPointError, match=r"loss became nan at epoch 1, batch \d of 3 "
                       r"\(learning rate .* peak lr=1e\+08\).*lower lr \(e\.g\. 1e\+07\)"):
        clf.fit(texts, y)


@pytest.mark.parametrize("Estimator, y", [
    (BertClassifier, [0, 1] * 12),
    (BertRegressor, np.linspace(1.0, 5.0, 24)),
])
def test_fine_tuned_estimators_divergence_names_the_batch(tiny_bert, reviews, monkeypatch, Estimator, y):
    """Check that a NaN loss in the middle of epoch 2 is reported at that epoch and batch."""
    texts, _ = reviews
    _patch_training_forward(monkeypatch, _nan_at(5))
    with pytest.raises(FloatingPointError, match="epoch 2, batch 2 of 3.*on_divergence='restore'"):
        Estimator(tiny_bert, **_PARAMS).fit(texts, y)


def test_bert_classifier_on_divergence_restore_keeps_last_complete_epoch(tiny_bert, reviews, monkeypatch):
    """Check that 'restore' warns, stops, and keeps exactly the weights of the last complete epoch."""
    texts, y = reviews
    at_epoch_end = []
    original_end = DivergenceGuard.on_epoch_end

    def recording_end(self, net, **kwargs):
        original_end(self, net, **kwargs)
        at_epoch_end.append({k: v.clone() for k, v in net.module_.state_dict().items()})

    monkeypatch.setattr(DivergenceGuard, "on_epoch_end", recording_end)
    _patch_training_forward(monkeypatch, _nan_at(8))  # epoch 3, batch 2
    clf = BertClassifier(tiny_bert, on_divergence="restore", **_PARAMS)
    with pytest.warns(ConvergenceWarning, match="epoch 3, batch 2 of 3.*Restored the weights of epoch 2"):
        clf.fit(texts, y)
    assert clf.n_epochs_ == 2
    weights = clf.net_.module_.state_dict()
    assert all(torch.equal(weights[k], at_epoch_end[1][k]) for k in weights)
    assert np.isfinite(clf.predict_proba(texts)).all()


def test_bert_classifier_on_divergence_restore_in_first_epoch_raises(tiny_bert, reviews, monkeypatch):
    """Check that 'restore' raises when no epoch completed: there is nothing good to keep."""
    texts, y = reviews
    _patch_training_forward(monkeypatch, _nan_at(2))
    clf = BertClassifier(tiny_bert, on_divergence="restore", **_PARAMS)
    with pytest.raises(FloatingPointError, match="epoch 1, batch 2.*no complete epoch to go back to"):
        clf.fit(texts, y)


def test_bert_classifier_divergence_of_weights_with_finite_losses_raises(tiny_bert, reviews, monkeypatch):
    """Check that weights made NaN by the last step of an epoch are caught at the epoch's end."""
    texts, y = reviews
    original_step = torch.optim.AdamW.step
    steps = []

    def step(self, *args, **kwargs):
        result = original_step(self, *args, **kwargs)
        steps.append(1)
        if len(steps) == 3:  # the last batch of epoch 1
            with torch.no_grad():
                self.param_groups[0]["params"][-1].fill_(float("inf"))
        return result

    monkeypatch.setattr(torch.optim.AdamW, "step", step)
    with pytest.raises(FloatingPointError, match="weights became NaN or infinite during epoch 1"):
        BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)


def _oom_above(rows, raised):
    """A forward pass that runs out of memory on batches of more than ``rows`` rows."""

    def check(batch_rows):
        if batch_rows > rows:
            raised.append(batch_rows)
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    return check


def _patch_eval_forward(monkeypatch, cls, check):
    original = cls.forward

    def forward(self, input_ids, *args, **kwargs):
        if not self.training:
            check(input_ids.shape[0])
        return original(self, input_ids, *args, **kwargs)

    monkeypatch.setattr(cls, "forward", forward)


@pytest.mark.parametrize("Estimator, method", [
    (BertClassifier, "predict_proba"),
    (BertClassifier, "predict"),
    (BertClassifier, "decision_function"),
    (BertRegressor, "predict"),
])
def test_fine_tuned_estimators_predict_out_of_memory_halves_batch_size(
    tiny_bert, reviews, monkeypatch, Estimator, method
):
    """Check that prediction retries with half the batch size, keeps it for later chunks, warns once."""
    texts, y = reviews
    estimator = Estimator(tiny_bert, **_PARAMS).fit(texts, y)
    expected = getattr(estimator, method)(texts)
    monkeypatch.setattr(_base, "PREDICT_CHUNK_ROWS", 10)  # 3 chunks
    raised = []
    _patch_eval_forward(monkeypatch, EncoderWithHeads, _oom_above(2, raised))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outputs = getattr(estimator, method)(texts)
    messages = [str(w.message) for w in caught if "out of memory" in str(w.message)]
    assert len(messages) == 1
    assert "batch_size=8 and predicted with batch_size=2" in messages[0]
    assert raised == [8, 4]  # found once, then reused by the next chunks
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)


def test_text_embedder_transform_out_of_memory_halves_batch_size(tiny_bert, reviews, monkeypatch):
    """Check that TextEmbedder shares the retry: same embeddings, one warning."""
    from transformers import BertModel

    texts, _ = reviews
    # Without the per-text cache, so that the second transform runs the model again.
    embedder = TextEmbedder(tiny_bert, batch_size=16, cache_size=0).fit(texts)
    expected = embedder.transform(texts)
    _patch_eval_forward(monkeypatch, BertModel, _oom_above(5, []))
    with pytest.warns(UserWarning, match="batch_size=16 and predicted with batch_size=4") as record:
        embeddings = embedder.transform(texts)
    assert len([w for w in record if "out of memory" in str(w.message)]) == 1
    np.testing.assert_allclose(embeddings, expected, rtol=1e-5, atol=1e-6)


def test_bert_classifier_predict_out_of_memory_at_one_row_raises(tiny_bert, reviews, monkeypatch):
    """Check that running out of memory with batches of 1 row is an error naming max_length."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    _patch_eval_forward(monkeypatch, EncoderWithHeads, _oom_above(0, []))
    with pytest.raises(torch.OutOfMemoryError, match="even with batches of 1 row. Lower max_length"):
        clf.predict(texts)


def test_bert_classifier_predict_other_errors_are_not_retried(tiny_bert, reviews, monkeypatch):
    """Check that only out-of-memory errors are retried: others pass through unchanged, at once."""
    texts, y = reviews
    clf = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    calls = []

    def fail(rows):
        calls.append(rows)
        raise RuntimeError("some other failure")

    _patch_eval_forward(monkeypatch, EncoderWithHeads, fail)
    with pytest.raises(RuntimeError, match="^some other failure$"):
        clf.predict(texts)
    assert len(calls) == 1


def test_bert_classifier_fit_out_of_memory_names_batch_size_and_max_length(tiny_bert, reviews, monkeypatch):
    """Check that running out of memory in training says which parameters to lower."""
    texts, y = reviews

    def out_of_memory(n, outputs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    _patch_training_forward(monkeypatch, out_of_memory)
    clf = BertClassifier(tiny_bert, max_length=64, **_PARAMS)
    with pytest.raises(torch.OutOfMemoryError,
                       match="batch_size=8 and max_length=64. Lower batch_size or max_length"):
        clf.fit(texts, y)


def _interrupt_at(call):
    """Press Ctrl-C (a real SIGINT to this process) during the given training forward pass."""

    def on_call(n, outputs):
        if n == call:
            os.kill(os.getpid(), signal.SIGINT)

    return on_call


def test_bert_classifier_ctrl_c_reraises_keyboard_interrupt(tiny_bert, reviews, monkeypatch):
    """Check that Ctrl-C stops fit with KeyboardInterrupt (skorch would swallow it) and the handler is restored."""
    texts, y = reviews
    handler = signal.getsignal(signal.SIGINT)
    _patch_training_forward(monkeypatch, _interrupt_at(5))
    with pytest.raises(KeyboardInterrupt, match="during epoch 2. Nothing was saved: set checkpoint="):
        BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    assert signal.getsignal(signal.SIGINT) is handler


def test_bert_classifier_keyboard_interrupt_raised_by_code_stops_training_quietly(
    tiny_bert, reviews, monkeypatch
):
    """Check that a KeyboardInterrupt raised by code (skorch's EarlyStopping way) still ends training."""
    texts, y = reviews

    def stop(n, outputs):
        if n == 4:
            raise KeyboardInterrupt

    _patch_training_forward(monkeypatch, stop)
    clf = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    assert len(clf.net_.history) == 2
