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

Labels, numbers and sample weights are checked here too, so that samplers,
estimators, metrics and the CSV loader give one error per problem: a missing
label is never a class, a column of labels has one type, numbers are numbers
(not numeric strings), weights are finite and non-negative with some positive.
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
    # A set has no order (rows would not match their labels) and a dict's items are keys.
    if not hasattr(X, "__len__") or isinstance(X, (dict, set, frozenset)):
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
    if isinstance(value, (float, np.floating)):  # only floats hold NaN (an int may not fit isnan)
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


# -- labels ------------------------------------------------------------------


def _label_kind(value):
    """"str", "number" (bool and numpy numbers included) or the type's name."""
    if isinstance(value, str):
        return "str"
    if isinstance(value, (numbers.Number, np.bool_)):
        return "number"
    return type(value).__name__


def _as_label_array(y, input_name):
    if hasattr(y, "iloc"):  # pandas: NA and NaN stay missing in an object array
        return y.to_numpy(dtype=object)
    if y is None:  # scikit-learn's wording, which its estimator checks look for
        raise ValueError(f"This requires {input_name} to be passed, but the target {input_name} is None.")
    if isinstance(y, np.ndarray) or hasattr(y, "__array__"):
        return np.asarray(y)
    if isinstance(y, (str, bytes)) or not hasattr(y, "__len__"):
        raise TypeError(f"{input_name} must be an array-like of labels; got "
                        f"{_describe_container(y)}.")
    try:
        # dtype=object: a list mixing 1 and "1" must not become the strings "1", "1".
        return np.asarray(y, dtype=object)
    except ValueError:
        raise ValueError(f"{input_name} must be 1-D, or 2-D with one column per output; its "
                         "rows have different lengths.") from None


def _check_label_column(column, input_name, where):
    if set(map(type, column)) == {str}:  # the common case, without a Python loop per row
        return
    first_row = first_kind = None
    for row, value in enumerate(column):
        if _is_missing(value):
            raise ValueError(
                f"{input_name} has a missing label (None or NaN) at {where(row)}. Drop the row "
                "or give it a label: a missing label is never a class."
            )
        try:
            hash(value)
        except TypeError:
            raise TypeError(
                f"{input_name} has an unhashable label ({type(value).__name__} {value!r:.40}) at "
                f"{where(row)}; a label is a str, a number or another hashable value. Give "
                "several outputs as a 2-D array, one column per output."
            ) from None
        kind = _label_kind(value)
        if first_kind is None:
            first_row, first_kind = row, kind
        elif kind != first_kind:
            raise TypeError(
                f"{input_name} mixes label types: {where(first_row)} is a {first_kind} "
                f"({column[first_row]!r:.40}) but {where(row)} is a {kind} ({value!r:.40}). "
                "Give the labels one type, e.g. all str or all int."
            )


def check_label_values(y, *, input_name="y"):
    """Reject missing labels and labels of mixed types, naming the first bad row.

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels: one column, or one column per output (each checked alone).
    input_name : str, default="y"
        Name used in error messages.

    Raises
    ------
    ValueError
        For a missing label (None, NaN, pandas' NA or NaT), naming its row
        (and column when 2-D), and for input that is not 1-D or 2-D.
    TypeError
        For a column that mixes types (e.g. ``1`` and ``"1"``, or strings and
        floats), naming the first row whose type differs from the first row's
        (numbers of any type, bool, int or float, count as one type), and for
        an unhashable label such as a list.

    Examples
    --------
    >>> from sk_textrec.utils import check_label_values
    >>> check_label_values(["pos", "neg"])
    >>> check_label_values(["pos", None])
    Traceback (most recent call last):
        ...
    ValueError: y has a missing label (None or NaN) at row 1. ...
    """
    if hasattr(y, "toarray"):  # scipy sparse (multilabel indicators): only NaN can be wrong
        labels = np.asarray(y.data)
    else:
        labels = _as_label_array(y, input_name)
    if labels.ndim not in (1, 2):
        raise ValueError(f"{input_name} must be 1-D, or 2-D with one column per output; got "
                         f"shape {labels.shape}.")
    pairs = labels.ndim == 2 and not hasattr(y, "toarray")
    if labels.dtype.kind in "fc":  # NaN is the only missing value a float array can hold
        missing = np.isnan(labels)
        if missing.any():
            index = np.argwhere(missing)[0]
            raise ValueError(
                f"{input_name} has a missing label (NaN) at {_where(index[0], index[-1], pairs)}. "
                "Drop the row or give it a label: a missing label is never a class."
            )
        return
    if labels.dtype != object:  # ints, bools and fixed-width strings hold no missing value
        return
    for column in range(labels.shape[1] if pairs else 1):
        values = labels[:, column] if pairs else labels
        _check_label_column(values, input_name, lambda row: _where(row, column, pairs))


