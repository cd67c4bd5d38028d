"""Validation of raw-text input shared by every estimator of the package.

One rule for every entry point (estimators, samplers, augmenters, the command
line): texts are Python ``str``; an empty string is a valid text; tab, newline
and carriage return are ordinary characters (9% of real reviews contain a
newline) and so are other control characters, which tokenizers treat as
whitespace or drop; a lone UTF-16 surrogate cannot be encoded by any codec or
tokenizer and is rejected with the row that holds it.

Text pairs (title + body, query + product title, question + answer) are two
columns: a 2-column DataFrame, an ``(n, 2)`` array or a list of 2-tuples.
One or two columns are the only accepted shapes.
"""

import numbers

import numpy as np


def _describe_container(X):
    return type(X).__module__ + "." + type(X).__qualname__


def _is_dataframe(X):
    return hasattr(X, "iloc") and hasattr(X, "columns")


def _as_object_array(X, input_name):
    """A list, array, pandas Series or DataFrame as a 1-D or 2-D object array."""
    if _is_dataframe(X):
        return X.to_numpy(dtype=object)
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
        return np.asarray(X, dtype=object)
    except ValueError:  # ragged nesting: keep the items, reported as non-strings
        array = np.empty(len(X), dtype=object)
        array[:] = list(X)
        return array


def _check_shape(array, X, input_name, allow_pairs):
    """1-D texts, or (n, 2) pairs where allowed; one column is the same as 1-D."""
    if array.ndim == 1:
        return array
    if array.ndim == 2 and array.shape[1] == 1:
        return array[:, 0]
    if array.ndim == 2 and array.shape[1] == 2 and allow_pairs:
        return array
    if array.ndim != 2:
        raise ValueError(f"{input_name} must be 1-D text; got an input with shape {array.shape}.")
    if _is_dataframe(X):
        got = f"a DataFrame with {array.shape[1]} columns {list(X.columns)[:5]}"
    else:
        got = f"a 2-D input with shape {array.shape}"
    if allow_pairs:
        raise ValueError(
            f"{input_name} must be one text column or two (a text pair such as title and "
            f"body); got {got}. One or two columns are the only accepted shapes."
        )
    hint = f" Select the text column, e.g. {input_name}['text']." if _is_dataframe(X) else ""
    raise ValueError(
        f"{input_name} must be 1-D text or a single column; got {got}. This estimator "
        f"takes single texts, not pairs.{hint}"
    )


def _is_missing(value):
    """None, float NaN, or pandas' NA / NaT (checked by name: pandas is optional)."""
    if value is None:
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return bool(np.isnan(value))
    return type(value).__name__ in ("NAType", "NaTType")


def _where(row, column, pairs):
    return f"row {row}, column {column}" if pairs else f"row {row}"


def _check_items(texts, input_name):
    """Every item a str: missing, bytes and other types raise, naming the row."""
    pairs = texts.ndim == 2
    for index, text in np.ndenumerate(texts):
        if isinstance(text, str):
            continue
        where = _where(index[0], index[-1], pairs)
        if _is_missing(text):
            raise ValueError(
                f"{input_name} has a missing text (None or NaN) at {where}. Fill or "
                "drop missing texts before fitting; an empty string is a valid text."
            )
        if isinstance(text, (bytes, bytearray)):
            raise TypeError(
                f"{input_name} must contain only strings; {where} is bytes {text!r:.40}. "
                "Decode it first, e.g. text.decode('utf-8')."
            )
        raise TypeError(
            f"{input_name} must contain only strings; {where} is "
            f"{type(text).__name__} {text!r:.40}."
        )


def _check_encodable(texts, input_name):
    """Reject lone surrogates ('\\ud83d' without its pair), naming the first row.

    One encode of all texts joined is a single C loop; only when it fails are
    the rows encoded one by one to find the culprit.
    """
    try:
        "".join(texts.ravel().tolist()).encode("utf-8")
        return
    except UnicodeEncodeError:
        pass
    pairs = texts.ndim == 2
    for index, text in np.ndenumerate(texts):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"{input_name} has a text that cannot be encoded at "
                f"{_where(index[0], index[-1], pairs)}: {exc.object[exc.start:exc.end]!r} at "
                f"character {exc.start} is a lone UTF-16 surrogate (half of a character, "
                "often from JSON or a wrongly decoded file). Decode the source with "
                "errors='replace' or remove it."
            ) from None


def check_text_input(X, *, input_name="X", allow_empty=False, allow_pairs=False):
    """Validate raw text and return it as an object array of ``str``.

    Parameters
    ----------
    X : list, ndarray, pandas Series or DataFrame of str
        The texts: one column (a list, 1-D array, Series, or one-column array
        or DataFrame) or, where ``allow_pairs``, two columns (a 2-column
        DataFrame, an ``(n, 2)`` array or a list of 2-tuples) read as text
        pairs. Empty strings are valid texts; tab, newline, carriage return
        and other control characters are kept as they are.
    input_name : str, default="X"
        Name used in error messages.
    allow_empty : bool, default=False
        Whether zero texts are accepted.
    allow_pairs : bool, default=False
        Whether two columns are accepted as text pairs.

    Returns
    -------
    texts : ndarray of shape (n_samples,) or (n_samples, 2), dtype=object
        The same texts, in the same order; 2-D only for text pairs.

    Raises
    ------
    ValueError
        For missing texts (None or NaN), lone UTF-16 surrogates, input with
        zero rows, or 2-D input with more columns than accepted.
    TypeError
        For items that are not strings (numbers, bytes, lists, ...).

    Examples
    --------
    >>> from sk_textrec.utils import check_text_input
    >>> check_text_input(["great dress", ""])
    array(['great dress', ''], dtype=object)
    >>> check_text_input([("Love it", "Fits well"), ("", "Too small")],
    ...                  allow_pairs=True).shape
    (2, 2)
    """
    texts = _check_shape(_as_object_array(X, input_name), X, input_name, allow_pairs)
    if texts.shape[0] == 0 and not allow_empty:
        raise ValueError(f"{input_name} is empty: at least one text is required.")
    _check_items(texts, input_name)
    _check_encodable(texts, input_name)
    return texts
