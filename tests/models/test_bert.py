"""Tests of BertClassifier (tiny BERT; one test fine-tunes the real MiniLM)."""

import pickle
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import GridSearchCV, train_test_split

from sk_textrec import BertClassifier

torch = pytest.importorskip("torch")


def _fast(tiny_bert, **params):
    defaults = dict(max_epochs=2, lr=1e-3, batch_size=8, random_state=0)
    return BertClassifier(tiny_bert, **{**defaults, **params})


def test_bert_classifier_init_only_stores_parameters():
    """Check that the constructor loads nothing, so an unknown path fails in fit only."""
    clf = BertClassifier("no/such/model-folder", device="gpu-that-does-not-exist")
    assert clf.get_params()["model_name_or_path"] == "no/such/model-folder"
    assert not hasattr(clf, "device_")
    with pytest.raises(ValueError, match="'device' parameter"):
        clf.fit(["a", "b"], [0, 1])


def test_bert_classifier_string_labels_multiclass(tiny_bert, reviews):
    """Check that string labels of three classes become classes_ and predictions."""
    texts, _ = reviews
    y = np.array(["low", "mid", "high"] * 8)
    clf = _fast(tiny_bert).fit(texts, y)
    assert clf.classes_.tolist() == ["high", "low", "mid"]
    assert set(clf.predict(texts)) <= set(clf.classes_)
    proba = clf.predict_proba(texts)
    assert proba.shape == (24, 3)
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert clf.decision_function(texts).shape == (24, 3)


def test_bert_classifier_binary_decision_function_is_logit_margin(tiny_bert, reviews):
    """Check that the binary decision function is log(p1 / p0), 1-D."""
    texts, y = reviews
    clf = _fast(tiny_bert).fit(texts, y)
    margin = clf.decision_function(texts)
    proba = clf.predict_proba(texts)
    assert margin.shape == (24,)
    assert np.allclose(margin, np.log(proba[:, 1] / proba[:, 0]), atol=1e-4)
    assert np.array_equal(clf.predict(texts), clf.classes_[(margin > 0).astype(int)])


def test_bert_classifier_learns_the_toy_task(tiny_bert, reviews):
    """Check that training fits the training texts better than chance."""
    texts, y = reviews
    clf = _fast(tiny_bert, max_epochs=15, class_weight="balanced").fit(texts, y)
    assert clf.score(texts, y) > 0.8
    losses = clf.net_.history[:, "train_loss"]
    assert losses[-1] < losses[0]


def test_bert_classifier_input_containers_agree(tiny_bert, reviews):
    """Check that list, object array, Series and one-column DataFrame give the same result."""
    pd = pytest.importorskip("pandas")
    texts, y = reviews
    clf = _fast(tiny_bert).fit(texts, y)
    expected = clf.predict_proba(texts)
    for container in (np.array(texts, dtype=object), pd.Series(texts),
                      pd.DataFrame({"text": texts})):
        assert np.allclose(clf.predict_proba(container), expected, atol=1e-6)


def test_bert_classifier_prediction_independent_of_batching(tiny_bert, reviews):
    """Check that a text's scores do not depend on the other texts or their order."""
    texts, y = reviews
    clf = _fast(tiny_bert).fit(texts, y)
    together = clf.decision_function(texts)
    alone = np.array([clf.decision_function([text])[0] for text in texts])
    assert np.allclose(together, alone, atol=1e-5)
    reverse = clf.decision_function(texts[::-1])
    assert np.allclose(reverse[::-1], together, atol=1e-5)


def test_bert_classifier_same_seed_same_model(tiny_bert, reviews):
    """Check that a fixed random_state reproduces the fit and another seed changes it."""
    texts, y = reviews
    first = _fast(tiny_bert).fit(texts, y).predict_proba(texts)
    again = _fast(tiny_bert).fit(texts, y).predict_proba(texts)
    other = _fast(tiny_bert, random_state=1).fit(texts, y).predict_proba(texts)
    assert np.array_equal(first, again)
    assert not np.allclose(first, other)


