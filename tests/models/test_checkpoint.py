"""Tests of fault-tolerant training: checkpoints after every epoch, resuming, keys."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from skorch import NeuralNet

from sk_textrec import BertClassifier
from sk_textrec.models import BertRegressor
from sk_textrec.utils import make_tiny_bert

torch = pytest.importorskip("torch")

from sk_textrec.models._checkpoint import checkpoint_key  # noqa: E402
from sk_textrec.models._fine_tune import FineTunedEncoderMixin  # noqa: E402
from sk_textrec.models._module import EncoderWithHeads  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
# 24 texts in batches of 8: 3 training batches per epoch (2 with a validation quarter).
_PARAMS = dict(max_epochs=4, lr=1e-3, batch_size=8, dropout=0.3, random_state=0)


def _crash_at_training_batch(monkeypatch, batch):
    """Make the given training batch (counted over epochs) fail, as a crash mid-epoch would."""
    original = NeuralNet.train_step
    calls = []

    def train_step(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == batch:
            raise RuntimeError("simulated crash")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(NeuralNet, "train_step", train_step)


def _saved_epochs(folder):
    return sorted(path.name for path in Path(folder).glob("*/epoch-*"))


def _assert_same_model(a, b, texts):
    weights_a, weights_b = a.net_.module_.state_dict(), b.net_.module_.state_dict()
    assert all(torch.equal(weights_a[k], weights_b[k]) for k in weights_a)
    np.testing.assert_array_equal(a.predict(texts), b.predict(texts))
    assert a.n_epochs_ == b.n_epochs_


def test_bert_classifier_checkpoint_does_not_change_training(tiny_bert, reviews, tmp_path):
    """Check that checkpointing gives the same model, and the training's folder is removed on success."""
    texts, y = reviews
    plain = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    saved = BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    _assert_same_model(plain, saved, texts)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("params", [
    {},
    # early stopping's best score, epoch and weights are carried over
    {"validation_fraction": 0.25, "patience": 3, "early_stopping_scoring": "roc_auc"},
    {"adversarial": "pgd", "adversarial_steps": 2, "class_weight": "balanced"},
])
def test_bert_classifier_checkpoint_resumes_to_the_same_weights(tiny_bert, reviews, tmp_path, monkeypatch,
                                                              params):
    """Check that a fit after a crash in epoch 3 resumes from epoch 2 and reaches the uninterrupted weights."""
    texts, y = reviews
    params = {**_PARAMS, **params}
    uninterrupted = BertClassifier(tiny_bert, **params).fit(texts, y)
    n_batches = uninterrupted.net_.history[0, "train_batch_count"]
    with monkeypatch.context() as patch:
        _crash_at_training_batch(patch, 2 * n_batches + 2)
        with pytest.raises(RuntimeError, match="simulated crash"):
            BertClassifier(tiny_bert, checkpoint=tmp_path, **params).fit(texts, y)
    assert _saved_epochs(tmp_path) == ["epoch-0002"]
    resumed = BertClassifier(tiny_bert, checkpoint=tmp_path, **params).fit(texts, y)
    _assert_same_model(uninterrupted, resumed, texts)
    assert resumed.net_.history[:, "train_loss"] == pytest.approx(uninterrupted.net_.history[:, "train_loss"])
    assert resumed.net_.max_epochs == uninterrupted.net_.max_epochs
    assert list(tmp_path.iterdir()) == []


