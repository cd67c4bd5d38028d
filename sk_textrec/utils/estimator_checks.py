"""Compliance checks for estimators that take raw text.

scikit-learn's :func:`sklearn.utils.estimator_checks.parametrize_with_checks`
yields no check at all for an estimator whose tags say
``input_tags.two_d_array=False``, which is every text estimator. This module
runs the scikit-learn checks that need no data, and text versions of the checks
that do, on a small review-like data set built here.

Every check is a public function ``check_*(name, estimator)``: ``name`` is used
in messages and ``estimator`` is cloned before it is fitted. A check returns
nothing and raises (mostly ``AssertionError``) when the estimator breaks the
contract. Which checks run follows the estimator's type and tags: all of them
get the API and input checks; classifiers, transformers (``transform``) and
samplers (``fit_resample``, imbalanced-learn style) get their own.

Outputs compared after refitting, pickling or re-batching must agree to within
1e-5; check models in fp32 (``precision="fp32"`` on GPUs with bf16).
"""

import pickle
import re
from collections import Counter
import warnings
from contextlib import contextmanager
from functools import partial
from unittest import SkipTest

import joblib
import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.exceptions import EstimatorCheckFailedWarning, NotFittedError
from sklearn.utils import get_tags
from sklearn.utils.validation import has_fit_parameter
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_estimator_tags_renamed,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_valid_tag_types,
)

from ._sklearn_compat import _get_check_estimator_ids, set_random_state
from ._tags import accepts_text_pairs

__all__ = [
    "check_estimator",
    "parametrize_with_checks",
    "check_text_batch_invariance",
    "check_text_classifier_classes",
    "check_text_classifier_multiclass",
    "check_text_classifier_one_label",
    "check_text_classifier_one_sample",
    "check_text_empty_input_raises",
    "check_text_fit_does_not_change_params",
    "check_text_fit_idempotent",
    "check_text_fit_returns_self",
    "check_text_input_containers",
    "check_text_input_not_modified",
    "check_text_length_mismatch_raises",
    "check_text_missing_raises",
    "check_text_non_string_raises",
    "check_text_outputs",
    "check_text_pairs_batch_invariance",
    "check_text_pairs_empty_fields",
    "check_text_pairs_form_mismatch_raises",
    "check_text_pairs_order_matters",
    "check_text_pairs_pickle",
    "check_text_pairs_three_columns_raises",
    "check_text_pickle",
    "check_text_sample_order_invariance",
    "check_text_sampler_fit_resample",
    "check_text_sampler_sample_indices",
    "check_text_sampler_strategy_counts",
    "check_text_two_columns_raises",
    "check_text_unfitted_raises",
    "check_text_unusual_text",
    "check_text_lone_surrogate_raises",
    "check_text_missing_label_raises",
    "check_text_negative_sample_weight_raises",
]

# Short, learnable reviews; interleaved by _text_data so that any prefix holds
# every class. The words are in make_tiny_bert's vocabulary.
_REVIEWS = {
    "pos": ["great dress, love it", "perfect fit and very soft", "beautiful colour, love it",
            "really comfortable, would buy again", "excellent quality for the price",
            "amazing, fits perfect", "cute top, so happy with it", "nice fabric and pretty color",
            "love these jeans, great fit", "best gift, kids love it",
            "would recommend, great quality", "soft and comfortable, perfect"],
    "neg": ["terrible, returned it", "awful quality, broken on arrival",
            "too small and cheap fabric", "disappointed, wrong size", "poor quality, would not buy",
            "broken toy, asked for a refund", "bad fit, too tight", "cheap material, returned",
            "awful color, not as shown", "wrong item arrived, refund", "terrible shoes, very poor",
            "disappointed with the quality, returned"],
    "neutral": ["it is okay for the price", "fine, nothing special", "average fabric, fits as expected",
                "the size is fine", "shipping was on time", "arrived in a box", "it is a shirt",
                "color as shown", "ordered two sizes", "delivery took a week", "an item for kids",
                "the product is as described"],
}
# Texts to predict on: unseen combinations, of lengths that need padding in a batch.
_TEST_TEXTS = ["love it", "returned, broken", "great but too small", "the size",
               "awful awful quality, would never buy from them again, so disappointed",
               "perfect gift", "it arrived", "cheap"]
