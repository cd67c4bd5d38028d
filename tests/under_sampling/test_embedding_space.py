"""Tests of EmbeddingSpaceSampler (sk_textrec/under_sampling/_embedding_space.py)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import (
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    InstanceHardnessThreshold,
    NearMiss,
    OneSidedSelection,
    RandomUnderSampler,
    TomekLinks,
)
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from sk_textrec import TextEmbedder
from sk_textrec.under_sampling import EmbeddingSpaceSampler
from sk_textrec.utils import make_tiny_bert
from sk_textrec.utils._sklearn_compat import InvalidParameterError
from sk_textrec.utils.estimator_checks import parametrize_with_checks

_POS = ["great dress, love it", "perfect fit and very soft", "beautiful colour, love it",
        "really comfortable, would buy again", "excellent quality for the price",
        "amazing, fits perfect", "cute top, so happy with it", "nice fabric and pretty color",
        "love these jeans, great fit", "best gift, kids love it", "soft and comfortable"]
_NEG = ["terrible, returned it", "awful quality, broken on arrival", "too small and cheap fabric",
        "disappointed, wrong size", "poor quality, would not buy"]
_X = _POS + _NEG
_Y = np.array(["pos"] * len(_POS) + ["neg"] * len(_NEG))


@parametrize_with_checks(
    [
        EmbeddingSpaceSampler(TomekLinks(), TextEmbedder(make_tiny_bert())),
        EmbeddingSpaceSampler(RandomUnderSampler(random_state=0), TextEmbedder(make_tiny_bert())),
        EmbeddingSpaceSampler(EditedNearestNeighbours(n_neighbors=2), TextEmbedder(make_tiny_bert())),
    ]
)
def test_embedding_space_sampler_text_checks(estimator, check):
    """Check that EmbeddingSpaceSampler passes the text-aware compliance checks."""
    check(estimator)


@pytest.mark.parametrize(
    "sampler",
    [
        TomekLinks(),
        EditedNearestNeighbours(n_neighbors=2),
        RandomUnderSampler(random_state=0),
        NearMiss(n_neighbors=2),
        OneSidedSelection(random_state=0),
        CondensedNearestNeighbour(random_state=0),
        InstanceHardnessThreshold(random_state=0, cv=2),
        RandomOverSampler(random_state=0),
    ],
    ids=lambda sampler: type(sampler).__name__,
)
def test_embedding_space_sampler_returns_the_selected_texts(sampler, tiny_bert):
    """Check that the texts and labels out are the original rows the inner sampler selected."""
    y = (_Y == "neg").astype(int)  # InstanceHardnessThreshold indexes with the labels
    embedder = TextEmbedder(tiny_bert)
    outer = EmbeddingSpaceSampler(sampler, embedder)
    X_res, y_res = outer.fit_resample(_X, y)
    reference = clone(sampler)
    reference.fit_resample(clone(embedder).fit(_X).transform(_X), y)
    assert_array_equal(outer.sample_indices_, reference.sample_indices_)
    assert X_res == [_X[i] for i in outer.sample_indices_]
    assert_array_equal(y_res, y[outer.sample_indices_])
    assert outer.sampling_strategy_ == outer.sampler_.sampling_strategy_


@settings(max_examples=15, deadline=None)
@given(labels=st.lists(st.sampled_from([0, 1, 2]), min_size=len(_X), max_size=len(_X)))
def test_embedding_space_sampler_properties(labels, tiny_bert):
    """Check that class counts follow the strategy and rows are originals with their labels."""
    counts = Counter(labels)
    assume(len(counts) > 1)
    y = np.array(labels)
    outer = EmbeddingSpaceSampler(RandomUnderSampler(random_state=0), TextEmbedder(tiny_bert))
    X_res, y_res = outer.fit_resample(_X, y)
    assert Counter(y_res.tolist()) == dict.fromkeys(counts, min(counts.values()))
    assert X_res == [_X[i] for i in outer.sample_indices_]
    assert_array_equal(y_res, y[outer.sample_indices_])


@pytest.mark.parametrize("sampler", [SMOTE(k_neighbors=2), ClusterCentroids(random_state=0)],
                         ids=lambda sampler: type(sampler).__name__)
def test_embedding_space_sampler_rejects_synthetic_rows(sampler, tiny_bert):
    """Check that samplers creating synthetic rows raise a TypeError that says why."""
    outer = EmbeddingSpaceSampler(sampler, TextEmbedder(tiny_bert))
    with pytest.raises(TypeError, match="synthetic embedding has no text"):
        outer.fit_resample(_X, _Y)


def test_embedding_space_sampler_fitted_clones(tiny_bert):
    """Check that sampler_ and embedder_ are fitted clones and the parameters stay unfitted."""
    sampler, embedder = TomekLinks(), TextEmbedder(tiny_bert)
    outer = EmbeddingSpaceSampler(sampler, embedder)
    outer.fit_resample(_X, _Y)
    assert outer.sampler_ is not sampler and hasattr(outer.sampler_, "sample_indices_")
    assert outer.embedder_ is not embedder and hasattr(outer.embedder_, "model_")
    assert not hasattr(sampler, "sample_indices_") and not hasattr(embedder, "model_")


def test_embedding_space_sampler_strategy_is_the_inner_samplers(tiny_bert):
    """Check that sampling_strategy reads and is set through the inner sampler."""
    outer = EmbeddingSpaceSampler(RandomUnderSampler(random_state=0), TextEmbedder(tiny_bert))
    assert outer.sampling_strategy == "auto" and "sampling_strategy" not in outer.get_params(deep=False)
    outer.set_params(sampler__sampling_strategy={"pos": 7})
    _, y_res = outer.fit_resample(_X, _Y)
    assert Counter(y_res) == {"pos": 7, "neg": len(_NEG)}
    assert outer.sampling_strategy_ == {"pos": 7}


def test_embedding_space_sampler_memory_cache(tiny_bert, tmp_path):
    """Check that a memory-cached embedder is used as is and gives the same rows when cached."""
    # No in-memory table: texts embedded by earlier tests of this process must not
    # keep the folder from being written.
    embedder = TextEmbedder(tiny_bert, memory=str(tmp_path), cache_size=0)
    outer = EmbeddingSpaceSampler(TomekLinks(), embedder)
    first = outer.fit_resample(_X, _Y)
    assert outer.embedder_.memory == str(tmp_path) and any(tmp_path.rglob("*.npz"))
    second = outer.fit_resample(_X, _Y)
    assert first[0] == second[0]


def test_embedding_space_sampler_pandas_in_pandas_out(tiny_bert):
    """Check that a Series and a DataFrame come back as such, with their names."""
    outer = EmbeddingSpaceSampler(RandomUnderSampler(random_state=0), TextEmbedder(tiny_bert))
    X = pd.Series(_X, name="review", index=np.arange(len(_X)) + 100)
    y = pd.Series(_Y, name="label", index=X.index)
    X_res, y_res = outer.fit_resample(X, y)
    assert isinstance(X_res, pd.Series) and X_res.name == "review"
    assert X_res.tolist() == X.iloc[outer.sample_indices_].tolist()
    assert isinstance(y_res, pd.Series) and y_res.tolist() == y.iloc[outer.sample_indices_].tolist()
    X_res, _ = outer.fit_resample(X.to_frame(), y)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["review"]


def test_embedding_space_sampler_in_pipeline(tiny_bert):
    """Check that it works as the sampling step of an imblearn pipeline on raw text."""
    pipe = make_pipeline(
        EmbeddingSpaceSampler(RandomUnderSampler(random_state=0), TextEmbedder(tiny_bert)),
        TfidfVectorizer(),
        LogisticRegression(),
    )
    pipe.fit(_X, _Y)
    assert pipe.predict(["love it", "returned it"]).shape == (2,)


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"sampler": LogisticRegression()}, InvalidParameterError, "'sampler' parameter"),
        ({"sampler": TomekLinks(), "embedder": "minilm"}, InvalidParameterError, "'embedder' parameter"),
    ],
)
def test_embedding_space_sampler_invalid_params(params, err_type, err_msg):
    """Check that a sampler without fit_resample or an embedder without transform is rejected."""
    with pytest.raises(err_type, match=err_msg):
        EmbeddingSpaceSampler(**params).fit_resample(_X, _Y)


@pytest.mark.slow
def test_embedding_space_sampler_default_embedder_is_minilm(minilm_path):
    """Check that embedder=None embeds with the packaged all-MiniLM-L6-v2."""
    outer = EmbeddingSpaceSampler(TomekLinks())
    X_res, y_res = outer.fit_resample(_X, _Y)
    assert outer.embedder_.n_features_out_ == 384
    assert X_res == [_X[i] for i in outer.sample_indices_]
