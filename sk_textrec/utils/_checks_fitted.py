"""Compliance checks of fitted text estimators: API contract and outputs."""

import pickle

import joblib
import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils import get_tags

from ._check_data import (
    _TEST_TEXTS,
    _assert_outputs_equal,
    _assert_raises,
    _dense,
    _fit,
    _fitted,
    _is_sampler,
    _output_methods,
    _outputs,
    _targets_for,
    _text_data,
    _without_estimators,
)
from ._sklearn_compat import set_random_state


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
