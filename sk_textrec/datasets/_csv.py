"""Load review texts and labels from a CSV file, refusing gaps loudly."""

import codecs
import csv
import os
import warnings

import numpy as np

from ..utils._sklearn_compat import StrOptions, validate_params

# How many offending rows a warning or an error lists before "...".
_MAX_ROWS_LISTED = 5
# Columns of text, kept exactly as written; other cells are stripped.
_TEXT_PARAMETERS = ("text_col", "pair_col")
# Labels that a spreadsheet or pandas wrote for a missing value: never a class.
_MISSING_LABELS = frozenset({"nan", "NaN", "NA", "N/A", "<NA>", "NULL", "null"})


def labels_array(labels, rows, path):
    """Integers when every label is one (CSV cells are text), strings otherwise.

    ``rows`` are the ``(row, line)`` numbers of the labels (``values["rows"]``
    of :func:`iter_csv_columns`). The same number written two ways ("1" and
    "1.0") would silently become two classes, so it is an error.
    """
    try:
        return np.array([int(label) for label in labels], dtype=np.int64)
    except ValueError:
        pass
    spellings = {}
    for (row, line), label in zip(rows, labels):
        try:
            number = float(label)
        except ValueError:
            continue
        first = spellings.setdefault(number, (row, line, label))
        if first[2] != label:
            raise ValueError(
                f"In {os.fspath(path)!r}, the label {label!r} of row {row} (line {line}) is the "
                f"number {first[2]!r} of row {first[0]} (line {first[1]}) written another way; they "
                "would become two classes. Write each label one way."
            )
    return np.array(labels, dtype=object)


def _column_index(header, column, name, path):
    if column not in header:
        raise ValueError(
            f"Column {column!r} (the {name!r} parameter) is not in {os.fspath(path)!r}; "
            f"its columns are {header}. Pass {name}= with one of them."
        )
    if header.count(column) > 1:
        raise ValueError(f"Column {column!r} (the {name!r} parameter) appears {header.count(column)} "
                         f"times in the header of {os.fspath(path)!r}; column names must be unique.")
    return header.index(column)


def describe_rows(rows):
    listed = ", ".join(rows[:_MAX_ROWS_LISTED])
    return listed + (", ..." if len(rows) > _MAX_ROWS_LISTED else "")


def _check_columns_and_encoding(columns, encoding):
    """Two parameters naming one column, or an encoding Python does not know, are errors."""
    named = {}
    for name, column in columns.items():
        if column in named:
            raise ValueError(f"The {named[column]!r} and {name!r} parameters name the same column "
                             f"{column!r}; each must name a column of its own.")
        named[column] = name
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ValueError(f"The 'encoding' parameter {encoding!r} is not an encoding Python knows, "
                         "e.g. 'utf-8', 'latin-1', 'cp1252', 'gb18030', 'utf-16'.") from None


def _decoding_error(path, encoding, exc):
    """A ValueError naming the file, the line of the first undecodable byte and a fix."""
    with open(path, "rb") as file:
        data = file.read()
    try:
        data.decode(encoding)
        position = exc.start  # unreachable unless the file changed: the stream's offset
    except UnicodeDecodeError as whole:
        position = whole.start
    line = data.count(b"\n", 0, position) + 1
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        hint = "It starts with a UTF-16 byte-order mark: pass encoding='utf-16'."
    else:
        hint = ("Pass the file's encoding, e.g. encoding='latin-1' or 'cp1252' (Western European "
                "files from Excel), 'gb18030' (Chinese) or 'utf-16'.")
    return ValueError(
        f"{os.fspath(path)!r} is not {encoding!r} text: the byte {data[position:position + 1]!r} on "
        f"line {line} cannot be decoded. {hint}"
    )


def _problems(cells, columns, required):
    """What makes a row unusable: "an empty 'text'", "a missing 'label' ('NA')"."""
    problems = []
    for name in required:
        cell = cells.get(name)
        if cell is None:
            continue
        if not cell.strip():
            problems.append(f"an empty {columns[name]!r}")
        elif name == "label_col" and cell in _MISSING_LABELS:
            problems.append(f"a missing {columns[name]!r} ({cell!r})")
    return problems


def iter_csv_columns(path, columns, *, required=(), chunk_rows=None, delimiter=",",
                     encoding="utf-8-sig"):
    """Read named columns of a CSV file with a header row, ``chunk_rows`` rows at a time.

    The one reader of the loader and the command line, so that both report a
    missing column, an empty cell or a file in another encoding in the same words.

    Parameters
    ----------
    path : str or path-like
    columns : dict
        Parameter name (``"text_col"``) to column name; ``None`` columns are not read.
    required : tuple of str
        Parameters whose cells may not be empty or only whitespace; a required
        ``"label_col"`` may not be a missing-value marker (``nan``, ``NA``, ...) either.
    chunk_rows : int or None
        Rows per chunk; ``None`` reads the whole file as one chunk.
    delimiter, encoding : str

    Yields
    ------
    values : dict
        Parameter name to the list of its cells, for the rows with no empty or
        missing required cell, and ``"rows"`` to their ``(row, line)`` numbers.
        Text columns (``*text_col``, ``pair_col``) are kept as written, others
        are stripped of surrounding spaces.
    missing : list of str
        The other rows of the chunk, described as "row 3 (line 5) has an empty 'text'".
    n_rows : int
        Rows read so far (blank lines are not rows).

    Raises
    ------
    ValueError
        A column missing from the header or in it twice, two parameters naming
        one column, an unknown encoding, a file that is not in ``encoding``
        (naming the line of the first undecodable byte) or that csv cannot read.
    """
    columns = {name: column for name, column in columns.items() if column is not None}
    _check_columns_and_encoding(columns, encoding)
    try:
        yield from _read_chunks(path, columns, required, chunk_rows, delimiter, encoding)
    except UnicodeDecodeError as exc:
        raise _decoding_error(path, encoding, exc) from exc