# Texts no vocabulary expects: empty, blank, emoji, CJK, accents, a zero-width
# space, and a text far longer than any max_length.
_UNUSUAL_TEXTS = ["", " ", "😀😀 love it", "很好，质量不错", "très bien, parfait", "\u200b",
                  "great " * 300]
# Outputs compared after batching, pickling or refitting may differ by float noise.
_ATOL = 1e-5
_OUTPUT_METHODS = ("predict", "predict_proba", "decision_function", "transform")


def _text_data(n_classes=2):
    """Texts as a list and string labels as an array, classes interleaved."""
    labels = ["neg", "pos", "neutral"][:n_classes]
    X = [text for row in zip(*(_REVIEWS[label] for label in labels)) for text in row]
    return X, np.array(labels * len(_REVIEWS["pos"]))


# Titles for the pair checks: a (title, text) pair per review of _text_data.
_TITLES = {"pos": "Love it", "neg": "Returned", "neutral": "Okay"}
_TEST_PAIRS = [("Love it", text) if i % 2 else ("", text) for i, text in enumerate(_TEST_TEXTS)]
# Regressors are checked on star ratings of the same reviews.
_STARS = {"neg": 1.0, "neutral": 3.0, "pos": 5.0}


def _pair_data(n_classes=2):
    """(title, text) pairs and labels; every other title is empty, as for many reviews."""
    X, y = _text_data(n_classes)
    return [(_TITLES[label] if i % 2 else "", text) for i, (label, text) in enumerate(zip(y, X))], y


def _is_sampler(estimator):
    return hasattr(estimator, "fit_resample")


def _targets_for(estimator, y):
    """``y`` as star ratings for a regressor (labels are strings), else as given."""
    if is_regressor(estimator):
        return np.array([_STARS.get(label, label) if isinstance(label, str) else label
                         for label in np.asarray(y, dtype=object).tolist()], dtype=object)
    return y


def _output_methods(estimator):
    return [method for method in _OUTPUT_METHODS if hasattr(estimator, method)]


def _fit(estimator, X, y):
    """Fit the way a user would: samplers through ``fit_resample``."""
    y = _targets_for(estimator, y)
    if _is_sampler(estimator):
        estimator.fit_resample(X, y)
        return estimator
    return estimator.fit(X, y)


def _outputs(estimator, X):
    return {method: getattr(estimator, method)(X) for method in _output_methods(estimator)}


def _dense(values):
    return values.toarray() if hasattr(values, "toarray") else np.asarray(values)


def _assert_outputs_equal(expected, actual, what, atol=_ATOL):
    for method, values in expected.items():
        expected_values, actual_values = _dense(values), _dense(actual[method])
        err_msg = f"{method} {what}."
        if np.issubdtype(expected_values.dtype, np.floating):
            assert_allclose(actual_values, expected_values, rtol=1e-5, atol=atol, err_msg=err_msg)
        else:
            assert_array_equal(actual_values, expected_values, err_msg=err_msg)


@contextmanager
def _assert_raises(expected, what):
    """Fail unless the block raises ``expected``, saying what happened instead."""
    try:
        yield
    except expected:
        return
    except Exception as exc:
        raise AssertionError(
            f"{what} should raise {expected.__name__}; it raised {type(exc).__name__}: {exc}"
        ) from exc
    raise AssertionError(f"{what} should raise {expected.__name__}; it raised nothing.")


def _fitted(estimator_orig, X=None, y=None):
    """A clone with a fixed random_state (when it has one), fitted on the toy data."""
    estimator = clone(estimator_orig)
    set_random_state(estimator)
    if X is None:
        X, y = _text_data()
    return _fit(estimator, X, y)


def _without_estimators(value):
    """Nested estimators replaced by their parameters: Pipeline fits its steps in place."""
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = value.get_params(deep=False)
        return type(value), {key: _without_estimators(param) for key, param in params.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_estimators(item) for item in value)
    return value


# -- API ---------------------------------------------------------------------


def check_text_fit_returns_self(name, estimator_orig):
    """Check that ``fit`` returns the estimator itself."""
    estimator = clone(estimator_orig)
    X, y = _text_data()
    assert estimator.fit(X, _targets_for(estimator, y)) is estimator, f"{name}.fit must return self."


