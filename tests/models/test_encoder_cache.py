"""Tests of the per-text encoder caches (TextEmbedder, frozen BertClassifier / BertRegressor)."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from joblib import Memory
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV

from sk_textrec import BertClassifier, TextEmbedder, make_pipeline
from sk_textrec.augmentation import CharacterNoise
from sk_textrec.models import BertRegressor
from sk_textrec.models._base import HFEncoderMixin
from sk_textrec.models._encoder_cache import _IN_MEMORY, clear_memory_cache
from sk_textrec.over_sampling import AugmentationOverSampler

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def empty_cache():
    clear_memory_cache()
    yield
    clear_memory_cache()


@pytest.fixture
def encoded(monkeypatch):
    """The texts each call to the encoder receives, one list per call."""
    calls = []
    original = HFEncoderMixin._encode_pooled

    def spy(self, texts, encoder, pooling):
        calls.append([tuple(t) if isinstance(t, np.ndarray) else t for t in texts])
        return original(self, texts, encoder, pooling)

    monkeypatch.setattr(HFEncoderMixin, "_encode_pooled", spy)
    return calls


def _frozen(tiny_bert, **params):
    defaults = dict(freeze="encoder", max_epochs=2, lr=1e-2, batch_size=4, random_state=0)
    return BertClassifier(tiny_bert, **{**defaults, **params})


@pytest.mark.parametrize("params", [{}, {"validation_fraction": 0.25, "loss": "focal"}])
def test_frozen_classifier_cached_equals_uncached(tiny_bert, reviews, monkeypatch, params):
    """Check that heads trained on cached vectors predict as heads trained through the encoder."""
    texts, y = reviews
    cached = _frozen(tiny_bert, **params).fit(texts, y)
    again = _frozen(tiny_bert, **params).fit(texts, y)  # every text from the cache
    uncached = _frozen(tiny_bert, cache_size=0, **params).fit(texts, y)
    monkeypatch.setattr(BertClassifier, "_trains_heads_only", lambda self: False)
    through_encoder = _frozen(tiny_bert, cache_size=0, **params).fit(texts, y)
    expected = through_encoder.predict_proba(texts)
    for model in (cached, again, uncached):
        assert np.allclose(model.predict_proba(texts), expected, atol=1e-6)
        assert model.n_epochs_ == through_encoder.n_epochs_
    assert not np.allclose(expected, expected[:1])  # the heads did learn something


def test_frozen_regressor_cached_equals_uncached(tiny_bert, reviews):
    """Check that a frozen BertRegressor predicts the same with and without the cache."""
    texts, y = reviews
    params = dict(freeze="encoder", max_epochs=2, lr=1e-2, batch_size=4, random_state=0)
    cached = BertRegressor(tiny_bert, **params).fit(texts, y.astype(float))
    uncached = BertRegressor(tiny_bert, cache_size=0, **params).fit(texts, y.astype(float))
    assert np.allclose(cached.predict(texts), uncached.predict(texts), atol=1e-6)


def test_frozen_encoder_runs_in_eval_mode(tiny_bert, reviews):
    """Check that a frozen encoder stays in evaluation mode (no dropout) while training."""
    texts, y = reviews
    module = _frozen(tiny_bert, max_epochs=1).fit(texts, y).net_.module_
    module.train()
    assert not module.encoder.training and module.dropout.training


def test_grid_search_encodes_each_text_once(tiny_bert, reviews, encoded):
    """Check that a search over a downstream model encodes each distinct text once."""
    texts, y = reviews
    pipe = make_pipeline(TextEmbedder(tiny_bert), LogisticRegression(), device="cpu")
    search = GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0, 10.0]}, cv=3)
    search.fit(texts, y)
    seen = [text for call in encoded for text in call]
    assert sorted(seen) == sorted(set(texts))
    uncached = clone(search).set_params(estimator__textembedder__cache_size=0).fit(texts, y)
    assert np.array_equal(
        search.cv_results_["mean_test_score"], uncached.cv_results_["mean_test_score"]
    )


def test_grid_search_encodes_augmented_texts_once(tiny_bert, reviews, encoded):
    """Check that texts made by an augmenting over-sampler are encoded once for all candidates."""
    texts, y = reviews
    pipe = make_pipeline(
        AugmentationOverSampler(CharacterNoise(p=0.2), random_state=0),
        TextEmbedder(tiny_bert),
        LogisticRegression(),
        device="cpu",
    )
    GridSearchCV(pipe, {"logisticregression__C": [0.1, 1.0, 10.0]}, cv=3).fit(texts, y)
    seen = [text for call in encoded for text in call]
    assert len(seen) == len(set(seen)) > len(set(texts))


def test_grid_search_over_frozen_heads_encodes_each_text_once(tiny_bert, reviews, encoded):
    """Check that a search over losses of a frozen BertClassifier encodes each text once."""
    texts, y = reviews
    search = GridSearchCV(
        _frozen(tiny_bert, max_epochs=1), {"loss": ["cross_entropy", "focal"]}, cv=2
    ).fit(texts, y)
    seen = [text for call in encoded for text in call]
    assert sorted(seen) == sorted(set(texts)) and hasattr(search, "best_estimator_")


def test_memory_folder_shared_across_processes_and_clones(tiny_bert, reviews, tmp_path, encoded):
    """Check that a second process, and clones without the in-memory cache, encode nothing."""
    texts, _ = reviews
    script = textwrap.dedent(f"""
        from sk_textrec import TextEmbedder
        TextEmbedder({tiny_bert!r}, memory={str(tmp_path)!r}).fit(["a"]).transform({texts!r})
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run([sys.executable, "-c", script], check=True, env=env)
    embedder = TextEmbedder(tiny_bert, memory=Memory(tmp_path, verbose=0), cache_size=0)
    first = embedder.fit(texts).transform(texts)
    second = clone(embedder).fit(texts).transform(texts)
    assert encoded == [] and np.array_equal(first, second)
    expected = TextEmbedder(tiny_bert, cache_size=0).fit(texts).transform(texts)
    assert np.allclose(first, expected, atol=1e-6)


