"""Tests of LabelNoiseUnderSampler (sk_textrec/under_sampling/_label_noise.py)."""

import sys
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from sk_textrec.under_sampling import LabelNoiseUnderSampler
from sk_textrec.utils._sklearn_compat import InvalidParameterError
from sk_textrec.utils.estimator_checks import parametrize_with_checks

_PRAISE = ["love this dress", "the fit is perfect", "so soft and comfortable", "gorgeous colour",
           "great quality for the price", "fits like a glove", "would buy again", "beautiful cut"]
_COMPLAINT = ["returned it at once", "the zip broke", "cheap scratchy fabric", "runs two sizes small",
              "the colour faded in the wash", "fell apart in a week", "total waste of money",
              "the seams came undone"]
_N_FLIPPED = 3


def _reviews(n_pos=90, n_neg=45):
    """Clearly worded reviews (three phrases of one tone each), labels with a few flipped.

    Returns the texts, the noisy labels and the rows whose label was flipped.
    """
    rng = np.random.RandomState(0)
    texts = [
        ", ".join(rng.choice(phrases, size=3, replace=False)) + f" (order {row})"
        for row, phrases in enumerate([_PRAISE] * n_pos + [_COMPLAINT] * n_neg)
    ]
    y = np.array(["pos"] * n_pos + ["neg"] * n_neg, dtype=object)
    flipped = np.r_[rng.choice(n_pos, _N_FLIPPED, replace=False),
                    n_pos + rng.choice(n_neg, _N_FLIPPED, replace=False)]
    y[flipped] = np.where(y[flipped] == "pos", "neg", "pos")
    return texts, y, flipped


@parametrize_with_checks(
    [LabelNoiseUnderSampler(), LabelNoiseUnderSampler(cv=3, filter_by="both", max_remove_fraction=0.5)]
)
def test_label_noise_under_sampler_text_checks(estimator, check):
    """Check that LabelNoiseUnderSampler passes the text-aware compliance checks."""
    check(estimator)


def test_label_noise_under_sampler_removes_flipped_labels():
    """Check that rows whose label was flipped are among the removed rows; labels unchanged."""
    X, y, flipped = _reviews()
    sampler = LabelNoiseUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    removed = np.setdiff1d(np.arange(len(X)), sampler.sample_indices_)
    assert set(flipped) <= set(removed)
    assert sampler.label_issues_[flipped].all()
    assert X_res == [X[i] for i in sampler.sample_indices_]
    assert_array_equal(y_res, y[sampler.sample_indices_])


@pytest.mark.parametrize("max_remove_fraction", [0.0, 0.02, 0.05, 0.1, 0.3, 1.0])
def test_label_noise_under_sampler_cap_per_class(max_remove_fraction):
    """Check that no class loses more than max_remove_fraction of its rows."""
    X, y, _ = _reviews()
    sampler = LabelNoiseUnderSampler(
        max_remove_fraction=max_remove_fraction, filter_by="prune_by_class", random_state=0
    )
    _, y_res = sampler.fit_resample(X, y)
    for label in ("pos", "neg"):
        n_class, n_removed = np.sum(y == label), np.sum(y == label) - np.sum(y_res == label)
        assert n_removed <= np.floor(max_remove_fraction * n_class)
        assert n_removed <= np.sum(sampler.label_issues_ & (y == label))


def test_label_noise_under_sampler_higher_cap_removes_a_superset():
    """Check that a higher cap removes the rows a lower one removes, least confident first."""
    X, y, _ = _reviews()
    removed_before = set()
    for max_remove_fraction in [0.0, 0.02, 0.05, 0.1, 0.5]:
        sampler = LabelNoiseUnderSampler(max_remove_fraction=max_remove_fraction, random_state=0)
        sampler.fit_resample(X, y)
        removed = set(np.setdiff1d(np.arange(len(X)), sampler.sample_indices_))
        assert removed_before <= removed
        removed_before = removed


def test_label_noise_under_sampler_strategy_limits_classes():
    """Check that classes outside sampling_strategy lose no row."""
    X, y, _ = _reviews()
    sampler = LabelNoiseUnderSampler(sampling_strategy=["neg"], random_state=0)
    _, y_res = sampler.fit_resample(X, y)
    assert np.sum(y_res == "pos") == np.sum(y == "pos")
    assert np.sum(y_res == "neg") < np.sum(y == "neg")


def test_label_noise_under_sampler_out_of_fold_probabilities():
    """Check pred_proba_ and classes_, with a custom estimator and CV splitter."""
    X, y, _ = _reviews()
    sampler = LabelNoiseUnderSampler(
        make_pipeline(TfidfVectorizer(), MultinomialNB()), cv=KFold(4, shuffle=True, random_state=0)
    )
    sampler.fit_resample(X, y)
    assert_array_equal(sampler.classes_, ["neg", "pos"])
    assert sampler.pred_proba_.shape == (len(X), 2)
    assert_allclose(sampler.pred_proba_.sum(axis=1), 1)