def check_text_fit_does_not_change_params(name, estimator_orig):
    """Check that fitting keeps the parameters and adds only ``*_`` or private attributes."""
    estimator = clone(estimator_orig)
    set_random_state(estimator)
    before = {k: joblib.hash(_without_estimators(v)) for k, v in estimator.get_params().items()}
    attributes_before = set(vars(estimator))
    _fit(estimator, *_text_data())
    after = {k: joblib.hash(_without_estimators(v)) for k, v in estimator.get_params().items()}
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert not changed, f"{name}.fit changed the parameters {changed}; fit must not touch them."
    added = sorted(
        attr for attr in set(vars(estimator)) - attributes_before
        if not attr.startswith("_") and not attr.endswith("_")
    )
    assert not added, f"{name}.fit set public attributes {added} whose names do not end in '_'."


def check_text_unfitted_raises(name, estimator_orig):
    """Check that predicting or transforming before ``fit`` raises NotFittedError."""
    estimator = clone(estimator_orig)
    for method in _output_methods(estimator):
        with _assert_raises(NotFittedError, f"{name}.{method} before fit"):
            getattr(estimator, method)(_TEST_TEXTS)


def check_text_pickle(name, estimator_orig):
    """Check that a pickled and unpickled fitted estimator gives the same outputs."""
    estimator = _fitted(estimator_orig)
    expected = _outputs(estimator, _TEST_TEXTS)
    restored = pickle.loads(pickle.dumps(estimator))
    _assert_outputs_equal(expected, _outputs(restored, _TEST_TEXTS), f"of {name} changed on pickling")


def check_text_fit_idempotent(name, estimator_orig):
    """Check that fitting twice with a fixed random_state gives the same outputs."""
    estimator = clone(estimator_orig)
    set_random_state(estimator)
    X, y = _text_data()
    if _is_sampler(estimator):
        first, second = estimator.fit_resample(X, y), estimator.fit_resample(X, y)
        for part, a, b in zip(("X", "y"), first, second):
            assert_array_equal(
                np.asarray(b, dtype=object), np.asarray(a, dtype=object),
                err_msg=f"{name}.fit_resample returned another {part} when refitted.",
            )
        return
    first = _outputs(_fit(estimator, X, y), _TEST_TEXTS)
    second = _outputs(_fit(estimator, X, y), _TEST_TEXTS)
    _assert_outputs_equal(first, second, f"of {name} changed when refitted")


# -- outputs -----------------------------------------------------------------


def _assert_classifier_outputs(name, estimator, outputs, n_samples, classes):
    assert_array_equal(estimator.classes_, classes, err_msg=f"{name}.classes_ is not np.unique(y).")
    y_pred = np.asarray(outputs["predict"])
    assert y_pred.shape == (n_samples,), f"{name}.predict has shape {y_pred.shape}."
    unknown = set(y_pred.tolist()) - set(classes.tolist())
    assert not unknown, f"{name}.predict returned {sorted(map(repr, unknown))}, not in classes_."
    if classes.dtype.kind in "iu":
        assert y_pred.dtype.kind in "iu", f"{name}.predict returned {y_pred.dtype} for int labels."
    if "predict_proba" in outputs:
        proba = np.asarray(outputs["predict_proba"])
        assert proba.shape == (n_samples, len(classes)), f"{name}.predict_proba has shape {proba.shape}."
        assert np.all((proba >= 0) & (proba <= 1)), f"{name}.predict_proba is outside [0, 1]."
        assert_allclose(proba.sum(axis=1), 1, rtol=1e-5, err_msg=f"{name}.predict_proba sums are not 1.")
        assert_array_equal(
            classes[proba.argmax(axis=1)], y_pred,
            err_msg=f"{name}.predict is not the class of highest predict_proba.",
        )
    if "decision_function" in outputs:
        shape = (n_samples,) if len(classes) == 2 else (n_samples, len(classes))
        scores = np.shape(outputs["decision_function"])
        assert scores == shape, f"{name}.decision_function has shape {scores}, not {shape}."


