"""Compliance checks of the input that text estimators accept and refuse."""

import numpy as np
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.utils import get_tags

from ._check_data import (
    _TEST_TEXTS,
    _UNUSUAL_TEXTS,
    _assert_outputs_equal,
    _assert_raises,
    _check_bad_input,
    _containers,
    _dense,
    _fit,
    _fitted,
    _outputs,
    _replace_row,
    _targets_for,
    _text_data,
)


def check_text_unusual_text(name, estimator_orig):
    """Check that empty, blank, emoji, CJK and very long texts work in fit and predict."""
    X, y = _text_data()
    y = np.concatenate([y, y[: len(_UNUSUAL_TEXTS)]])
    estimator = _fitted(estimator_orig, X + _UNUSUAL_TEXTS, y)
    for method, values in _outputs(estimator, _UNUSUAL_TEXTS).items():
        values = _dense(values)
        assert values.shape[0] == len(_UNUSUAL_TEXTS), f"{name}.{method} dropped or added rows."
        if np.issubdtype(values.dtype, np.number):
            assert np.all(np.isfinite(values)), f"{name}.{method} is not finite on unusual texts."


def check_text_input_containers(name, estimator_orig):
    """Check that a list, ndarray, pandas Series and one-column DataFrame give the same outputs."""
    X, y = _text_data()
    deterministic = not get_tags(estimator_orig).non_deterministic
    expected = None
    for container_name, container in _containers().items():
        outputs = _outputs(_fitted(estimator_orig, container(X), y), container(_TEST_TEXTS))
        if expected is None:
            expected = outputs
        elif deterministic:
            _assert_outputs_equal(expected, outputs, f"of {name} differs for {container_name} input")


def check_text_input_not_modified(name, estimator_orig):
    """Check that fitting and predicting leave the caller's texts and labels as they were."""
    X, y = _text_data()
    for X_given in (list(X), np.asarray(X, dtype=object)):
        y_given = y.copy()
        estimator = _fitted(estimator_orig, X_given, y_given)
        _outputs(estimator, X_given)
        assert list(X_given) == X, f"{name} modified the texts given as {type(X_given).__name__}."
        assert_array_equal(y_given, y, err_msg=f"{name} modified the labels it was given.")


def check_text_missing_raises(name, estimator_orig):
    """Check that a missing text (None or NaN) raises ValueError, in fit and predict."""
    def missing(X):
        # float("nan") is not the np.nan object: an `x is np.nan` test misses it.
        return [(_replace_row(X, None), "texts with None"), (_replace_row(X, float("nan")), "NaN")]

    _check_bad_input(name, estimator_orig, missing, ValueError)


def check_text_non_string_raises(name, estimator_orig):
    """Check that a text that is not a string (the number 3) raises TypeError."""
    def non_string(X):
        return [(_replace_row(X, 3), "texts with the int 3")]

    _check_bad_input(name, estimator_orig, non_string, TypeError)


def check_text_two_columns_raises(name, estimator_orig):
    """Check that 2-D input with two text columns raises ValueError (estimators without pairs)."""

    def two_columns(X):
        column, containers = np.asarray(X, dtype=object), _containers()
        yield np.column_stack([column, column]), "a 2-D array with two columns"
        if "DataFrame" in containers:
            yield containers["DataFrame"](X).assign(title=column), "a DataFrame with two columns"

    _check_bad_input(name, estimator_orig, two_columns, ValueError)


def check_text_empty_input_raises(name, estimator_orig):
    """Check that fitting on zero texts raises ValueError."""
    with _assert_raises(ValueError, f"{name}.fit on zero texts"):
        _fit(clone(estimator_orig), [], np.array([], dtype=str))


def check_text_length_mismatch_raises(name, estimator_orig):
    """Check that fitting on texts and labels of different lengths raises ValueError."""
    X, y = _text_data()
    with _assert_raises(ValueError, f"{name}.fit on {len(X)} texts and {len(y) - 1} labels"):
        _fit(clone(estimator_orig), X, y[:-1])


def check_text_classifier_one_sample(name, classifier_orig):
    """Check that fitting a classifier on a single text raises ValueError."""
    X, y = _text_data()
    with _assert_raises(ValueError, f"{name}.fit on one text"):
        clone(classifier_orig).fit(X[:1], y[:1])


def check_text_classifier_one_label(name, classifier_orig):
    """Check that fitting a classifier on labels of a single class raises ValueError."""
    X, y = _text_data()
    with _assert_raises(ValueError, f"{name}.fit on labels of one class"):
        clone(classifier_orig).fit(X, np.full(len(X), y[0]))


def check_text_lone_surrogate_raises(name, estimator_orig):
    """Check that a text with a lone UTF-16 surrogate raises ValueError, in fit and predict.

    Half of a surrogate pair ('\\ud83d' without its partner, from JSON or a
    wrongly decoded file) cannot be encoded by any codec or tokenizer; it must
    be refused before it reaches one.
    """
    def surrogate(X):
        return [(_replace_row(X, "great \ud83d dress"), "a text with a lone surrogate")]

    _check_bad_input(name, estimator_orig, surrogate, ValueError)


def check_text_missing_label_raises(name, estimator_orig):
    """Check that a missing label (NaN or None) raises ValueError instead of becoming a class."""
    X, y = _text_data()
    string_labels = y.astype(object)
    numeric_labels = np.where(y == "pos", 1.0, 0.0)
    for labels, missing, what in ((string_labels, None, "None among str labels"),
                                  (string_labels, float("nan"), "NaN among str labels"),
                                  (numeric_labels, np.nan, "NaN among float labels")):
        y_bad = labels.copy()
        y_bad[3] = missing
        with _assert_raises(ValueError, f"{name}.fit on {what}"):
            _fit(clone(estimator_orig), X, y_bad)


def check_text_negative_sample_weight_raises(name, estimator_orig):
    """Check that ``fit`` refuses a negative sample weight with ValueError."""
    X, y = _text_data()
    weights = np.ones(len(X))
    weights[3] = -1.0
    with _assert_raises(ValueError, f"{name}.fit with a negative sample_weight"):
        clone(estimator_orig).fit(X, _targets_for(estimator_orig, y), sample_weight=weights)