@settings(max_examples=8, deadline=None)
@given(
    labels=st.lists(st.sampled_from(["a", "b", "c"]), min_size=40, max_size=40),
    max_remove_fraction=st.floats(0, 1),
)
def test_label_noise_under_sampler_properties(labels, max_remove_fraction):
    """Check that for any labels rows are only dropped, labels kept, and the cap holds."""
    X, _, _ = _reviews(n_pos=20, n_neg=20)
    y = np.array(labels, dtype=object)
    counts = Counter(labels)
    assume(len(counts) > 1 and min(counts.values()) > 1)  # two rows per class for 2 folds
    sampler = LabelNoiseUnderSampler(cv=2, max_remove_fraction=max_remove_fraction, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    kept = sampler.sample_indices_
    assert X_res == [X[i] for i in kept]
    assert_array_equal(y_res, y[kept])
    for label, n_class in counts.items():
        assert n_class - np.sum(y_res == label) <= np.floor(max_remove_fraction * n_class + 1e-9)


def test_label_noise_under_sampler_same_seed_same_output():
    """Check that one random_state gives one output."""
    X, y, _ = _reviews()
    first = LabelNoiseUnderSampler(random_state=3).fit_resample(X, y)
    second = LabelNoiseUnderSampler(random_state=3).fit_resample(X, y)
    assert first[0] == second[0]
    assert_array_equal(first[1], second[1])


def test_label_noise_under_sampler_pandas_in_pandas_out():
    """Check that a Series and a DataFrame come back as such, with the kept rows."""
    X, y, _ = _reviews()
    X, y = pd.Series(X, name="review"), pd.Series(y, name="label")
    sampler = LabelNoiseUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X.to_frame(), y)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["review"]
    assert isinstance(y_res, pd.Series) and y_res.name == "label"
    assert X_res["review"].tolist() == X.iloc[sampler.sample_indices_].tolist()


def test_label_noise_under_sampler_needs_cleanlab(monkeypatch):
    """Check that without cleanlab the error names the extra to install."""
    X, y, _ = _reviews()
    monkeypatch.setitem(sys.modules, "cleanlab", None)
    monkeypatch.setitem(sys.modules, "cleanlab.filter", None)
    with pytest.raises(ImportError, match=r"pip install 'sk-textrec\[clean\]'"):
        LabelNoiseUnderSampler().fit_resample(X, y)


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"estimator": make_pipeline(TfidfVectorizer(), LinearSVC())}, InvalidParameterError,
         "'estimator' parameter"),
        ({"max_remove_fraction": 1.5}, InvalidParameterError, "'max_remove_fraction' parameter"),
        ({"max_remove_fraction": -0.1}, InvalidParameterError, "'max_remove_fraction' parameter"),
        ({"filter_by": "vote"}, InvalidParameterError, "'filter_by' parameter"),
        ({"cv": "five"}, InvalidParameterError, "'cv' parameter"),
        ({"n_jobs": 1.5}, InvalidParameterError, "'n_jobs' parameter"),
        ({"sampling_strategy": 0.5}, InvalidParameterError, "'sampling_strategy' parameter"),
    ],
)
def test_label_noise_under_sampler_invalid_params(params, err_type, err_msg):
    """Check that invalid parameters raise a clear error naming the parameter."""
    X, y, _ = _reviews()
    with pytest.raises(err_type, match=err_msg):
        LabelNoiseUnderSampler(**params).fit_resample(X, y)


def test_label_noise_under_sampler_fold_without_a_class_raises():
    """Check that a training fold lacking a class is named before any estimator is fitted."""
    X, y, _ = _reviews(n_pos=20, n_neg=20)
    y = np.array(["pos"] * 20 + ["neg"] * 20, dtype=object)
    with pytest.raises(ValueError, match=r"fold 0 of cv .* no sample of the class\(es\) \['pos'\]"):
        LabelNoiseUnderSampler(cv=KFold(2)).fit_resample(X, y)
    y[0] = "rare"  # a class of one row cannot be in a training part and its test part
    with pytest.raises(ValueError, match=r"no sample of the class\(es\) \['rare'\]"):
        LabelNoiseUnderSampler(cv=2, random_state=0).fit_resample(X, y)


def test_label_noise_under_sampler_matches_cross_val_predict():
    """Check that the out-of-fold probabilities are scikit-learn's cross_val_predict ones."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    X, y, _ = _reviews()
    estimator = make_pipeline(TfidfVectorizer(), MultinomialNB())
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    sampler = LabelNoiseUnderSampler(estimator, cv=cv, n_jobs=2)
    sampler.fit_resample(X, y)
    expected = cross_val_predict(estimator, X, np.unique(y, return_inverse=True)[1], cv=cv,
                                 method="predict_proba")
    assert_allclose(sampler.pred_proba_, expected)


@pytest.mark.parametrize("verbose, shown", [(0, False), (1, True)])
def test_label_noise_under_sampler_verbose_progress_bar(capsys, verbose, shown):
    """Check that verbose shows a progress bar over the folds, and that the default is silent."""
    X, y, _ = _reviews()
    LabelNoiseUnderSampler(cv=3, random_state=0, verbose=verbose).fit_resample(X, y)
    assert ("LabelNoiseUnderSampler: folds: 100%" in capsys.readouterr().err) is shown


def test_label_noise_under_sampler_cv_must_be_a_partition():
    """Check that a splitter whose test parts overlap is refused, as by cross_val_predict."""
    from sklearn.model_selection import ShuffleSplit

    X, y, _ = _reviews()
    with pytest.raises(ValueError, match="partition"):
        LabelNoiseUnderSampler(cv=ShuffleSplit(3, random_state=0)).fit_resample(X, y)