def check_text_outputs(name, estimator_orig):
    """Check the shapes, dtypes and values of what predict, predict_proba, etc. return."""
    X, y = _text_data()
    estimator = _fitted(estimator_orig, X, y)
    outputs, n_samples = _outputs(estimator, _TEST_TEXTS), len(_TEST_TEXTS)
    if is_classifier(estimator):
        _assert_classifier_outputs(name, estimator, outputs, n_samples, np.unique(y))
    elif "predict" in outputs:
        shape = np.shape(outputs["predict"])
        assert shape[:1] == (n_samples,), f"{name}.predict has shape {shape}."
    if "transform" in outputs:
        Xt = outputs["transform"]
        assert getattr(Xt, "ndim", None) == 2 and Xt.shape[0] == n_samples, (
            f"{name}.transform must return a 2-D array of {n_samples} rows; got "
            f"{type(Xt).__name__} of shape {getattr(Xt, 'shape', None)}."
        )
        assert np.issubdtype(Xt.dtype, np.floating), f"{name}.transform returned {Xt.dtype}."
        if hasattr(estimator, "get_feature_names_out"):
            n_names = len(estimator.get_feature_names_out())
            assert n_names == Xt.shape[1], f"{name} has {n_names} names for {Xt.shape[1]} columns."
        if not get_tags(estimator).non_deterministic:
            refit = clone(estimator_orig)
            set_random_state(refit)
            _assert_outputs_equal(
                {"transform": estimator.transform(X)}, {"transform": refit.fit_transform(X, y)},
                f"of {name}: fit_transform differs from fit then transform",
            )


def check_text_classifier_classes(name, classifier_orig):
    """Check ``classes_`` and predictions for string and for integer labels."""
    X, y = _text_data()
    for labels in (y, np.where(y == "pos", 3, 1)):
        classifier = _fitted(classifier_orig, X, labels)
        outputs = _outputs(classifier, _TEST_TEXTS)
        _assert_classifier_outputs(name, classifier, outputs, len(_TEST_TEXTS), np.unique(labels))


def check_text_classifier_multiclass(name, classifier_orig):
    """Check the outputs of a classifier fitted on three classes."""
    X, y = _text_data(n_classes=3)
    classifier = _fitted(classifier_orig, X, y)
    outputs = _outputs(classifier, _TEST_TEXTS)
    _assert_classifier_outputs(name, classifier, outputs, len(_TEST_TEXTS), np.unique(y))


def check_text_sample_order_invariance(name, estimator_orig):
    """Check that predicting on a permuted batch gives the permuted outputs."""
    estimator = _fitted(estimator_orig)
    order = np.random.RandomState(0).permutation(len(_TEST_TEXTS))
    expected = {m: _dense(v)[order] for m, v in _outputs(estimator, _TEST_TEXTS).items()}
    permuted = _outputs(estimator, [_TEST_TEXTS[i] for i in order])
    _assert_outputs_equal(expected, permuted, f"of {name} depends on the order of the rows")


def check_text_batch_invariance(name, estimator_orig):
    """Check that each text predicted alone gives its row of the batch's outputs."""
    estimator = _fitted(estimator_orig)
    batch = {m: _dense(v) for m, v in _outputs(estimator, _TEST_TEXTS).items()}
    for row, text in enumerate(_TEST_TEXTS):
        alone = _outputs(estimator, [text])
        expected = {method: values[row : row + 1] for method, values in batch.items()}
        _assert_outputs_equal(expected, alone, f"of {name} for text {row} differs alone and in a batch")


# -- input -------------------------------------------------------------------


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


