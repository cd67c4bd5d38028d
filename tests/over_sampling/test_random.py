"""Tests of RandomTextOverSampler (sk_textrec/over_sampling/_random.py)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from imblearn.utils import check_sampling_strategy
from numpy.testing import assert_array_equal
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_textrec.over_sampling import RandomTextOverSampler
from sk_textrec.utils._sklearn_compat import InvalidParameterError
from sk_textrec.utils.estimator_checks import parametrize_with_checks

_TEXTS = ["great dress", "love it", "soft fabric", "fits well", "nice colour", "cute top",
          "returned it", "too small", "broken zip", "okay I guess"]
_LABELS = np.array(["pos"] * 6 + ["neg"] * 3 + ["mid"])


@parametrize_with_checks([RandomTextOverSampler(), RandomTextOverSampler(sampling_strategy="all")])
def test_random_text_over_sampler_text_checks(estimator, check):
    """Check that RandomTextOverSampler passes the text-aware compliance checks."""
    check(estimator)


@pytest.mark.parametrize(
    "sampling_strategy, expected",
    [
        ("auto", {"pos": 6, "neg": 6, "mid": 6}),
        ("not majority", {"pos": 6, "neg": 6, "mid": 6}),
        ("minority", {"pos": 6, "neg": 3, "mid": 6}),
        ("not minority", {"pos": 6, "neg": 6, "mid": 1}),
        ("all", {"pos": 6, "neg": 6, "mid": 6}),
        ({"neg": 5, "mid": 2}, {"pos": 6, "neg": 5, "mid": 2}),
        (lambda y: {"mid": 4}, {"pos": 6, "neg": 3, "mid": 4}),
    ],
)
def test_random_text_over_sampler_counts_follow_strategy(sampling_strategy, expected):
    """Check that the class counts follow each form of sampling_strategy."""
    sampler = RandomTextOverSampler(sampling_strategy=sampling_strategy)
    _, y_res = sampler.fit_resample(_TEXTS, _LABELS)
    assert Counter(y_res) == expected


def test_random_text_over_sampler_float_strategy_binary():
    """Check that a float strategy sets the minority / majority ratio for binary labels."""
    _, y_res = RandomTextOverSampler(sampling_strategy=5 / 6).fit_resample(_TEXTS[:9], _LABELS[:9])
    assert Counter(y_res) == {"pos": 6, "neg": 5}


@pytest.mark.parametrize("sampling_strategy", ["auto", "all", {"neg": 7, "mid": 3}])
def test_random_text_over_sampler_matches_imblearn(sampling_strategy):
    """Check that the rows drawn are those of imblearn's RandomOverSampler on a text column."""
    ours = RandomTextOverSampler(sampling_strategy=sampling_strategy, random_state=0)
    X_res, y_res = ours.fit_resample(_TEXTS, _LABELS)
    theirs = RandomOverSampler(sampling_strategy=sampling_strategy, random_state=0)
    X_ref, y_ref = theirs.fit_resample(np.asarray(_TEXTS, dtype=object)[:, None], _LABELS)
    assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    assert X_res == X_ref[:, 0].tolist()
    assert_array_equal(y_res, y_ref)


def test_random_text_over_sampler_sample_indices():
    """Check that originals come first, in order, then copies of rows of the same label."""
    sampler = RandomTextOverSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(_TEXTS, _LABELS)
    n = len(_TEXTS)
    assert X_res[:n] == _TEXTS
    assert sampler.sample_indices_[:n].tolist() == list(range(n))
    assert X_res == [_TEXTS[i] for i in sampler.sample_indices_]
    assert_array_equal(y_res, _LABELS[sampler.sample_indices_])


@pytest.mark.parametrize(
    "X",
    [
        pd.Series(_TEXTS, dtype=object, name="review", index=np.arange(10) * 7),
        pd.DataFrame({"review": pd.Series(_TEXTS, dtype=object)}),
        np.asarray(_TEXTS, dtype=object),
    ],
    ids=["Series", "DataFrame", "ndarray"],
)
def test_random_text_over_sampler_keeps_container(X):
    """Check that pandas in gives pandas out, and that object dtype is kept."""
    y = pd.Series(_LABELS, name="label")
    X_res, y_res = RandomTextOverSampler(random_state=0).fit_resample(X, y)
    assert type(X_res) is type(X) and isinstance(y_res, pd.Series) and y_res.name == "label"
    texts = X_res["review"] if isinstance(X, pd.DataFrame) else X_res
    assert texts.dtype == object
    if isinstance(X, pd.Series):
        assert X_res.name == "review"
        assert_array_equal(X_res.index, y_res.index)


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"sampling_strategy": "majority"}, InvalidParameterError, "'sampling_strategy'"),
        ({"sampling_strategy": 1.5}, InvalidParameterError, "'sampling_strategy'"),
        ({"sampling_strategy": {"pos": 2}}, ValueError, "With over-sampling methods"),
        ({"sampling_strategy": 0.5}, ValueError, "a float only when the type of target is binary"),
        ({"random_state": "zero"}, InvalidParameterError, "'random_state'"),
    ],
)
def test_random_text_over_sampler_errors(params, err_type, err_msg):
    """Check the errors raised for bad parameters."""
    with pytest.raises(err_type, match=err_msg):
        RandomTextOverSampler(**params).fit_resample(_TEXTS, _LABELS)


def test_random_text_over_sampler_in_grid_search():
    """Check that sampling_strategy can be tuned in a pipeline with a GridSearchCV."""
    pipe = make_pipeline(RandomTextOverSampler(random_state=0), TfidfVectorizer(),
                         LogisticRegression())
    grid = {"randomtextoversampler__sampling_strategy": [0.9, 1.0]}
    search = GridSearchCV(pipe, grid, cv=StratifiedKFold(3), error_score="raise")
    search.fit(["great dress", "love it", "soft fabric", "returned it", "broken"] * 3,
               [0, 0, 0, 1, 1] * 3)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


# -- properties ---------------------------------------------------------------


@st.composite
def labelled_texts(draw):
    """Texts and 2-4 classes of 1-6 rows, in a random order."""
    counts = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    y = np.repeat([f"c{i}" for i in range(len(counts))], counts)
    y = np.asarray(draw(st.permutations(y.tolist())))
    return draw(st.lists(st.text(max_size=5), min_size=len(y), max_size=len(y))), y


_STRATEGIES = st.sampled_from(["auto", "minority", "not minority", "not majority", "all"])


@settings(max_examples=40, deadline=None)
@given(data=labelled_texts(), strategy=_STRATEGIES, seed=st.integers(0, 2**31 - 1))
def test_random_text_over_sampler_properties(data, strategy, seed):
    """Check counts, originals, labels and seeding on random data."""
    X, y = data
    sampler = RandomTextOverSampler(sampling_strategy=strategy, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    wanted = check_sampling_strategy(strategy, y, "over-sampling")
    assert Counter(y_res) == {c: n + wanted.get(c, 0) for c, n in Counter(y).items()}
    assert X_res[: len(X)] == X and (y_res[: len(y)] == y).all()
    assert X_res == [X[i] for i in sampler.sample_indices_]
    assert (y_res == y[sampler.sample_indices_]).all()
    assert sampler.fit_resample(X, y)[0] == X_res
