"""Targets to heads: label columns, per-task losses, the ESMM chain, and back to outputs.

A fitted estimator keeps its head layout as a list of head widths in
``_head_widths``; head ``i`` owns the output columns ``output_slices(widths)[i]``.
"""

import numpy as np
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ..utils._validation import as_float_array

LOSSES = ("cross_entropy", "focal", "class_balanced", "logit_adjusted")
REGRESSION_LOSSES = ("mse", "huber")


def output_slices(widths):
    """The column slice of each head in the concatenated outputs."""
    ends = np.cumsum(widths)
    return [slice(int(end - width), int(end)) for end, width in zip(ends, widths)]


def softmax(logits):
    logits = logits - logits.max(axis=1, keepdims=True)
    proba = np.exp(logits)
    return proba / proba.sum(axis=1, keepdims=True)


def sigmoid(logits):
    return 1.0 / (1.0 + np.exp(-logits))


def label_columns(y, input_name):
    """Labels as a list of 1-D columns (each keeping its own dtype), and whether y is 2-D.

    A 2-D ``y`` with one column is 1-D, with scikit-learn's DataConversionWarning.
    """
    from sklearn.utils.validation import column_or_1d

    if hasattr(y, "iloc") and hasattr(y, "columns"):  # DataFrame
        columns = [y.iloc[:, j].to_numpy() for j in range(y.shape[1])]
    else:
        if isinstance(y, str) or not hasattr(y, "__len__"):
            raise TypeError(
                f"{input_name} must be array-like labels; got {type(y).__name__} {y!r:.40}."
            )
        array = y if isinstance(y, np.ndarray) else np.asarray(y, dtype=object)
        if array.ndim == 1:
            return [np.asarray(y)], False
        if array.ndim != 2:
            raise ValueError(
                f"{input_name} must be 1-D labels or a 2-D table of label columns; got "
                f"shape {array.shape}."
            )
        # Each column of a list of rows gets its own dtype back (ints stay ints).
        columns = [np.asarray(array[:, j].tolist()) for j in range(array.shape[1])]
    if not columns:
        raise ValueError(f"{input_name} has no columns.")
    if len(columns) == 1:
        return [column_or_1d(np.column_stack(columns), warn=True)], False
    return columns, True


def encode_classification_columns(columns, input_name):
    """``(classes per column, integer codes of shape (n, k))``; every column needs 2 classes."""
    classes, codes = [], []
    for j, column in enumerate(columns):
        where = input_name if len(columns) == 1 else f"{input_name} column {j}"
        check_classification_targets(column)
        column_classes, column_codes = np.unique(column, return_inverse=True)
        if len(column_classes) < 2:
            raise ValueError(
                f"{where} needs samples of at least 2 classes; got only class "
                f"{column_classes[0]!r}."
            )
        classes.append(column_classes)
        codes.append(column_codes.reshape(-1))
    return classes, np.column_stack(codes).astype(np.int64)


def encode_with_fitted_classes(columns, fitted, input_name, estimator_name):
    """Integer codes of shape (n, k) in the classes of a fitted model (a ``warm_start`` fit).

    The columns must be as many as when fitted, and hold only fitted classes;
    a column may lack some of them (a week without a rare label).
    """
    if len(columns) != len(fitted):
        raise ValueError(
            f"{input_name} has {len(columns)} column(s); {estimator_name} was fitted with "
            f"{len(fitted)}. A warm_start fit trains the fitted heads: give the same columns, "
            "or fit with warm_start=False."
        )
    codes = []
    for j, (column, classes) in enumerate(zip(columns, fitted)):
        where = input_name if len(columns) == 1 else f"{input_name} column {j}"
        check_classification_targets(column)
        column_classes, column_codes = np.unique(column, return_inverse=True)
        known = set(classes.tolist())
        unknown = [label for label in column_classes.tolist() if label not in known]
        if unknown:
            raise ValueError(
                f"{where} holds classes {unknown} that {estimator_name} was not fitted on (its "
                f"classes are {classes.tolist()}). A warm_start fit continues the fitted heads, "
                "whose classes are fixed; fit with warm_start=False to learn new classes."
            )
        codes.append(np.searchsorted(classes, column_classes)[column_codes.reshape(-1)])
    return np.column_stack(codes).astype(np.int64)