# -- sample weights ----------------------------------------------------------


def as_float_array(values, *, input_name):
    """``values`` as a new float64 array; a value that is not a number is a TypeError naming its row.

    Strings are refused even when numpy could parse them ("1"): they are
    usually a column read as text. Missing values (None, NaN, pandas' NA)
    become NaN, for the caller to refuse or allow. numpy's own error ("could
    not convert string to float") names neither the parameter nor the row.
    """
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nesting
        array = None
    if array is not None and array.dtype.kind in "biuf":
        return np.array(array, dtype=np.float64)
    try:
        cells = np.asarray(values, dtype=object)
    except ValueError:  # ragged nesting: one cell per row
        cells = np.empty(len(values), dtype=object)
        cells[:] = list(values)
    for index, value in np.ndenumerate(cells):
        if not _is_missing(value) and not isinstance(value, (numbers.Real, np.bool_)):
            where = _where(index[0], index[-1], cells.ndim > 1) if cells.ndim else "the value"
            raise TypeError(f"{input_name} must hold numbers; {where} is {type(value).__name__} "
                            f"{value!r:.40}.")
    return np.array([np.nan if _is_missing(value) else value for value in cells.ravel()],
                    dtype=np.float64).reshape(cells.shape)


def check_sample_weight(sample_weight, n_samples, *, input_name="sample_weight"):
    """Validate sample weights; return them as a float64 array of length ``n_samples``.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,), float or None
        The weights. ``None`` weighs every sample 1; a single number weighs
        every sample by it.
    n_samples : int
        Number of samples the weights must match.
    input_name : str, default="sample_weight"
        Name used in error messages.

    Returns
    -------
    weights : ndarray of shape (n_samples,), dtype=float64
        A new array: the caller's weights are never modified.

    Raises
    ------
    ValueError
        For a shape other than ``(n_samples,)``, a missing, NaN, infinite or
        negative weight (naming the first such row), or weights that are all 0.
    TypeError
        For a weight that is not a number.

    Examples
    --------
    >>> from sk_textrec.utils import check_sample_weight
    >>> check_sample_weight(None, 3)
    array([1., 1., 1.])
    >>> check_sample_weight([1.0, -2.0], 2)
    Traceback (most recent call last):
        ...
    ValueError: sample_weight has a negative weight (-2.0) at row 1; weights must be finite and >= 0.
    """
    if sample_weight is None:
        return np.ones(n_samples)
    if isinstance(sample_weight, (numbers.Real, np.bool_)):
        sample_weight = np.full(n_samples, sample_weight, dtype=np.float64)
    weights = as_float_array(sample_weight, input_name=input_name)
    if weights.shape != (n_samples,):
        raise ValueError(f"{input_name} must have shape ({n_samples},), one weight per sample; "
                         f"got shape {weights.shape}.")
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        value = float(weights[row])
        problem = ("a NaN (or missing) weight" if np.isnan(value) else
                   f"an infinite weight ({value})" if np.isinf(value) else f"a negative weight ({value})")
        raise ValueError(f"{input_name} has {problem} at row {row}; weights must be finite and >= 0.")
    if n_samples and not weights.any():
        raise ValueError(f"{input_name} is 0 for every sample: at least one sample needs a "
                         "positive weight.")
    return weights
