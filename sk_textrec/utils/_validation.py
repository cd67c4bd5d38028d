"""Validation of raw-text input shared by every estimator of the package."""

import numbers

import numpy as np


def _describe_container(X):
    return type(X).__module__ + "." + type(X).__qualname__


def _as_1d_object_array(X, input_name):
    """Turn a list, 1-D array, pandas Series or one-column DataFrame into 1-D."""
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # pandas DataFrame
        if X.shape[1] != 1:
            raise ValueError(
                f"{input_name} must hold a single text column; got a DataFrame with "
                f"{X.shape[1]} columns {list(X.columns)[:5]}. Select the text column, "
                f"e.g. {input_name}['text']."
            )
        return X.iloc[:, 0].to_numpy(dtype=object)
    if hasattr(X, "iloc"):  # pandas Series
        return X.to_numpy(dtype=object)
    if isinstance(X, str):
        raise TypeError(
            f"{input_name} must be a sequence of texts, not a single string; "
            f"wrap it in a list: [{X[:30]!r}]."
        )
    if not hasattr(X, "__len__") or isinstance(X, dict):
        raise TypeError(
            f"{input_name} must be a list, 1-D numpy array, pandas Series or one-column "
            f"DataFrame of strings; got {_describe_container(X)}."
        )
    # dtype=object keeps every item as given (no silent str() conversion);
    # nested lists of equal length become 2-D and are checked as columns.
    try:
        array = np.asarray(X, dtype=object)
    except ValueError:  # ragged nesting: keep the items, reported as non-strings
        array = np.empty(len(X), dtype=object)
        array[:] = list(X)
    return _check_one_column(array, input_name)


def _check_one_column(array, input_name):
    if array.ndim == 2:
        if array.shape[1] != 1:
            raise ValueError(
                f"{input_name} must be 1-D text or a single column; got a 2-D input "
                f"with shape {array.shape}."
            )
        array = array[:, 0]
    elif array.ndim != 1:
        raise ValueError(
            f"{input_name} must be 1-D text; got an input with shape {array.shape}."
        )
    return array


def _is_missing(value):
    """None, float NaN, or pandas' NA / NaT (checked by name: pandas is optional)."""
    if value is None:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return bool(np.isnan(value))
    return type(value).__name__ in ("NAType", "NaTType")


def check_text_input(X, *, input_name="X", allow_empty=False):
    """Validate raw text and return it as a 1-D numpy array of ``str`` objects.

    Parameters
    ----------
    X : list, ndarray, pandas Series or one-column DataFrame of str
        The texts. Empty strings are valid texts.
    input_name : str, default="X"
        Name used in error messages.
    allow_empty : bool, default=False
        Whether zero texts are accepted.

    Returns
    -------
    texts : ndarray of shape (n_samples,), dtype=object
        The same texts, in the same order.

    Raises
    ------
    ValueError
        For missing texts (None or NaN), input with zero rows, or 2-D input with
        more than one column.
    TypeError
        For items that are not strings (numbers, bytes, lists, ...).
    """
    texts = _as_1d_object_array(X, input_name)
    if texts.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{input_name} is empty: at least one text is required.")
    for row, text in enumerate(texts):
        if isinstance(text, str):
            continue
        if _is_missing(text):
            raise ValueError(
                f"{input_name} has a missing text (None or NaN) at row {row}. Fill or "
                "drop missing texts before fitting; an empty string is a valid text."
            )
        raise TypeError(
            f"{input_name} must contain only strings; row {row} is "
            f"{type(text).__name__} {text!r:.40}."
        )
    return texts