def _pandas():
    """pandas, or None: it is optional, and lists and arrays are checked without it."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas


def _containers():
    """Ways users pass texts: list, 1-D object array and, when installed, pandas."""
    containers = {"list": list, "ndarray": lambda X: np.asarray(X, dtype=object)}
    pd = _pandas()
    if pd is not None:
        containers["Series"] = pd.Series
        containers["DataFrame"] = lambda X: pd.DataFrame({"text": X})
    return containers


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


def _check_bad_input(name, estimator_orig, bad_inputs, error):
    """Fitting on, then predicting on, each bad input of ``bad_inputs(X)`` raises ``error``."""
    X, y = _text_data()
    for X_bad, what in bad_inputs(X):
        with _assert_raises(error, f"{name}.fit on {what}"):
            _fit(clone(estimator_orig), X_bad, y)
    if _output_methods(estimator_orig):
        estimator = _fitted(estimator_orig, X, y)
        for X_bad, what in bad_inputs(_TEST_TEXTS):
            for method in _output_methods(estimator):
                with _assert_raises(error, f"{name}.{method} on {what}"):
                    getattr(estimator, method)(X_bad)


def _replace_row(X, value):
    return list(X[:3]) + [value] + list(X[4:])


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


# -- text pairs --------------------------------------------------------------
# For estimators whose tags say ``input_tags.text_pairs``: two text columns are
# one pair per row (title and body, query and product title).


def _fitted_on_pairs(estimator_orig):
    X, y = _pair_data()
    return _fitted(estimator_orig, X, y)


def check_text_pairs_three_columns_raises(name, estimator_orig):
    """Check that three text columns raise ValueError: one or two are the only shapes."""

    def three_columns(X):
        column = np.asarray(X, dtype=object)
        yield np.column_stack([column, column, column]), "a 2-D array with three columns"

    _check_bad_input(name, estimator_orig, three_columns, ValueError)


def check_text_pairs_form_mismatch_raises(name, estimator_orig):
    """Check that a model fitted on pairs refuses single texts, and the reverse."""
    on_pairs, on_texts = _fitted_on_pairs(estimator_orig), _fitted(estimator_orig)
    for method in _output_methods(on_pairs):
        with _assert_raises(ValueError, f"{name}.{method} on single texts after fitting on pairs"):
            getattr(on_pairs, method)(_TEST_TEXTS)
        with _assert_raises(ValueError, f"{name}.{method} on pairs after fitting on single texts"):
            getattr(on_texts, method)(_TEST_PAIRS)


def check_text_pairs_order_matters(name, estimator_orig):
    """Check that (a, b) and (b, a) are different inputs: swapping the texts changes outputs."""
    estimator = _fitted_on_pairs(estimator_orig)
    swapped = [(b, a) for a, b in _TEST_PAIRS if a]
    original = [(a, b) for a, b in _TEST_PAIRS if a]
    for method in _output_methods(estimator):
        values, values_swapped = (_dense(getattr(estimator, method)(X)) for X in (original, swapped))
        if values.dtype.kind == "f":
            assert not np.allclose(values, values_swapped, rtol=0, atol=1e-7), (
                f"{name}.{method} gives the same outputs for (a, b) and (b, a)."
            )


def check_text_pairs_pickle(name, estimator_orig):
    """Check that an estimator fitted on pairs gives the same outputs after pickling."""
    estimator = _fitted_on_pairs(estimator_orig)
    expected = _outputs(estimator, _TEST_PAIRS)
    restored = pickle.loads(pickle.dumps(estimator))
    _assert_outputs_equal(expected, _outputs(restored, _TEST_PAIRS), f"of {name} on pairs changed on pickling")


def check_text_pairs_batch_invariance(name, estimator_orig):
    """Check that each pair predicted alone gives its row of the batch's outputs."""
    estimator = _fitted_on_pairs(estimator_orig)
    batch = {m: _dense(v) for m, v in _outputs(estimator, _TEST_PAIRS).items()}
    for row, pair in enumerate(_TEST_PAIRS):
        expected = {method: values[row : row + 1] for method, values in batch.items()}
        _assert_outputs_equal(
            expected, _outputs(estimator, [pair]), f"of {name} for pair {row} differs alone and in a batch"
        )


def check_text_pairs_empty_fields(name, estimator_orig):
    """Check that an empty text on either side of a pair is valid, in fit and predict."""
    X, y = _pair_data()
    X = [("", text) if i % 3 == 0 else (title, "" if i % 3 == 1 else text)
         for i, (title, text) in enumerate(X)]
    estimator = _fitted(estimator_orig, X, y)
    empty = [("", ""), ("", "love it"), ("Love it", "")]
    for method, values in _outputs(estimator, empty).items():
        values = _dense(values)
        assert values.shape[0] == len(empty), f"{name}.{method} dropped or added rows."
        if np.issubdtype(values.dtype, np.number):
            assert np.all(np.isfinite(values)), f"{name}.{method} is not finite on empty fields."


# -- samplers ----------------------------------------------------------------


