"""Tests of training through accelerate (the ``accelerator`` parameter), on the CPU.

One test starts 2 CPU processes (gloo) with torchrun and checks that they train
the model one process trains with the same global batches.
"""

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.base import clone

from sk_textrec import BertClassifier, BertRegressor
from sk_textrec.utils import make_tiny_bert

accelerate = pytest.importorskip("accelerate")
torch = pytest.importorskip("torch")

WORKER = Path(__file__).with_name("_accelerate_worker.py")
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_accelerate_state():
    """Each test starts with no accelerate state: it is one per process (device, mixed precision)."""
    from accelerate.state import AcceleratorState

    AcceleratorState._reset_state(reset_partial_state=True)
    yield
    AcceleratorState._reset_state(reset_partial_state=True)


@pytest.fixture(scope="module")
def dropout_free_bert(tmp_path_factory):
    """The tiny BERT with its encoder's dropout off, so that runs can match to the float."""
    folder = make_tiny_bert(tmp_path_factory.mktemp("tiny_bert_no_dropout"))
    config_file = Path(folder, "config.json")
    config = json.loads(config_file.read_text())
    config.update(hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    config_file.write_text(json.dumps(config))
    return folder


def _fast(model, estimator=BertClassifier, **params):
    defaults = dict(max_epochs=2, lr=1e-3, batch_size=8, dropout=0.0, random_state=0)
    return estimator(model, **{**defaults, **params})


def test_accelerated_fit_matches_plain_fit_and_pickles(dropout_free_bert, reviews):
    """Check that a 1-process CPU Accelerator trains as without one, and the model pickles."""
    texts, y = reviews
    plain = _fast(dropout_free_bert).fit(texts, y)
    model = _fast(dropout_free_bert, accelerator=accelerate.Accelerator(cpu=True)).fit(texts, y)
    proba = model.predict_proba(texts)
    np.testing.assert_allclose(proba, plain.predict_proba(texts), atol=1e-6)
    # The fitted net is skorch's plain NeuralNet: nothing of the accelerator is kept.
    assert type(model.net_).__name__ == "NeuralNet"
    assert not hasattr(model.net_, "accelerator")
    assert model.device_ == "cpu"
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_allclose(loaded.predict_proba(texts), proba, atol=1e-6)


def test_accelerated_model_refits_after_clone(tiny_bert, reviews):
    """Check that a clone of a model with an Accelerator (deep-copied by clone) fits alike."""
    texts, y = reviews
    model = _fast(tiny_bert, accelerator=accelerate.Accelerator(cpu=True)).fit(texts, y)
    again = clone(model).fit(texts, y)
    assert isinstance(again.get_params()["accelerator"], accelerate.Accelerator)
    np.testing.assert_allclose(again.predict_proba(texts), model.predict_proba(texts), atol=1e-6)


def test_accelerated_auto_with_early_stopping_adversarial_and_regressor(tiny_bert, reviews):
    """Check that accelerator='auto' works with validation scoring, early stopping and FGM, and for BertRegressor."""
    texts, y = reviews
    clf = _fast(
        tiny_bert,
        accelerator="auto",
        max_epochs=3,
        validation_fraction=0.25,
        early_stopping_scoring="balanced_accuracy",
        patience=1,
        adversarial="fgm",
    ).fit(texts, y)
    assert 1 <= clf.n_epochs_ <= 3
    assert all(np.isfinite(clf.net_.history[:, "valid_balanced_accuracy"]))
    assert clf.predict_proba(texts).shape == (len(texts), 2)

    target = y + np.linspace(0, 1, len(y))
    reg = _fast(tiny_bert, BertRegressor, accelerator="auto").fit(texts, target)
    assert reg.predict(texts).shape == (len(texts),)
    assert np.isfinite(reg.predict(texts)).all()


def test_accelerated_gradient_accumulation_fits(tiny_bert, reviews):
    """Check that an Accelerator with gradient accumulation trains and predicts."""
    texts, y = reviews
    accelerator = accelerate.Accelerator(cpu=True, gradient_accumulation_steps=2)
    clf = _fast(tiny_bert, accelerator=accelerator, batch_size=4, validation_fraction=0.25).fit(texts, y)
    assert clf.n_epochs_ == 2
    assert np.isfinite(clf.net_.history[:, "train_loss"]).all()
    assert np.isfinite(clf.predict_proba(texts)).all()


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"accelerator": "all-gpus"}, ValueError, "'accelerator' parameter"),
        ({"accelerator": 4}, ValueError, "'accelerator' parameter"),
        ({"accelerator": "auto", "device": "cpu"}, ValueError, "'device' parameter .* must stay 'auto'"),
        ({"accelerator": "auto", "checkpoint": "folder"}, ValueError, "cannot checkpoint"),
    ],
)
def test_accelerator_invalid_combinations(tiny_bert, reviews, params, err_type, err_msg):
    """Check that a bad accelerator, or a parameter it cannot work with, fails in fit naming it."""
    texts, y = reviews
    with pytest.raises(err_type, match=err_msg):
        _fast(tiny_bert, **params).fit(texts, y)