def test_bert_classifier_leaves_global_torch_rng_alone(tiny_bert, reviews):
    """Check that fit does not reseed or advance torch's global random state."""
    texts, y = reviews
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _fast(tiny_bert).fit(texts, y)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    "X, y, err_type, err_msg",
    [
        (["ok", None, "fine"], [0, 1, 0], ValueError, "missing text .* row 1"),
        (["ok", float("nan")], [0, 1], ValueError, "missing text .* row 1"),
        (["ok", 3, "fine"], [0, 1, 0], TypeError, "only strings; row 1 is int"),
        ([], [], ValueError, "X is empty"),
        (["a", "b", "c"], [0, 1], ValueError, "inconsistent numbers of samples"),
        (["a", "b", "c"], [1, 1, 1], ValueError, "at least 2 classes"),
        ("a single string", [0], TypeError, "not a single string"),
        (np.array([["a", "b", "c"], ["c", "d", "e"]], dtype=object), [0, 1], ValueError,
         "One or two columns"),
    ],
)
def test_bert_classifier_bad_input(tiny_bert, X, y, err_type, err_msg):
    """Check that bad texts and labels raise clear errors naming the problem."""
    with pytest.raises(err_type, match=err_msg):
        _fast(tiny_bert, max_epochs=1).fit(X, y)


def test_bert_classifier_dataframe_with_three_columns_raises(tiny_bert):
    """Check that a DataFrame with more than two columns is refused, naming its columns."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"text": ["a", "b"], "title": ["c", "d"], "id": ["e", "f"]})
    with pytest.raises(ValueError, match=re.escape("3 columns ['text', 'title', 'id']")):
        _fast(tiny_bert).fit(frame, [0, 1])


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"loss": "hinge"}, ValueError, "'loss' parameter of BertClassifier must be"),
        ({"freeze": "everything"}, ValueError, "'freeze' parameter"),
        ({"freeze": 7}, ValueError, "7 frozen layers but the encoder has only 2"),
        ({"class_weight": {"spam": 2.0}}, ValueError, r"names classes \['spam'\]"),
        ({"precision": "fp8"}, ValueError, "'precision' parameter"),
        ({"validation_fraction": 1.5}, ValueError, "'validation_fraction' parameter"),
    ],
)
def test_bert_classifier_bad_parameters(tiny_bert, reviews, params, err_type, err_msg):
    """Check that invalid parameters are reported at fit time with the parameter's name."""
    texts, y = reviews
    with pytest.raises(err_type, match=err_msg):
        _fast(tiny_bert, **params).fit(texts, y)


def test_bert_classifier_validation_split_too_small(tiny_bert):
    """Check that an impossible stratified validation split explains what to change."""
    with pytest.raises(ValueError, match="validation_fraction=None"):
        _fast(tiny_bert, validation_fraction=0.1).fit(["a", "b", "c"], [0, 1, 1])


def test_bert_classifier_not_fitted(tiny_bert):
    """Check that predicting before fit raises NotFittedError."""
    with pytest.raises(NotFittedError):
        _fast(tiny_bert).predict(["text"])


@pytest.mark.parametrize("loss", ["cross_entropy", "focal", "class_balanced", "logit_adjusted"])
def test_bert_classifier_every_loss_trains(tiny_bert, reviews, loss):
    """Check that each imbalance-aware loss trains and lowers the training loss."""
    texts, y = reviews
    clf = _fast(tiny_bert, loss=loss, max_epochs=6).fit(texts, y)
    losses = clf.net_.history[:, "train_loss"]
    assert losses[-1] < losses[0]