def check_text_sampler_fit_resample(name, sampler_orig):
    """Check what fit_resample returns: as many texts as labels, in the given containers.

    The texts must be strings and the labels must all be labels of the input.
    """
    X, y = _imbalanced_text_data()
    for container_name, container in _containers().items():
        sampler, X_given = clone(sampler_orig), container(X)
        set_random_state(sampler)
        X_res, y_res = sampler.fit_resample(X_given, y)
        for given, returned in ((X_given, X_res), (y, y_res)):
            assert type(returned) is type(given), (
                f"{name}.fit_resample returned {type(returned).__name__} for "
                f"{type(given).__name__} input."
            )
        texts = np.asarray(X_res, dtype=object).reshape(-1)
        assert len(texts) == len(y_res), (
            f"{name}.fit_resample returned {len(texts)} texts, {len(y_res)} labels."
        )
        assert all(isinstance(text, str) for text in texts), f"{name} returned non-string texts."
        unknown = set(np.asarray(y_res).tolist()) - set(y.tolist())
        assert not unknown, f"{name}.fit_resample returned labels {sorted(unknown)} not in y."


def _imbalanced_text_data():
    """All positive rows and 4 negative ones, so that a sampler has work to do."""
    X, y = _text_data()
    keep = np.flatnonzero(y == "pos").tolist() + np.flatnonzero(y == "neg")[:4].tolist()
    return [X[i] for i in keep], y[keep]


def check_text_sampler_strategy_counts(name, sampler_orig):
    """Check that the class counts after resampling follow ``sampling_strategy_``.

    Over-samplers add ``sampling_strategy_[c]`` rows to class ``c``, under-samplers
    keep that many, cleaning samplers only remove rows of the classes it names;
    other classes keep their count.
    """
    X, y = _imbalanced_text_data()
    sampler = clone(sampler_orig)
    set_random_state(sampler)
    _, y_res = sampler.fit_resample(X, y)
    before, after = Counter(y.tolist()), Counter(np.asarray(y_res).tolist())
    kind, strategy = sampler._sampling_type, sampler.sampling_strategy_
    if kind == "bypass":  # the strategy is a wrapped sampler's, not checkable here
        return
    for label, count in before.items():
        if label not in strategy:
            expected = count
        elif kind == "over-sampling":
            expected = count + strategy[label]
        elif kind == "under-sampling":
            expected = strategy[label]
        else:  # clean-sampling removes an unknown number of rows
            assert after[label] <= count, f"{name} (cleaning) added rows of class {label!r}."
            continue
        assert after[label] == expected, (
            f"{name} left {after[label]} rows of class {label!r}; with "
            f"sampling_strategy_={strategy} it should leave {expected}."
        )


def check_text_sampler_sample_indices(name, sampler_orig):
    """Check that ``sample_indices_`` points at the input row of every kept or copied row.

    A sampler whose tags declare ``sample_indices`` must set it; rows it maps must
    carry their source's label, and their source's text unless they are generated
    (``augmented_mask_`` True).
    """
    X, y = _imbalanced_text_data()
    sampler = clone(sampler_orig)
    set_random_state(sampler)
    X_res, y_res = sampler.fit_resample(X, y)
    sampler_tags = getattr(get_tags(sampler), "sampler_tags", None)
    if sampler_tags is None or not sampler_tags.sample_indices:
        return
    indices = np.asarray(sampler.sample_indices_)
    assert len(indices) == len(y_res), (
        f"{name}.sample_indices_ has {len(indices)} entries for {len(y_res)} rows."
    )
    generated = np.asarray(getattr(sampler, "augmented_mask_", np.zeros(len(indices), bool)))
    texts = np.asarray(X_res, dtype=object).reshape(-1)
    for row, source in enumerate(indices):
        assert np.asarray(y_res)[row] == y[source], (
            f"{name}: row {row} has label {np.asarray(y_res)[row]!r} but its source row "
            f"{source} has {y[source]!r}; samplers must not change labels."
        )
        if not generated[row]:
            assert texts[row] == X[source], (
                f"{name}: row {row} should be a copy of input row {source}."
            )


# -- reliability: input that must never pass silently -----------------------


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


# -- running the checks ------------------------------------------------------

_SKLEARN_API_CHECKS = (
    check_estimator_tags_renamed,
    check_valid_tag_types,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_do_not_raise_errors_in_init_or_set_params,
    check_mixin_order,
    check_get_params_invariance,
    check_set_params,
    check_parameters_default_constructible,
)
_CHECK_NAMES = {"check_estimator_cloneable"} | {check.__name__ for check in _SKLEARN_API_CHECKS}
_CHECK_NAMES |= {name for name in __all__ if name.startswith("check_text_")}


