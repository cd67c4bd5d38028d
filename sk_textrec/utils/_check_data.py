"""Data and helpers of the text-aware compliance checks (see estimator_checks)."""

from contextlib import contextmanager

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_regressor

from ._sklearn_compat import set_random_state


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


def _fitted_on_pairs(estimator_orig):
    X, y = _pair_data()
    return _fitted(estimator_orig, X, y)


def _imbalanced_text_data():
    """All positive rows and 4 negative ones, so that a sampler has work to do."""
    X, y = _text_data()
    keep = np.flatnonzero(y == "pos").tolist() + np.flatnonzero(y == "neg")[:4].tolist()
    return [X[i] for i in keep], y[keep]