def _read_chunks(path, columns, required, chunk_rows, delimiter, encoding):
    with open(path, newline="", encoding=encoding) as file:
        reader = csv.reader(file, delimiter=delimiter)
        try:
            header = next(reader, None)
            if not header:
                raise ValueError(f"{os.fspath(path)!r} is empty: a header row is required.")
            index = {name: _column_index(header, column, name, path)
                     for name, column in columns.items()}
            values, missing = {name: [] for name in [*columns, "rows"]}, []
            row, line = 0, reader.line_num + 1
            for record in reader:
                if not record:  # a blank line is not a row (as in csv.DictReader)
                    line = reader.line_num + 1
                    continue
                # Short records lack trailing cells: those are empty.
                cells = {name: record[i] if i < len(record) else "" for name, i in index.items()}
                cells = {name: cell if name in _TEXT_PARAMETERS else cell.strip()
                         for name, cell in cells.items()}
                problems = _problems(cells, columns, required)
                if problems:
                    missing.append(f"row {row} (line {line}) has {' and '.join(problems)}")
                else:
                    for name, cell in cells.items():
                        values[name].append(cell)
                    values["rows"].append((row, line))
                row, line = row + 1, reader.line_num + 1
                if chunk_rows is not None and row % chunk_rows == 0:
                    yield values, missing, row
                    values, missing = {name: [] for name in [*columns, "rows"]}, []
        except csv.Error as exc:  # NUL bytes, a field over csv's size limit, ...
            raise ValueError(f"{os.fspath(path)!r} is not a readable CSV file at line "
                             f"{reader.line_num}: {exc}.") from exc
        if chunk_rows is None or row % chunk_rows or row == 0:
            yield values, missing, row


@validate_params(
    {
        "path": [str, os.PathLike],
        "text_col": [str],
        "label_col": [str, None],
        "pair_col": [str, None],
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
    pair_col=None,
    on_missing="raise",
    delimiter=",",
    encoding="utf-8-sig",
):
    """Load texts and labels from a CSV file with a header row.

    The defaults fit the review schema of the women's clothing reviews data
    (columns ``text`` and ``recommended_ind``); any other file works by naming
    its columns. Texts are kept exactly as written (quoted multi-line texts
    included). A row whose text or label is empty or only whitespace, or
    whose label is a missing-value marker (``nan``, ``NaN``, ``NA``, ``N/A``,
    ``<NA>``, ``NULL``, ``null``: what pandas or a spreadsheet writes for a
    missing value), is an error that names the row, unless
    ``on_missing="drop"``, which drops such rows with a warning that says how
    many. A missing label is never a class.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    text_col : str, default="text"
        Column holding the review texts.
    label_col : str or None, default="recommended_ind"
        Column holding the labels. ``None`` loads texts only (to predict).
    pair_col : str or None, default=None
        Column holding the first text of a text pair (a title beside the
        review body, a query beside a product title); its cells may be empty.
        ``texts`` is then ``(n_samples, 2)``: this column, then ``text_col``.
    on_missing : {"raise", "drop"}, default="raise"
        What to do with rows whose text or label is empty or missing: raise a
        ``ValueError`` naming the first of them, or drop them with a
        ``UserWarning``.
    delimiter : str, default=","
        Field separator, e.g. ``"\\t"`` for TSV files.
    encoding : str, default="utf-8-sig"
        File encoding; the default reads UTF-8 with or without a byte-order
        mark. A file in another encoding is a ValueError that names the file
        and the line of the first byte that cannot be decoded.

    Returns
    -------
    texts : ndarray of shape (n_samples,) or (n_samples, 2), dtype=object
        The texts, as ``str``, in file order; with ``pair_col``, the pairs.
    y : ndarray of shape (n_samples,) or None
        The labels in file order: ``int64`` when every label is an integer,
        ``str`` objects otherwise (stripped of surrounding spaces). ``None``
        when ``label_col=None``.

    Raises
    ------
    ValueError
        If the file has no header, a column is missing or appears twice, two
        of ``text_col``, ``label_col`` and ``pair_col`` are the same column,
        the file is not in ``encoding`` or not readable as CSV, a label is the
        same number written two ways (``1`` and ``1.0``), or (with
        ``on_missing="raise"``) a row has an empty text or an empty or missing
        label. Rows are numbered from 0, not counting the header; the error
        also gives the file line where the row starts.

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
    columns = {"text_col": text_col, "label_col": label_col, "pair_col": pair_col}
    [(values, missing, n_rows)] = iter_csv_columns(
        path, columns, required=("text_col", "label_col"), delimiter=delimiter, encoding=encoding
    )
    if missing and on_missing == "raise":
        raise ValueError(
            f"In {os.fspath(path)!r}, {describe_rows(missing)}; {len(missing)} row(s) in "
            "all. Fill them, or pass on_missing='drop' to drop them with a warning."
        )
    if missing:
        warnings.warn(
            f"Dropped {len(missing)} of {n_rows} rows of {os.fspath(path)!r} with an empty "
            f"text or an empty or missing label: {describe_rows(missing)}.",
            UserWarning,
            stacklevel=3,  # past the validate_params wrapper, to the caller
        )
    if not values["text_col"]:
        raise ValueError(f"{os.fspath(path)!r} has no rows with a text to load.")
    texts = np.array(values["text_col"], dtype=object)
    if pair_col is not None:
        texts = np.column_stack([np.array(values["pair_col"], dtype=object), texts])
    if label_col is None:
        return texts, None
    return texts, labels_array(values["label_col"], values["rows"], path)
