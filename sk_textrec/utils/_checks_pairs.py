"""Compliance checks of estimators that take text pairs (``input_tags.text_pairs``).

Two text columns are one pair per row (title and body, query and product title).
"""

import pickle

import numpy as np

from ._check_data import (
    _TEST_PAIRS,
    _TEST_TEXTS,
    _assert_outputs_equal,
    _assert_raises,
    _check_bad_input,
    _dense,
    _fitted,
    _fitted_on_pairs,
    _output_methods,
    _outputs,
    _pair_data,
)


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
