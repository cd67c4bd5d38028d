"""Tests of BaseTextSampler, the base of the text samplers (sk_textrec/base.py)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.utils import check_random_state, get_tags

from sk_textrec.base import SAMPLING_STRATEGY_CONSTRAINTS, BaseTextSampler, draw_minority_rows
from sk_textrec.utils._sklearn_compat import InvalidParameterError
from sk_textrec.utils.estimator_checks import parametrize_with_checks


class DropEveryOtherSampler(BaseTextSampler):
    """A cleaning sampler: drops every second row of the targeted classes."""

    _sampling_type = "clean-sampling"
    _parameter_constraints = {"sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS[_sampling_type]}

    def __init__(self, sampling_strategy="auto"):
        self.sampling_strategy = sampling_strategy

    def _fit_resample(self, X, y):
        assert isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1
        targeted = np.isin(y, list(self.sampling_strategy_))
        keep = ~targeted | (np.cumsum(targeted) % 2 == 1)
        return self._take(X, y, np.flatnonzero(keep))


_X = ["great dress", "love it", "soft", "returned it", "too small", "fine", "", "很好 😀"]
_Y = np.array([0, 0, 0, 1, 1, 0, 0, 0])
# sampling "auto" (= "not minority") targets class 0: its 2nd, 4th and 6th rows go.
_KEPT = [0, 2, 3, 4, 6]


@parametrize_with_checks([DropEveryOtherSampler(), DropEveryOtherSampler(sampling_strategy="all")])
def test_base_text_sampler_text_checks(estimator, check):
    """Check that a sampler written on BaseTextSampler passes the text-aware checks."""
    check(estimator)


@pytest.mark.parametrize(
    "make_X, expected_type, expected_dtype",
    [
        (list, list, None),
        (tuple, np.ndarray, object),
        (lambda X: np.asarray(X, dtype=object), np.ndarray, object),
        (lambda X: np.asarray(X, dtype=str), np.ndarray, object),
        (lambda X: pd.Series(X, dtype=object, name="review"), pd.Series, object),
        (lambda X: pd.Series(X, dtype="string", name="review"), pd.Series, "string"),
        (lambda X: pd.DataFrame({"review": pd.Series(X, dtype=object)}), pd.DataFrame, object),
    ],
)
def test_base_text_sampler_returns_container_given(make_X, expected_type, expected_dtype):
    """Check that the texts come back in the container, dtype and name they came in."""
    X = make_X(_X)
    X_res, _ = DropEveryOtherSampler().fit_resample(X, _Y)
    assert type(X_res) is expected_type
    texts = X_res["review"] if expected_type is pd.DataFrame else X_res
    if expected_dtype is not None:
        assert texts.dtype == expected_dtype
    if isinstance(X_res, (pd.Series, pd.DataFrame)):
        assert_array_equal(X_res.index, np.arange(len(_KEPT)))  # a fresh RangeIndex
    if isinstance(X_res, pd.Series):
        assert X_res.name == "review"
    assert list(np.asarray(texts)) == [_X[i] for i in _KEPT]


def test_base_text_sampler_keeps_column_shape_and_pandas_index():
    """Check that an (n, 1) array stays 2-D and that pandas outputs get X and y aligned."""
    X_res, _ = DropEveryOtherSampler().fit_resample(np.asarray(_X, dtype=object)[:, None], _Y)
    assert X_res.shape == (len(_KEPT), 1) and X_res.dtype == object
    index = pd.Index([f"r{i}" for i in range(len(_X))])
    sampler = DropEveryOtherSampler()
    X_res, y_res = sampler.fit_resample(pd.Series(_X, index=index), pd.Series(_Y, index=index))
    assert_array_equal(X_res.index, y_res.index)
    assert list(index[sampler.sample_indices_]) == [f"r{i}" for i in _KEPT]


@pytest.mark.parametrize(
    "y",
    [
        _Y.tolist(),
        _Y,
        np.where(_Y == 1, "bad", "good").astype(object),
        pd.Series(_Y, name="label", dtype="int32"),
        pd.Series(np.where(_Y == 1, "bad", "good"), dtype="category"),
        np.eye(2)[_Y],
    ],
    ids=["list", "int array", "object array", "Series", "categorical", "one-hot"],
)
def test_base_text_sampler_returns_labels_as_given(y):
    """Check that the labels come back unchanged, in the container and dtype given."""
    X_res, y_res = DropEveryOtherSampler().fit_resample(_X, y)
    assert type(y_res) is type(y)
    if hasattr(y, "dtype"):
        assert y_res.dtype == y.dtype
    if isinstance(y, pd.Series):
        assert y_res.name == y.name
        assert_array_equal(y_res.to_numpy(), y.to_numpy()[_KEPT])
    else:
        assert_array_equal(np.asarray(y_res), np.asarray(y)[_KEPT])


def test_base_text_sampler_fit_sets_strategy_only():
    """Check that fit returns the sampler with sampling_strategy_, and resamples nothing."""
    sampler = DropEveryOtherSampler()
    assert sampler.fit(_X, _Y) is sampler
    assert list(sampler.sampling_strategy_) == [0]  # "auto" cleans all but the minority
    assert not hasattr(sampler, "sample_indices_")


@pytest.mark.parametrize(
    "params, X, y, err_type, err_msg",
    [
        ({}, _X[:-1] + [None], _Y, ValueError, "missing text"),
        ({}, _X[:-1] + [3], _Y, TypeError, "must contain only strings"),
        ({}, np.column_stack([_X, _X]), _Y, ValueError, "1-D text or a single column"),
        ({}, "great dress", _Y[:1], TypeError, "not a single string"),
        ({}, _X, _Y[:-1], ValueError, "inconsistent numbers of samples"),
        ({}, _X, np.zeros(len(_X)), ValueError, "more than 1 class"),
        ({}, _X, np.linspace(0, 1, len(_X)), ValueError, "Unknown label type"),
        ({}, _X, np.r_[_Y[:-1], np.nan], ValueError, r"missing label \(NaN\) at row 7"),
        ({}, _X, [0, 0, 0, None, 1, 0, 0, 0], ValueError, r"missing label \(None or NaN\) at row 3"),
        ({}, _X, ["a", "a", "b", "b", float("nan"), "a", "a", "a"], ValueError, "at row 4"),
        ({}, _X, [0, 0, 0, "1", 1, 0, 0, 0], TypeError, r"row 0 is a number \(0\) but row 3 is a str"),
        ({"sampling_strategy": 0.5}, _X, _Y, InvalidParameterError, "'sampling_strategy'"),
        ({"sampling_strategy": {0: 3}}, _X, _Y, InvalidParameterError, "'sampling_strategy'"),
        ({"sampling_strategy": [2]}, _X, _Y, ValueError, r"The \{2\} target class"),
    ],
)
def test_base_text_sampler_errors(params, X, y, err_type, err_msg):
    """Check the errors for bad texts, labels and strategies of the sampler's type."""
    sampler = DropEveryOtherSampler(**params)
    with pytest.raises(err_type, match=err_msg):
        sampler.fit_resample(X, y)


def test_base_text_sampler_strategy_follows_sampling_type():
    """Check that a cleaning sampler takes a list of classes, as imbalanced-learn's do."""
    sampler = DropEveryOtherSampler(sampling_strategy=[1]).fit(_X, _Y)
    assert list(sampler.sampling_strategy_) == [1]


def test_base_text_sampler_tags():
    """Check that the tags declare 1-D string input and sample indices."""
    tags = get_tags(DropEveryOtherSampler())
    assert tags.input_tags.one_d_array and tags.input_tags.string
    assert not tags.input_tags.two_d_array and not tags.input_tags.sparse
    assert tags.sampler_tags.sample_indices


def test_draw_minority_rows_draws_from_each_class():
    """Check that rows are drawn from their own class, as many as asked, reproducibly."""
    y = np.array(["a", "b", "a", "c", "a", "c"])
    strategy = {"b": 3, "c": 2}
    drawn = draw_minority_rows(strategy, y, check_random_state(0))
    assert {label: len(rows) for label, rows in drawn.items()} == strategy
    assert all((y[rows] == label).all() for label, rows in drawn.items())
    again = draw_minority_rows(strategy, y, check_random_state(0))
    assert all((again[label] == rows).all() for label, rows in drawn.items())