def test_memory_folder_serves_frozen_classifier(tiny_bert, reviews, tmp_path, encoded):
    """Check that a frozen classifier's second fit from the folder computes nothing and agrees."""
    texts, y = reviews
    first = _frozen(tiny_bert, memory=tmp_path, cache_size=0).fit(texts, y)
    n_calls = len(encoded)
    second = _frozen(tiny_bert, memory=str(tmp_path), cache_size=0).fit(texts, y)
    assert len(encoded) == n_calls
    assert np.allclose(first.predict_proba(texts), second.predict_proba(texts), atol=1e-6)


def test_cache_size_evicts_least_recently_used(tiny_bert, encoded):
    """Check that the in-memory cache keeps at most cache_size texts, dropping the oldest."""
    embedder = TextEmbedder(tiny_bert, cache_size=3).fit(["a"])
    embedder.transform(["one", "two", "three", "four"])
    assert len(_IN_MEMORY) == 3
    embedder.transform(["four", "two"])  # both kept, "two" now the most recent
    embedder.transform(["one"])  # evicted first: encoded again, "three" goes
    embedder.transform(["two", "three"])
    assert [call for call in encoded[1:]] == [["one"], ["three"]]


def test_cache_size_zero_disables(tiny_bert, encoded):
    """Check that cache_size=0 keeps nothing and encodes every call."""
    embedder = TextEmbedder(tiny_bert, cache_size=0).fit(["a"])
    embedder.transform(["one"])
    embedder.transform(["one"])
    assert len(encoded) == 2 and len(_IN_MEMORY) == 0


@pytest.mark.parametrize("change", [{"max_length": 4}, {"truncation": "head+tail"}])
def test_changed_encoder_settings_miss(tiny_bert, encoded, change):
    """Check that another max_length or truncation encodes the texts again."""
    texts = ["a rather long text about a dress", "short"]
    TextEmbedder(tiny_bert).fit(texts).transform(texts)
    TextEmbedder(tiny_bert, **change).fit(texts).transform(texts)
    assert len(encoded) == 2


def test_pooling_and_pairs_miss_normalize_hits(tiny_bert, reviews, encoded):
    """Check that pooling and text pairs are part of the key and normalize is not."""
    texts, y = reviews
    raw = TextEmbedder(tiny_bert, normalize=False).fit(texts).transform(texts)
    unit = TextEmbedder(tiny_bert).fit(texts).transform(texts)
    assert len(encoded) == 1
    assert np.allclose(unit, raw / np.linalg.norm(raw, axis=1, keepdims=True), atol=1e-6)
    _frozen(tiny_bert, max_epochs=1).fit(texts, y)  # mean pooling: the embedder's entries
    assert len(encoded) == 1
    _frozen(tiny_bert, max_epochs=1, pooling="cls").fit(texts, y)
    assert len(encoded) == 2
    pairs = [("a", "b"), ("b", "a")]
    TextEmbedder(tiny_bert).fit(pairs).transform(pairs)
    TextEmbedder(tiny_bert).fit(["a", "b"]).transform(["a", "b"])
    assert encoded[2:] == [[("a", "b"), ("b", "a")], ["a", "b"]]


def test_bad_memory_is_a_clear_error(tiny_bert):
    """Check that a memory object without a location is refused, naming the parameter."""

    class NoLocation:
        def cache(self, func):
            return func

    with pytest.raises(ValueError, match="'memory' parameter"):
        TextEmbedder(tiny_bert, memory=NoLocation()).fit(["a"]).transform(["a"])
