"""Load review texts and labels from a CSV file, refusing gaps loudly."""

import csv
import os
import warnings

import numpy as np

from ..utils._sklearn_compat import StrOptions, validate_params

# How many offending rows a warning or an error lists before "...".
_MAX_ROWS_LISTED = 5


def _labels_array(labels):
    """Integers when every label is one (CSV cells are text), strings otherwise."""
    try:
        return np.array([int(label) for label in labels], dtype=np.int64)
    except ValueError:
        return np.array(labels, dtype=object)


def _column_index(header, column, name, path):
    if column not in header:
        raise ValueError(
            f"Column {column!r} (the {name!r} parameter) is not in {os.fspath(path)!r}; "
            f"its columns are {header}. Pass {name}= with one of them."
        )
    return header.index(column)


def _describe_rows(rows):
    listed = ", ".join(rows[:_MAX_ROWS_LISTED])
    return listed + (", ..." if len(rows) > _MAX_ROWS_LISTED else "")


@validate_params(
    {
        "path": [str, os.PathLike],
        "text_col": [str],
        "label_col": [str, None],
        "on_missing": [StrOptions({"raise", "drop"})],
        "delimiter": [str],
        "encoding": [str],
    },
    prefer_skip_nested_validation=True,
)
def load_reviews_csv(
    path,
    *,
    text_col="text",
    label_col="recommended_ind",
    on_missing="raise",
    delimiter=",",
    encoding="utf-8-sig",
):
    """Load texts and labels from a CSV file with a header row.

    The defaults fit the review schema of the women's clothing reviews data
    (columns ``text`` and ``recommended_ind``); any other file works by naming
    its columns. Texts are kept exactly as written (quoted multi-line texts
    included). A row whose text or label is empty or only whitespace is an
    error that names the row, unless ``on_missing="drop"``, which drops such
    rows with a warning that says how many.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    text_col : str, default="text"
        Column holding the review texts.
    label_col : str or None, default="recommended_ind"
        Column holding the labels. ``None`` loads texts only (to predict).
    on_missing : {"raise", "drop"}, default="raise"
        What to do with rows whose text or label is empty: raise a
        ``ValueError`` naming the first of them, or drop them with a
        ``UserWarning``.
    delimiter : str, default=","
        Field separator, e.g. ``"\\t"`` for TSV files.
    encoding : str, default="utf-8-sig"
        File encoding; the default reads UTF-8 with or without a byte-order mark.

    Returns
    -------
    texts : ndarray of shape (n_samples,), dtype=object
        The texts, as ``str``, in file order.
    y : ndarray of shape (n_samples,) or None
        The labels in file order: ``int64`` when every label is an integer,
        ``str`` objects otherwise (stripped of surrounding spaces). ``None``
        when ``label_col=None``.

    Raises
    ------
    ValueError
        If the file has no header, a column is missing, or (with
        ``on_missing="raise"``) a row has an empty text or label. Rows are
        numbered from 0, not counting the header; the error also gives the
        file line where the row starts.

    See Also
    --------
    make_product_reviews : Synthetic reviews with a rare negative class.

    Examples
    --------
    >>> import os, tempfile
    >>> from sk_textrec.datasets import load_reviews_csv
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "reviews.csv")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     _ = f.write('text,recommended_ind\\nLove it,1\\n"Too small, sent back",0\\n')
    >>> texts, y = load_reviews_csv(path)
    >>> texts.tolist(), y.tolist()
    (['Love it', 'Too small, sent back'], [1, 0])
    >>> folder.cleanup()
    """
    texts, labels, missing = [], [], []
    with open(path, newline="", encoding=encoding) as file:
        reader = csv.reader(file, delimiter=delimiter)
        header = next(reader, None)
        if not header:
            raise ValueError(f"{os.fspath(path)!r} is empty: a header row is required.")
        text_idx = _column_index(header, text_col, "text_col", path)
        label_idx = None
        if label_col is not None:
            label_idx = _column_index(header, label_col, "label_col", path)

        row, line = 0, reader.line_num + 1
        for record in reader:
            if not record:  # a blank line is not a row (as in csv.DictReader)
                line = reader.line_num + 1
                continue
            # Short records lack trailing cells: those are empty, hence missing.
            text = record[text_idx] if text_idx < len(record) else ""
            label = None
            empty = [text_col] if not text.strip() else []
            if label_idx is not None:
                label = record[label_idx].strip() if label_idx < len(record) else ""
                empty += [label_col] if not label else []
            if empty:
                names = " and ".join(map(repr, empty))
                missing.append(f"row {row} (line {line}) has an empty {names}")
            else:
                texts.append(text)
                labels.append(label)
            row, line = row + 1, reader.line_num + 1

    if missing and on_missing == "raise":
        raise ValueError(
            f"In {os.fspath(path)!r}, {_describe_rows(missing)}; {len(missing)} row(s) in "
            "all. Fill them, or pass on_missing='drop' to drop them with a warning."
        )
    if missing:
        warnings.warn(
            f"Dropped {len(missing)} of {row} rows of {os.fspath(path)!r} with an empty "
            f"text or label: {_describe_rows(missing)}.",
            UserWarning,
            stacklevel=3,  # past the validate_params wrapper, to the caller
        )
    if not texts:
        raise ValueError(f"{os.fspath(path)!r} has no rows with a text to load.")
    texts = np.array(texts, dtype=object)
    return texts, (None if label_col is None else _labels_array(labels))