@pytest.mark.parametrize(
    "mixed_precision, autocast_dtype, accepted",
    [("no", None, True), ("no", "bf16", True), ("bf16", "bf16", True),
     ("bf16", None, False), ("fp16", "bf16", False), ("fp16", None, False)],
)
def test_accelerator_mixed_precision_must_agree_with_precision(mixed_precision, autocast_dtype, accepted):
    """Check that an Accelerator's mixed precision that would override `precision` is refused."""
    from sk_textrec.models._accelerate import check_precision

    # accelerate allows one mixed precision per process, so a stand-in plays the Accelerator.
    accelerator = SimpleNamespace(mixed_precision=mixed_precision)
    dtype = torch.bfloat16 if autocast_dtype == "bf16" else None
    if accepted:
        check_precision(accelerator, dtype, "auto")
    else:
        with pytest.raises(ValueError, match="mixed_precision=.* conflicts with precision"):
            check_precision(accelerator, dtype, "auto")


def test_length_grouped_sampler_keeps_short_batch_last():
    """Check that short_batch_last puts the one short batch last and keeps every row once."""
    from sk_textrec.models._data import LengthGroupedBatchSampler

    lengths = np.arange(1, 38)
    for seed in range(5):
        batches = list(LengthGroupedBatchSampler(lengths, 8, True, seed, short_batch_last=True))
        assert [len(batch) for batch in batches[:-1]] == [8] * 4
        assert len(batches[-1]) == 5
        assert sorted(np.concatenate(batches)) == list(range(37))


def test_two_cpu_processes_train_as_one_with_the_same_global_batch(dropout_free_bert, tmp_path):
    """Check that 2 gloo processes x 4 rows of each batch train the model 1 process x 8 rows trains."""
    from _accelerate_worker import COMMON, CONFIGURATIONS, training_data

    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
               str(WORKER), dropout_free_bert, str(tmp_path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]

    texts, y = training_data()
    for name, params in CONFIGURATIONS.items():
        ranks = [pickle.loads((tmp_path / f"{name}_{rank}.pkl").read_bytes()) for rank in (0, 1)]
        assert ranks[0]["num_processes"] == 2 and ranks[0]["backend"] == "gloo"
        one_process = BertClassifier(dropout_free_bert, **COMMON, **params).fit(texts, y)
        proba = one_process.predict_proba(texts)
        for result in ranks:
            np.testing.assert_allclose(result["proba"], proba, atol=1e-4)
            assert result["n_epochs"] == one_process.n_epochs_
            assert result["valid_accuracy"] == [epoch.get("valid_accuracy") for epoch in one_process.net_.history]
        # Trained in 2 processes, predicting here in one, without an accelerator.
        model = pickle.loads((tmp_path / f"{name}_model_1.pkl").read_bytes())
        np.testing.assert_allclose(model.predict_proba(texts), proba, atol=1e-4)