def test_bert_classifier_class_weight_raises_rare_class_scores(tiny_bert, reviews):
    """Check that up-weighting the rare class raises its predicted probabilities."""
    texts, y = reviews
    plain = _fast(tiny_bert).fit(texts, y).predict_proba(texts)[:, 1]
    weighted = _fast(tiny_bert, class_weight={0: 1.0, 1: 5.0}).fit(texts, y)
    assert weighted.predict_proba(texts)[:, 1].mean() > plain.mean()


def test_bert_classifier_unit_sample_weight_changes_nothing(tiny_bert, reviews):
    """Check that sample_weight of ones gives the same model as no sample_weight."""
    texts, y = reviews
    plain = _fast(tiny_bert).fit(texts, y).predict_proba(texts)
    ones = _fast(tiny_bert).fit(texts, y, sample_weight=np.ones(len(y))).predict_proba(texts)
    assert np.allclose(plain, ones, atol=1e-6)
    with pytest.raises(ValueError, match="sample_weight"):
        _fast(tiny_bert).fit(texts, y, sample_weight=np.ones(3))


@pytest.mark.parametrize("freeze, frozen, trained", [
    ("encoder", ["embeddings", "layer.0", "layer.1"], ["head"]),
    ("embeddings", ["embeddings"], ["layer.0", "layer.1", "head"]),
    (1, ["embeddings", "layer.0"], ["layer.1", "head"]),
    (None, [], ["embeddings.word", "layer.0", "layer.1", "head"]),
])
def test_bert_classifier_freeze(tiny_bert, reviews, freeze, frozen, trained):
    """Check that frozen parameters keep their pretrained values and the rest train."""
    texts, y = reviews
    clf = _fast(tiny_bert, freeze=freeze, weight_decay=0.0).fit(texts, y)
    from transformers import AutoModel

    before = {f"encoder.{k}": v for k, v in AutoModel.from_pretrained(tiny_bert).state_dict().items()}
    after = clf.net_.module_.state_dict()
    for part in frozen:
        names = [n for n in before if part in n and n in after]
        assert names and all(torch.equal(before[n], after[n]) for n in names), part
    for part in trained:
        names = [n for n in after if part in n and n in before]
        if part == "head":
            assert clf.net_.module_.heads[0].weight.requires_grad
            continue
        assert any(not torch.equal(before[n], after[n]) for n in names), part


def test_bert_classifier_early_stopping_restores_best(tiny_bert, reviews):
    """Check that training stops once valid_loss stops improving, with the best weights."""
    texts, y = reviews
    clf = _fast(tiny_bert, validation_fraction=0.25, patience=1, max_epochs=40, lr=0.5,
                warmup_ratio=0.0).fit(texts, y)
    history = clf.net_.history
    assert clf.n_epochs_ == len(history) < 40
    assert min(history[:, "valid_loss"]) < history[-1, "valid_loss"]


def test_bert_classifier_verbose_prints_epoch_table(tiny_bert, reviews, capsys):
    """Check that verbose=1 prints skorch's epoch table and verbose=0 prints nothing."""
    texts, y = reviews
    _fast(tiny_bert, verbose=0).fit(texts, y)
    assert capsys.readouterr().out == ""
    _fast(tiny_bert, verbose=1, validation_fraction=0.3).fit(texts, y)
    out = capsys.readouterr().out
    assert "train_loss" in out and "valid_loss" in out


