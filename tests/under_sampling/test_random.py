"""Tests of RandomTextUnderSampler (sk_textrec/under_sampling/_random.py)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import make_pipeline
from imblearn.under_sampling import RandomUnderSampler
from imblearn.utils import check_sampling_strategy
from numpy.testing import assert_array_equal
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_textrec.under_sampling import RandomTextUnderSampler
from sk_textrec.utils._sklearn_compat import InvalidParameterError
from sk_textrec.utils.estimator_checks import parametrize_with_checks

_TEXTS = ["great dress", "love it", "soft fabric", "fits well", "nice colour", "cute top",
          "returned it", "too small", "broken zip", "okay I guess"]
_LABELS = np.array(["pos"] * 6 + ["neg"] * 3 + ["mid"])


@parametrize_with_checks(
    [RandomTextUnderSampler(), RandomTextUnderSampler(sampling_strategy="all", replacement=True)]
)
def test_random_text_under_sampler_text_checks(estimator, check):
    """Check that RandomTextUnderSampler passes the text-aware compliance checks."""
    check(estimator)


@pytest.mark.parametrize(
    "sampling_strategy, expected",
    [
        ("auto", {"pos": 1, "neg": 1, "mid": 1}),
        ("not minority", {"pos": 1, "neg": 1, "mid": 1}),
        ("majority", {"pos": 1, "neg": 3, "mid": 1}),
        ("not majority", {"pos": 6, "neg": 1, "mid": 1}),
        ("all", {"pos": 1, "neg": 1, "mid": 1}),
        ({"pos": 4, "neg": 2}, {"pos": 4, "neg": 2, "mid": 1}),
        (lambda y: {"pos": 2}, {"pos": 2, "neg": 3, "mid": 1}),
    ],
)
def test_random_text_under_sampler_counts_follow_strategy(sampling_strategy, expected):
    """Check that the class counts follow each form of sampling_strategy."""
    sampler = RandomTextUnderSampler(sampling_strategy=sampling_strategy)
    _, y_res = sampler.fit_resample(_TEXTS, _LABELS)
    assert Counter(y_res) == expected


def test_random_text_under_sampler_float_strategy_binary():
    """Check that a float strategy sets the minority / majority ratio for binary labels."""
    sampler = RandomTextUnderSampler(sampling_strategy=0.75)
    _, y_res = sampler.fit_resample(_TEXTS[:9], _LABELS[:9])
    assert Counter(y_res) == {"pos": 4, "neg": 3}


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("sampling_strategy", ["auto", "majority", {"pos": 4, "neg": 2}])
def test_random_text_under_sampler_matches_imblearn(sampling_strategy, replacement):
    """Check that the rows kept are those of imblearn's RandomUnderSampler on a text column."""
    params = {"sampling_strategy": sampling_strategy, "replacement": replacement}
    ours = RandomTextUnderSampler(random_state=0, **params)
    X_res, y_res = ours.fit_resample(_TEXTS, _LABELS)
    theirs = RandomUnderSampler(random_state=0, **params)
    X_ref, y_ref = theirs.fit_resample(np.asarray(_TEXTS, dtype=object)[:, None], _LABELS)
    assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    assert X_res == X_ref[:, 0].tolist()
    assert_array_equal(y_res, y_ref)


def test_random_text_under_sampler_replacement():
    """Check that rows are kept at most once without replacement, and may repeat with it."""
    y = np.array([0] * 30 + [1] * 20)
    X = [f"text {i}" for i in range(50)]
    # All 20 rows of class 1 drawn: a permutation without replacement, repeats with it.
    without = RandomTextUnderSampler(sampling_strategy={1: 20}, random_state=0)
    without.fit_resample(X, y)
    assert len(set(without.sample_indices_)) == len(without.sample_indices_)
    with_ = RandomTextUnderSampler(sampling_strategy={1: 20}, replacement=True, random_state=0)
    with_.fit_resample(X, y)
    assert len(set(with_.sample_indices_)) < len(with_.sample_indices_)


@pytest.mark.parametrize(
    "X",
    [
        pd.Series(_TEXTS, dtype=object, name="review", index=np.arange(10) * 7),
        pd.DataFrame({"review": pd.Series(_TEXTS, dtype=object)}),
        np.asarray(_TEXTS, dtype=object),
    ],
    ids=["Series", "DataFrame", "ndarray"],
)
def test_random_text_under_sampler_keeps_container(X):
    """Check that pandas in gives pandas out, that object dtype is kept, texts unchanged."""
    y = pd.Series(_LABELS, name="label")
    sampler = RandomTextUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert type(X_res) is type(X) and isinstance(y_res, pd.Series) and y_res.name == "label"
    texts = X_res["review"] if isinstance(X, pd.DataFrame) else X_res
    assert texts.dtype == object
    assert list(texts) == [_TEXTS[i] for i in sampler.sample_indices_]
    assert_array_equal(y_res.to_numpy(), _LABELS[sampler.sample_indices_])


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"sampling_strategy": "minority"}, InvalidParameterError, "'sampling_strategy'"),
        ({"sampling_strategy": 0.0}, InvalidParameterError, "'sampling_strategy'"),
        ({"sampling_strategy": {"mid": 2}}, ValueError, "With under-sampling methods"),
        ({"replacement": "yes"}, InvalidParameterError, "'replacement'"),
        ({"random_state": "zero"}, InvalidParameterError, "'random_state'"),
    ],
)
def test_random_text_under_sampler_errors(params, err_type, err_msg):
    """Check the errors raised for bad parameters."""
    with pytest.raises(err_type, match=err_msg):
        RandomTextUnderSampler(**params).fit_resample(_TEXTS, _LABELS)


def test_random_text_under_sampler_in_grid_search():
    """Check that sampling_strategy can be tuned in a pipeline with a GridSearchCV."""
    pipe = make_pipeline(RandomTextUnderSampler(random_state=0), TfidfVectorizer(),
                         LogisticRegression())
    grid = {"randomtextundersampler__sampling_strategy": [0.8, 1.0]}
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


_STRATEGIES = st.sampled_from(["auto", "majority", "not minority", "not majority", "all"])


@settings(max_examples=40, deadline=None)
@given(data=labelled_texts(), strategy=_STRATEGIES, seed=st.integers(0, 2**31 - 1))
def test_random_text_under_sampler_properties(data, strategy, seed):
    """Check counts, kept texts and labels, and seeding on random data."""
    X, y = data
    sampler = RandomTextUnderSampler(sampling_strategy=strategy, random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    wanted = check_sampling_strategy(strategy, y, "under-sampling")
    assert Counter(y_res) == {c: wanted.get(c, n) for c, n in Counter(y).items()}
    assert len(set(sampler.sample_indices_)) == len(X_res)  # no row kept twice
    assert X_res == [X[i] for i in sampler.sample_indices_]
    assert (y_res == y[sampler.sample_indices_]).all()
    assert sampler.fit_resample(X, y)[0] == X_res