def _yield_checks(estimator):
    """The checks that apply to ``estimator``, chosen by its type and tags."""
    tags = get_tags(estimator)
    classifier, sampler = is_classifier(estimator), _is_sampler(estimator)
    deterministic = not tags.non_deterministic
    yield check_estimator_cloneable  # first: every other check clones
    yield from _SKLEARN_API_CHECKS
    yield from (
        check_text_fit_returns_self,
        check_text_fit_does_not_change_params,
        check_text_input_not_modified,
        check_text_unusual_text,
        check_text_missing_raises,
        check_text_non_string_raises,
        check_text_empty_input_raises,
        check_text_lone_surrogate_raises,
    )
    if accepts_text_pairs(estimator):
        yield check_text_pairs_three_columns_raises
        if _output_methods(estimator):
            yield from (
                check_text_pairs_form_mismatch_raises,
                check_text_pairs_pickle,
                check_text_pairs_empty_fields,
            )
            if deterministic:
                yield from (check_text_pairs_order_matters, check_text_pairs_batch_invariance)
    else:
        yield check_text_two_columns_raises
    if classifier or sampler or tags.target_tags.required:
        yield check_text_length_mismatch_raises
        yield check_text_missing_label_raises
    if has_fit_parameter(estimator, "sample_weight"):
        yield check_text_negative_sample_weight_raises
    if deterministic:
        yield check_text_fit_idempotent
    if _output_methods(estimator):
        if tags.requires_fit:
            yield check_text_unfitted_raises
        yield from (check_text_outputs, check_text_input_containers, check_text_pickle)
        if deterministic:
            yield from (check_text_sample_order_invariance, check_text_batch_invariance)
    if classifier:
        yield from (
            check_text_classifier_classes,
            check_text_classifier_one_sample,
            check_text_classifier_one_label,
        )
        if tags.classifier_tags is None or tags.classifier_tags.multi_class:
            yield check_text_classifier_multiclass
    if sampler:  # imbalanced-learn style: fit_resample(X, y) -> X_res, y_res
        yield check_text_sampler_fit_resample
        yield check_text_sampler_strategy_counts
        yield check_text_sampler_sample_indices


def _checks(estimator):
    name = type(estimator).__name__
    return [partial(check, name) for check in _yield_checks(estimator)]


def _expected_failures(estimator, expected_failed_checks):
    if callable(expected_failed_checks):
        expected_failed_checks = expected_failed_checks(estimator)
    expected_failed_checks = dict(expected_failed_checks or {})
    unknown = sorted(set(expected_failed_checks) - _CHECK_NAMES)
    if unknown:
        raise ValueError(
            f"expected_failed_checks names unknown checks {unknown}; the checks are the "
            f"check_* functions of {__name__}."
        )
    return expected_failed_checks


def _check_id(obj):
    """sklearn's test id, with absolute paths (temporary model folders) elided."""
    test_id = _get_check_estimator_ids(obj)
    if test_id is None or not hasattr(obj, "get_params"):
        return test_id
    # Temporary paths differ between runs and pytest-xdist workers; ids must not.
    return re.sub(r"""(['"])(?:/|[A-Za-z]:[\\/]).*?\1""", "...", test_id)