def test_bert_classifier_predict_streams_in_chunks_with_a_progress_bar(tiny_bert, reviews, capsys, monkeypatch):
    """Check that predict_proba works one chunk at a time, in order, trimming the heap, with a bar when verbose."""
    from sk_textrec.models import _base

    texts, y = reviews
    clf = _fast(tiny_bert, max_epochs=1).fit(texts, y)
    monkeypatch.setattr(_base, "PREDICT_CHUNK_ROWS", 7)
    trims = []
    monkeypatch.setattr(_base, "release_free_heap", lambda: trims.append(1))
    tokenized = []
    tokenize = clf._tokenize
    monkeypatch.setattr(clf, "_tokenize", lambda chunk: tokenized.append(len(chunk)) or tokenize(chunk))
    many = [f"review number {i} " + texts[i % len(texts)] for i in range(30)]
    expected = np.concatenate([clf.predict_proba(many[i : i + 7]) for i in range(0, 30, 7)])
    tokenized.clear()
    trims.clear()
    capsys.readouterr()
    clf.set_params(verbose=1)
    np.testing.assert_allclose(clf.predict_proba(many), expected, atol=1e-6)
    assert tokenized == [7, 7, 7, 7, 2]
    assert len(trims) == 5  # the heap is trimmed after every chunk
    assert "predict: 100%" in capsys.readouterr().err


def test_bert_classifier_pickle_round_trip(tiny_bert, reviews):
    """Check that pickling keeps predictions identical and drops the optimizer state."""
    texts, y = reviews
    clf = _fast(tiny_bert).fit(texts, y)
    restored = pickle.loads(pickle.dumps(clf))
    assert np.array_equal(restored.predict_proba(texts), clf.predict_proba(texts))
    assert len(clf.net_.optimizer_.state) == 0


def test_bert_classifier_gpu_pickle_loads_on_cpu(tiny_bert, reviews, monkeypatch):
    """Check that a net saved with a CUDA device loads and predicts on a CPU-only machine."""
    texts, y = reviews
    clf = _fast(tiny_bert).fit(texts, y)
    expected = clf.predict_proba(texts)
    # Pretend the model was trained on a GPU: skorch maps it to the CPU on load.
    clf.net_.device = "cuda"
    clf.device_ = "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA"):
        restored = pickle.loads(pickle.dumps(clf))
    assert restored.device_ == "cpu"
    assert np.array_equal(restored.predict_proba(texts), expected)


def test_bert_classifier_clone_and_grid_search(tiny_bert, reviews):
    """Check that clone keeps the parameters and GridSearchCV tunes them."""
    texts, y = reviews
    clf = _fast(tiny_bert, max_epochs=1)
    assert clone(clf).get_params() == clf.get_params()
    search = GridSearchCV(clf, {"loss": ["cross_entropy", "focal"]}, cv=2,
                          scoring="balanced_accuracy").fit(texts, y)
    assert search.best_params_["loss"] in ("cross_entropy", "focal")
    assert search.predict(texts).shape == (24,)


def test_bert_classifier_bf16_on_cpu_warns(tiny_bert, reviews):
    """Check that asking for bf16 on a CPU warns that it is slow, and still trains."""
    texts, y = reviews
    with pytest.warns(UserWarning, match="slower than fp32"):
        _fast(tiny_bert, precision="bf16", device="cpu", max_epochs=1).fit(texts, y)


@pytest.mark.slow
def test_bert_classifier_real_minilm_beats_majority(minilm_path, clothing_reviews):
    """Check that one epoch of MiniLM on 400 real reviews beats the majority class."""
    data = clothing_reviews.sample(n=560, random_state=0)
    texts, y = data["text"].to_numpy(), (data["rating"] <= 2).to_numpy().astype(int)
    X_train, X_test, y_train, y_test = train_test_split(
        texts, y, train_size=400, stratify=y, random_state=0)
    clf = BertClassifier(minilm_path, class_weight="balanced", max_epochs=1, max_length=64,
                         batch_size=16, lr=1e-4, random_state=0).fit(X_train, y_train)
    majority = DummyClassifier(strategy="most_frequent").fit(X_train, y_train)
    baseline = balanced_accuracy_score(y_test, majority.predict(X_test))  # 0.5
    assert balanced_accuracy_score(y_test, clf.predict(X_test)) > baseline + 0.05
    weights_bytes = sum(p.numel() * p.element_size() for p in clf.net_.module_.parameters())
    assert len(pickle.dumps(clf)) < 1.15 * weights_bytes