def test_bert_regressor_checkpoint_resumes_to_the_same_weights(tiny_bert, reviews, tmp_path, monkeypatch):
    """Check that BertRegressor resumes too (it shares the fine-tuning base)."""
    texts, _ = reviews
    y = np.linspace(1.0, 5.0, len(texts))
    uninterrupted = BertRegressor(tiny_bert, **_PARAMS).fit(texts, y)
    with monkeypatch.context() as patch:
        _crash_at_training_batch(patch, 8)
        with pytest.raises(RuntimeError, match="simulated crash"):
            BertRegressor(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    resumed = BertRegressor(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    _assert_same_model(uninterrupted, resumed, texts)


def test_bert_classifier_checkpoint_keeps_the_seed_drawn_without_random_state(tiny_bert, reviews, tmp_path,
                                                                            monkeypatch):
    """Check that with random_state=None a resumed fit uses the seed of the interrupted one."""
    texts, y = reviews
    params = {**_PARAMS, "random_state": None}
    with monkeypatch.context() as patch:
        _crash_at_training_batch(patch, 8)
        with pytest.raises(RuntimeError):
            BertClassifier(tiny_bert, checkpoint=tmp_path, **params).fit(texts, y)
    (progress,) = tmp_path.glob("*/epoch-0002/progress.json")
    seed = json.loads(progress.read_text())["seed"]
    monkeypatch.setattr(FineTunedEncoderMixin, "_draw_seed", lambda self: seed)
    uninterrupted = BertClassifier(tiny_bert, **params).fit(texts, y)
    monkeypatch.setattr(FineTunedEncoderMixin, "_draw_seed", lambda self: seed + 1)
    resumed = BertClassifier(tiny_bert, checkpoint=tmp_path, **params).fit(texts, y)
    _assert_same_model(uninterrupted, resumed, texts)


def test_bert_classifier_checkpoint_of_a_finished_training_is_reused(tiny_bert, reviews, tmp_path, monkeypatch):
    """Check that a fit killed after its last epoch was saved resumes with nothing left to train."""
    texts, y = reviews
    uninterrupted = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    original_train = FineTunedEncoderMixin._train

    def train_then_crash(self, train):
        original_train(self, train)
        raise RuntimeError("simulated crash before clean-up")

    with monkeypatch.context() as patch:
        patch.setattr(FineTunedEncoderMixin, "_train", train_then_crash)
        with pytest.raises(RuntimeError):
            BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    assert _saved_epochs(tmp_path) == ["epoch-0004"]
    _crash_at_training_batch(monkeypatch, 1)  # any training step would fail
    resumed = BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    _assert_same_model(uninterrupted, resumed, texts)


def test_bert_classifier_checkpoint_ignores_an_incomplete_epoch_folder(tiny_bert, reviews, tmp_path, monkeypatch):
    """Check that an epoch folder without its progress file (a write cut short) is not resumed."""
    texts, y = reviews
    uninterrupted = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    with monkeypatch.context() as patch:
        _crash_at_training_batch(patch, 8)
        with pytest.raises(RuntimeError):
            BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    (saved,) = tmp_path.glob("*/epoch-0002")
    torn = saved.parent / "epoch-0003"
    torn.mkdir()
    (torn / "params.pt").write_bytes(b"torn")
    resumed = BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    _assert_same_model(uninterrupted, resumed, texts)


def test_checkpoint_key_depends_on_parameters_model_and_data(tiny_bert, reviews):
    """Check that the key changes with what changes training, and only with that."""
    texts, y = reviews
    texts = np.asarray(texts, dtype=object)
    targets, weights = np.asarray(y)[:, None], np.ones(len(y), np.float32)
    clf = BertClassifier(tiny_bert, **_PARAMS)
    key = checkpoint_key(clf, texts, targets, weights)
    assert key.startswith("BertClassifier-")
    assert checkpoint_key(clone(clf), texts, targets, weights) == key
    unchanged = clone(clf).set_params(verbose=1, on_divergence="restore", checkpoint="elsewhere")
    assert checkpoint_key(unchanged, texts, targets, weights) == key
    changed_texts = texts.copy()
    changed_texts[3] += "!"
    changed_weights = weights.copy()
    changed_weights[0] = 2.0
    other = [
        checkpoint_key(clone(clf).set_params(lr=2e-3), texts, targets, weights),
        checkpoint_key(clone(clf).set_params(random_state=1), texts, targets, weights),
        checkpoint_key(clone(clf).set_params(model_name_or_path=make_tiny_bert(hidden_size=16)),
                       texts, targets, weights),
        checkpoint_key(clf, changed_texts, targets, weights),
        checkpoint_key(clf, texts, 1 - targets, weights),
        checkpoint_key(clf, texts, targets, changed_weights),
        checkpoint_key(clf, texts[:-1], targets[:-1], weights[:-1]),
        checkpoint_key(BertRegressor(tiny_bert, **_PARAMS), texts, targets, weights),
    ]
    assert len({key, *other}) == len(other) + 1


def test_bert_classifier_checkpoint_shared_by_a_grid_search(tiny_bert, reviews, tmp_path, monkeypatch):
    """Check that the fits of a search share one folder without resuming each other's training."""
    texts, y = reviews
    params = {**_PARAMS, "max_epochs": 2}
    grid = {"lr": [1e-3, 3e-3]}
    expected = GridSearchCV(BertClassifier(tiny_bert, **params), grid, cv=2).fit(texts, y)
    # Leave a crashed training of another candidate and fold in the shared folder.
    with monkeypatch.context() as patch:
        _crash_at_training_batch(patch, 3)
        with pytest.raises(RuntimeError):
            BertClassifier(tiny_bert, checkpoint=tmp_path, **{**params, "lr": 2e-3}).fit(texts[6:18], y[6:18])
    (left_over,) = tmp_path.iterdir()
    search = GridSearchCV(BertClassifier(tiny_bert, checkpoint=tmp_path, **params), grid, cv=2).fit(texts, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], expected.cv_results_["mean_test_score"])
    assert list(tmp_path.iterdir()) == [left_over]


def test_bert_classifier_checkpoint_must_be_a_folder(tiny_bert, reviews, tmp_path):
    """Check that a checkpoint path that is a file is refused, naming the parameter."""
    texts, y = reviews
    path = tmp_path / "a-file"
    path.write_text("")
    with pytest.raises(ValueError, match="'checkpoint' parameter must be a folder"):
        BertClassifier(tiny_bert, checkpoint=path, **_PARAMS).fit(texts, y)


def test_bert_classifier_ctrl_c_saves_and_the_fit_resumes(tiny_bert, reviews, tmp_path, monkeypatch):
    """Check that Ctrl-C in epoch 3 re-raises, names the saved epoch, and a new fit resumes it exactly."""
    texts, y = reviews
    uninterrupted = BertClassifier(tiny_bert, **_PARAMS).fit(texts, y)
    original = EncoderWithHeads.forward
    calls = []

    def forward(self, *args, **kwargs):
        if self.training:
            calls.append(1)
            if len(calls) == 8:
                os.kill(os.getpid(), signal.SIGINT)
        return original(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(EncoderWithHeads, "forward", forward)
        clf = BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS)
        with pytest.raises(KeyboardInterrupt, match="during epoch 3. The state after epoch 2 is saved"):
            clf.fit(texts, y)
    resumed = clf.fit(texts, y)
    _assert_same_model(uninterrupted, resumed, texts)


_CHILD = """
import json, sys, time
import numpy as np, torch
torch.set_num_threads(1)
from sk_textrec import BertClassifier
from sk_textrec.models._module import EncoderWithHeads

args = json.loads(sys.argv[1])
original = EncoderWithHeads.forward
calls = []

def forward(self, *a, **k):
    if self.training:
        calls.append(1)
        if len(calls) == args["stop_at"]:
            open(args["marker"], "w").close()
            time.sleep(600)  # killed here, in the middle of an epoch
    return original(self, *a, **k)

EncoderWithHeads.forward = forward
BertClassifier(args["bert"], checkpoint=args["folder"], **args["params"]).fit(args["texts"], args["y"])
"""


def test_bert_classifier_checkpoint_resumes_a_killed_process(reviews, tmp_path):
    """Check that a training process killed in epoch 3 is resumed here from epoch 2 to the same weights."""
    texts, y = reviews
    bert = make_tiny_bert(tmp_path / "bert")  # one path for both processes: it is part of the key
    folder, marker = tmp_path / "checkpoints", tmp_path / "marker"
    args = {"bert": bert, "folder": str(folder), "marker": str(marker), "stop_at": 8,
            "params": _PARAMS, "texts": list(texts), "y": y.tolist()}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(args)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the training process did not reach epoch 3"
            time.sleep(0.1)
    finally:
        child.kill()
        child.wait()
    assert _saved_epochs(folder) == ["epoch-0002"]
    uninterrupted = BertClassifier(bert, **_PARAMS).fit(texts, y)
    resumed = BertClassifier(bert, checkpoint=folder, **_PARAMS).fit(texts, y)
    _assert_same_model(uninterrupted, resumed, texts)


_RAN = []


class _RunsCodeWhenUnpickled:
    def __reduce__(self):
        return _RAN.append, ("code from the checkpoint ran",)


def test_bert_classifier_checkpoint_loading_runs_no_code(tiny_bert, reviews, tmp_path, monkeypatch):
    """Check that a pickle planted in a checkpoint folder is refused, not executed."""
    import pickle

    texts, y = reviews
    with monkeypatch.context() as patch:
        _crash_at_training_batch(patch, 8)
        with pytest.raises(RuntimeError):
            BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    (params,) = tmp_path.glob("*/epoch-0002/params.pt")
    torch.save(_RunsCodeWhenUnpickled(), params)
    with pytest.raises(pickle.UnpicklingError):
        BertClassifier(tiny_bert, checkpoint=tmp_path, **_PARAMS).fit(texts, y)
    assert _RAN == []