def check_estimator(estimator, *, expected_failed_checks=None, on_fail="raise"):
    """Run every text-aware check that applies to an estimator.

    Parameters
    ----------
    estimator : estimator instance
        The text estimator or pipeline to check; it is cloned by each check.
    expected_failed_checks : dict or callable, default=None
        ``{check_name: reason}`` of checks expected to fail, or a callable that
        returns such a dict for ``estimator``. Their failures are reported with
        status ``"xfail"`` and never raised.
    on_fail : {"raise", "warn"} or None, default="raise"
        On an unexpected failure: raise its exception at once, issue an
        :class:`~sklearn.exceptions.EstimatorCheckFailedWarning` and go on, or
        only record it.

    Returns
    -------
    results : list of dict
        One dict per check, with keys ``estimator``, ``check_name``,
        ``exception``, ``status`` (``"passed"``, ``"failed"``, ``"xfail"`` or
        ``"skipped"``), ``expected_to_fail`` and ``expected_to_fail_reason``.

    See Also
    --------
    parametrize_with_checks : The same checks as pytest test cases.

    Examples
    --------
    TfidfVectorizer reads texts with ``str`` methods, so bad items raise
    AttributeError rather than ValueError or TypeError, it accepts lone
    surrogates and it reads a DataFrame as its column names; LogisticRegression
    fails to sort a None label (TypeError). A plain TF-IDF pipeline fails those
    checks:

    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec.utils.estimator_checks import check_estimator
    >>> pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    >>> results = check_estimator(pipe, on_fail=None)
    >>> failed = [result["check_name"] for result in results if result["status"] == "failed"]
    >>> for check_name in failed:
    ...     print(check_name)
    check_text_missing_raises
    check_text_non_string_raises
    check_text_lone_surrogate_raises
    check_text_two_columns_raises
    check_text_missing_label_raises
    check_text_input_containers

    Declared as expected failures, they are reported as ``"xfail"``:

    >>> expected = dict.fromkeys(failed, "TfidfVectorizer does not validate its texts")
    >>> results = check_estimator(pipe, expected_failed_checks=expected)
    >>> sorted({result["status"] for result in results})
    ['passed', 'xfail']
    """
    if isinstance(estimator, type):
        raise TypeError(f"Pass an estimator instance, not the class {estimator.__name__}.")
    if on_fail not in ("raise", "warn", None):
        raise ValueError(f"on_fail must be 'raise', 'warn' or None; got {on_fail!r}.")
    expected = _expected_failures(estimator, expected_failed_checks)
    results = []
    for check in _checks(estimator):
        check_name = check.func.__name__
        reason = expected.get(check_name)
        exception = None
        try:
            check(estimator)
            status = "passed"
        except SkipTest as exc:
            exception, status = exc, "skipped"
        except Exception as exc:
            if on_fail == "raise" and reason is None:
                raise
            exception, status = exc, ("failed" if reason is None else "xfail")
        result = {
            "estimator": estimator,
            "check_name": check_name,
            "exception": exception,
            "status": status,
            "expected_to_fail": reason is not None,
            "expected_to_fail_reason": reason or "Check is not expected to fail",
        }
        if on_fail == "warn" and status == "failed":
            warnings.warn(EstimatorCheckFailedWarning(**result))
        results.append(result)
    return results


def parametrize_with_checks(estimators, *, expected_failed_checks=None):
    """Pytest decorator that makes one test case per estimator and text check.

    Each case gets ``estimator`` and ``check`` (a ``functools.partial`` of a
    check function and the estimator's class name) and must call
    ``check(estimator)``. Ids read ``<estimator repr>-<check name>``, with
    absolute paths shown as ``...``, so ``pytest -k check_text_pickle`` works.

    Parameters
    ----------
    estimators : list of estimator instances
        Estimators or pipelines to check.
    expected_failed_checks : dict or callable, default=None
        ``{check_name: reason}`` for every estimator, or a callable that
        returns such a dict for a given estimator; those cases are marked
        ``xfail``.

    Returns
    -------
    decorator : pytest.mark.parametrize
        Parametrizes ``"estimator, check"``.

    See Also
    --------
    check_estimator : Run the same checks without pytest.

    Examples
    --------
    >>> from imblearn.pipeline import make_pipeline
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec.utils.estimator_checks import parametrize_with_checks
    >>> @parametrize_with_checks(
    ...     [make_pipeline(TfidfVectorizer(), LogisticRegression())],
    ...     expected_failed_checks={"check_text_missing_raises": "AttributeError on None"},
    ... )
    ... def test_text_estimator(estimator, check):
    ...     check(estimator)
    """
    import pytest

    if any(isinstance(estimator, type) for estimator in estimators):
        raise TypeError("Pass estimator instances, not classes.")
    cases = []
    for estimator in estimators:
        expected = _expected_failures(estimator, expected_failed_checks)
        for check in _checks(estimator):
            reason = expected.get(check.func.__name__)
            marks = [pytest.mark.xfail(reason=reason)] if reason is not None else []
            cases.append(pytest.param(estimator, check, marks=marks))
    return pytest.mark.parametrize("estimator, check", cases, ids=_check_id)