def per_task(value, n_tasks, name, options=None):
    """A parameter given once for every task, or as a list of one value per task.

    With ``options``, every entry of a list must be one of them.
    """
    if isinstance(value, (list, tuple)):
        if len(value) != n_tasks:
            raise ValueError(
                f"The '{name}' parameter has {len(value)} entries for {n_tasks} columns of y; "
                "give one value for all columns or one per column."
            )
        unknown = [entry for entry in value if options is not None and entry not in options]
        if unknown:
            raise ValueError(
                f"The '{name}' parameter has the entry {unknown[0]!r}; each must be one of "
                f"{sorted(options)}."
            )
        return list(value)
    return [value] * n_tasks


def class_weight_vector(class_weight, classes, codes, name="class_weight"):
    """Weights of ``classes`` from None, "balanced" or a ``{class: weight}`` dict."""
    if class_weight is None:
        return np.ones(len(classes))
    if isinstance(class_weight, dict):
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"The '{name}' parameter names classes {sorted(unknown, key=str)} that are "
                f"not in y; the classes are {classes.tolist()}."
            )
        weights = np.asarray(list(class_weight.values()), dtype=np.float64)
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError(
                f"The '{name}' parameter must give finite, non-negative weights; got {class_weight}."
            )
    elif class_weight != "balanced":
        raise ValueError(
            f"The '{name}' parameter must be None, 'balanced' or a dict of class weights; "
            f"got {class_weight!r}."
        )
    return compute_class_weight(class_weight, classes=classes, y=classes[codes])


def task_weight_vector(task_weights, n_tasks):
    """One non-negative weight per task (None: all 1), not all 0."""
    if task_weights is None:
        return np.ones(n_tasks)
    weights = as_float_array(task_weights, input_name="task_weights").reshape(-1)
    if len(weights) != n_tasks:
        raise ValueError(
            f"The 'task_weights' parameter has {len(weights)} entries for {n_tasks} tasks "
            "(the columns of y, then those of auxiliary_targets)."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or not np.any(weights > 0):
        raise ValueError(
            f"The 'task_weights' parameter must be finite, non-negative and not all 0; got "
            f"{weights.tolist()}."
        )
    return weights


def check_esmm_columns(columns):
    """The two ESMM columns as 0/1 codes: (clicked, purchased), purchased implying clicked."""
    if len(columns) != 2:
        raise ValueError(
            f"multi_output='esmm' needs y with 2 columns (clicked, purchased); got "
            f"{len(columns)} column(s)."
        )
    codes = []
    for name, column in zip(("clicked", "purchased"), columns):
        values = set(np.unique(column).tolist())
        if not values <= {0, 1} or type_of_target(column) not in ("binary", "multiclass"):
            raise ValueError(
                f"multi_output='esmm' needs 0/1 (or boolean) labels; the {name} column holds "
                f"{sorted(values, key=str)[:5]}."
            )
        if values != {0, 1}:
            raise ValueError(f"The {name} column of y needs both 0 and 1 labels.")
        codes.append(np.asarray(column).astype(np.int64))
    codes = np.column_stack(codes)
    contradictions = np.flatnonzero((codes[:, 1] == 1) & (codes[:, 0] == 0))
    if len(contradictions):
        raise ValueError(
            f"y has purchased=1 without clicked=1 at row {contradictions[0]} "
            f"({len(contradictions)} rows in all); in the ESMM chain a purchase implies a click."
        )
    return codes


def esmm_probabilities(logits):
    """P(click) and P(click and purchase), each as (n, 2) ``[P(0), P(1)]`` columns."""
    p_click = sigmoid(logits[:, 0])
    p_click_and_purchase = p_click * sigmoid(logits[:, 1])
    return [np.column_stack([1 - p, p]) for p in (p_click, p_click_and_purchase)]
