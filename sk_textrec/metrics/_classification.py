"""Classification under imbalance: one report of the measures that matter, and calibration.

What scikit-learn and imbalanced-learn already compute (precision, recall,
F1, balanced accuracy, G-mean, average precision, ROC-AUC) is computed by
them; this module puts it in one report and adds the expected calibration
error.
"""

import warnings
from numbers import Integral

import numpy as np
from imblearn.metrics import geometric_mean_score
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    precision_recall_fscore_support,
    roc_auc_score,
)
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils.multiclass import unique_labels
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ..utils._sklearn_compat import Interval, StrOptions, _check_pos_label_consistency, validate_params
from ..utils._validation import as_float_array, check_label_values, check_sample_weight
from ._text_table import format_table


def check_targets(*arrays):
    """``(name, labels)`` pairs as 1-D arrays of one length, each non-empty, without missing labels.

    One error per problem for every metric that takes labels: missing or
    mixed-type labels name the row (:func:`~sk_textrec.utils.check_label_values`),
    and empty input says so rather than failing later on the weights.
    """
    checked = []
    for name, values in arrays:
        check_label_values(values, input_name=name)
        values = column_or_1d(values)
        if values.shape[0] == 0:
            raise ValueError(f"{name} is empty: a metric needs at least one sample.")
        checked.append(values)
    check_consistent_length(*checked)
    return checked


def _bin_edges(confidence, n_bins, strategy):
    # The same edges as sklearn.calibration.calibration_curve.
    if strategy == "quantile":
        return np.percentile(confidence, np.linspace(0, 100, n_bins + 1))
    return np.linspace(0.0, 1.0, n_bins + 1)


def _calibration_gap(confidence, outcome, weight, n_bins, strategy):
    """Weighted mean over bins of |mean outcome - mean confidence|."""
    bins = np.searchsorted(_bin_edges(confidence, n_bins, strategy)[1:-1], confidence)
    bin_weight = np.bincount(bins, weights=weight, minlength=n_bins)
    bin_outcome = np.bincount(bins, weights=weight * outcome, minlength=n_bins)
    bin_confidence = np.bincount(bins, weights=weight * confidence, minlength=n_bins)
    return float(np.abs(bin_outcome - bin_confidence).sum() / bin_weight.sum())


def _check_scores(y_score, input_name):
    """Scores as floats; NaN or infinity is an error naming the row."""
    y_score = as_float_array(y_score, input_name=input_name)
    if not np.all(np.isfinite(y_score)):
        row = int(np.argwhere(~np.isfinite(y_score))[0][0])
        raise ValueError(f"{input_name} has NaN or infinite values (row {row}).")
    return y_score


def _check_probabilities(y_prob, input_name="y_prob"):
    y_prob = _check_scores(y_prob, input_name)
    if y_prob.size and (y_prob.min() < 0 or y_prob.max() > 1):
        raise ValueError(f"{input_name} must hold probabilities in [0, 1]; got values in "
                         f"[{y_prob.min():.3g}, {y_prob.max():.3g}].")
    return y_prob


@validate_params(
    {
        "y_true": ["array-like"],
        "y_prob": ["array-like"],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "strategy": [StrOptions({"uniform", "quantile"})],
        "pos_label": [None, "boolean", Integral, str],
        "labels": ["array-like", None],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def expected_calibration_error(y_true, y_prob, *, n_bins=10, strategy="uniform", pos_label=None,
                               labels=None, sample_weight=None):
    """Expected calibration error: how far predicted probabilities are from observed rates.

    The predictions are put into ``n_bins`` bins by confidence; the error is
    the mean over bins, weighted by their number of samples, of
    ``|observed rate - mean predicted probability|``.

    - ``y_prob`` of shape (n_samples,): probabilities of the positive class of
      a binary target; the observed rate is the share of positives in the bin
      (the bins are those of :func:`sklearn.calibration.calibration_curve`).
    - ``y_prob`` of shape (n_samples, n_classes): the top-label error of Guo
      et al. (2017): confidence is the largest probability of a row and the
      observed rate the share of rows whose most probable class is right.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_prob : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities, e.g. ``predict_proba(X)[:, 1]`` or
        ``predict_proba(X)``.
    n_bins : int, default=10
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Bins of equal width in [0, 1], or with equal numbers of samples.
    pos_label : int, bool or str, default=None
        The positive class (1-D ``y_prob``). ``None``: 1 when the labels are
        {0, 1} or {-1, 1}, otherwise it must be given.
    labels : array-like of shape (n_classes,), default=None
        The class of each column of a 2-D ``y_prob``; ``None``: the sorted
        labels of ``y_true``, as in ``classes_``.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    ece : float
        In [0, 1]; 0 is perfectly calibrated.

    References
    ----------
    Guo, Pleiss, Sun and Weinberger, "On Calibration of Modern Neural
    Networks", ICML 2017.

    Examples
    --------
    >>> from sk_textrec.metrics import expected_calibration_error
    >>> round(expected_calibration_error([0, 0, 1, 1], [0.1, 0.3, 0.7, 0.9], n_bins=2), 6)
    0.2
    """
    (y_true,) = check_targets(("y_true", y_true))
    y_prob = _check_probabilities(y_prob)
    check_consistent_length(y_true, y_prob)
    weight = check_sample_weight(sample_weight, len(y_true))
    if y_prob.ndim == 1:
        pos_label = _check_pos_label_consistency(pos_label, y_true)
        present = np.unique(y_true).tolist()
        if len(present) == 2 and pos_label not in present:  # a typo would make every row negative
            raise ValueError(f"pos_label={pos_label!r} is not one of the labels of y_true {present}.")
        outcome, confidence = (y_true == pos_label).astype(float), y_prob
    elif y_prob.ndim == 2:
        labels = unique_labels(y_true) if labels is None else np.asarray(labels)
        if labels.shape[0] != y_prob.shape[1]:
            raise ValueError(f"y_prob has {y_prob.shape[1]} columns but there are {labels.shape[0]} "
                             f"labels {labels.tolist()[:10]}; pass `labels` (the estimator's classes_).")
        outcome = (labels[y_prob.argmax(axis=1)] == y_true).astype(float)
        confidence = y_prob.max(axis=1)
    else:
        raise ValueError(f"y_prob must be 1-D or 2-D; got shape {y_prob.shape}.")
    return _calibration_gap(confidence, outcome, weight, n_bins, strategy)


def _scores_by_class(y_score, labels):
    """``y_score`` as one column per label (1-D binary scores are the positive class's)."""
    y_score = _check_scores(y_score, "y_score")
    if y_score.ndim == 1:
        if labels.shape[0] != 2:
            raise ValueError(f"A 1-D y_score is the score of the positive class of a binary target; "
                             f"there are {labels.shape[0]} labels. Give one column per label.")
        return np.column_stack([-y_score, y_score]), False
    if y_score.ndim != 2 or y_score.shape[1] != labels.shape[0]:
        raise ValueError(f"y_score must have one column per label ({labels.shape[0]}: "
                         f"{labels.tolist()[:10]}); got shape {y_score.shape}.")
    return y_score, True


def one_vs_rest_score(score_fn, is_class, scores, weight):
    """``score_fn`` (average precision, ROC-AUC) of one class against the rest; NaN with one outcome."""
    if is_class.all() or not is_class.any():
        return np.nan  # undefined without both outcomes
    return float(score_fn(is_class, scores, sample_weight=weight))


_COLUMNS = ("precision", "recall", "specificity", "f1-score", "average_precision", "roc_auc", "support")


@validate_params(
    {
        "y_true": ["array-like"],
        "y_pred": ["array-like"],
        "y_score": ["array-like", None],
        "labels": ["array-like", None],
        "sample_weight": ["array-like", None],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "digits": [Interval(Integral, 0, None, closed="left")],
        "output_dict": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def imbalance_report(y_true, y_pred, *, y_score=None, labels=None, sample_weight=None, n_bins=10,
                     digits=3, output_dict=False):
    """Per-class and overall measures for imbalanced classification, in one report.

    Per class: precision, recall, specificity (recall of the other classes),
    F1, support and, with ``y_score``, one-vs-rest average precision (PR-AUC)
    and ROC-AUC. Macro and support-weighted averages of those. Overall:
    accuracy, balanced accuracy, G-mean (geometric mean of the per-class
    recalls, imbalanced-learn's ``geometric_mean_score``) and, with
    ``y_score``, for binary targets the positive class's average precision and
    ROC-AUC, and the expected calibration error when ``y_score`` holds
    probabilities.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes), default=None
        Scores: ``predict_proba(X)`` or ``decision_function(X)`` with one
        column per label, or for a binary target the positive (greater)
        label's score alone. Probabilities (in [0, 1], rows of a 2-D array
        summing to 1) also give the calibration error.
    labels : array-like of shape (n_classes,), default=None
        Labels to report, in order; ``None``: the sorted labels of ``y_true``
        and ``y_pred``. With a 2-D ``y_score``, the label of each column. A
        label in neither ``y_true`` nor ``y_pred`` gets NaN precision, recall
        and F1 with an ``UndefinedMetricWarning``; if no label is in either,
        it is a ValueError (usually a type mismatch, ``"1"`` versus ``1``).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    n_bins : int, default=10
        Bins of the expected calibration error.
    digits : int, default=3
        Digits of the text report.
    output_dict : bool, default=False
        Return a dict instead of text.

    Returns
    -------
    report : str or dict
        With ``output_dict=True``, ``{label: {measure: value}}`` for each label
        (as ``str``), ``"macro avg"`` and ``"weighted avg"``, and the overall
        measures ``"accuracy"``, ``"balanced_accuracy"``, ``"g_mean"`` and,
        where they apply, ``"average_precision"``, ``"roc_auc"`` and
        ``"expected_calibration_error"``. Undefined values (e.g. ROC-AUC of a
        class absent from ``y_true``) are NaN.

    See Also
    --------
    sklearn.metrics.classification_report : Precision, recall and F1 only.
    imblearn.metrics.classification_report_imbalanced : Adds specificity and G-mean.
    group_classification_report : The same measures for each group of samples.

    Examples
    --------
    >>> from sk_textrec.metrics import imbalance_report
    >>> y_true = [0, 0, 0, 0, 0, 0, 1, 1]
    >>> y_score = [0.1, 0.2, 0.2, 0.3, 0.4, 0.6, 0.7, 0.4]
    >>> y_pred = [int(s >= 0.5) for s in y_score]
    >>> report = imbalance_report(y_true, y_pred, y_score=y_score, output_dict=True)
    >>> report["1"]["recall"], report["balanced_accuracy"]
    (0.5, 0.666...)
    """
    y_true, y_pred = check_targets(("y_true", y_true), ("y_pred", y_pred))
    check_consistent_length(y_true, y_pred, *([] if y_score is None else [y_score]))
    labels, absent = _check_labels(labels, y_true, y_pred)
    weight = check_sample_weight(sample_weight, len(y_true))
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, sample_weight=weight, zero_division=0.0
    )
    # Undefined for a label that is neither true nor predicted anywhere: NaN, not 0.
    precision[absent], recall[absent], f1[absent] = np.nan, np.nan, np.nan
    support = np.array([weight[y_true == label].sum() for label in labels])
    specificity = np.array([_ratio(np.sum(weight * ((y_true != label) & (y_pred != label))),
                                   np.sum(weight * (y_true != label))) for label in labels])
    columns = {"precision": precision, "recall": recall, "specificity": specificity, "f1-score": f1}
    overall = {
        "accuracy": float(np.sum(weight * (y_true == y_pred)) / weight.sum()),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred, sample_weight=weight)),
        "g_mean": float(geometric_mean_score(y_true, y_pred, labels=labels, sample_weight=weight,
                                             average="multiclass")),
    }
    if y_score is not None:
        scores, per_column = _scores_by_class(y_score, labels)
        for name, score_fn in (("average_precision", average_precision_score), ("roc_auc", roc_auc_score)):
            columns[name] = np.array([
                one_vs_rest_score(score_fn, y_true == label, scores[:, j], weight)
                for j, label in enumerate(labels)
            ])
            if labels.shape[0] == 2:
                overall[name] = float(columns[name][1])
        raw = np.asarray(y_score, dtype=float)
        if raw.min() >= 0 and raw.max() <= 1 and (not per_column or np.allclose(raw.sum(axis=1), 1)):
            overall["expected_calibration_error"] = expected_calibration_error(
                y_true, raw, n_bins=n_bins, labels=labels if per_column else None,
                pos_label=None if per_column else labels[1], sample_weight=weight,
            )
    report = {
        str(label): {**{name: float(values[j]) for name, values in columns.items()},
                     "support": float(support[j])}
        for j, label in enumerate(labels)
    }
    with np.errstate(invalid="ignore"):
        report["macro avg"] = {name: float(np.nanmean(values)) if not np.isnan(values).all() else np.nan
                               for name, values in columns.items()}
        report["weighted avg"] = {name: _weighted_nanmean(values, support) for name, values in columns.items()}
    for average in ("macro avg", "weighted avg"):
        report[average]["support"] = float(support.sum())
    report.update(overall)
    return report if output_dict else _format_report(report, [str(label) for label in labels], digits)


def _check_labels(labels, y_true, y_pred):
    """The labels to report and a mask of those absent from both ``y_true`` and ``y_pred``."""
    present = unique_labels(y_true, y_pred)
    if labels is None:
        return present, np.zeros(len(present), dtype=bool)
    check_label_values(labels, input_name="labels")
    labels = column_or_1d(labels)
    values, counts = np.unique(labels, return_counts=True)
    if np.any(counts > 1):
        raise ValueError(f"labels has the label {values[counts > 1][0]!r} more than once.")
    absent = ~np.isin(labels, present)
    if absent.all():
        raise ValueError(
            f"None of labels {labels.tolist()[:10]} is in y_true or y_pred, whose labels are "
            f"{present.tolist()[:10]}; check their type (e.g. '1' versus 1)."
        )
    if absent.any():
        warnings.warn(
            f"labels {labels[absent].tolist()[:10]} are neither in y_true nor in y_pred: their "
            "precision, recall and F1 are undefined (NaN) and left out of the averages.",
            UndefinedMetricWarning, stacklevel=3,
        )
    return labels, absent


def _ratio(numerator, denominator):
    return numerator / denominator if denominator > 0 else np.nan


def _weighted_nanmean(values, weights):
    defined = ~np.isnan(values)
    if not defined.any() or weights[defined].sum() == 0:
        return np.nan
    return float(np.average(values[defined], weights=weights[defined]))


def _format_report(report, labels, digits):
    columns = [name for name in _COLUMNS if name in report[labels[0]]]
    rows = [(label, report[label]) for label in labels]
    rows += [("", None), ("macro avg", report["macro avg"]), ("weighted avg", report["weighted avg"])]
    lines = format_table(rows, columns, digits) + [""]
    width = max(len(label) for label, _ in rows)
    for name in ("accuracy", "balanced_accuracy", "g_mean", "average_precision", "roc_auc",
                 "expected_calibration_error"):
        if name in report:
            lines.append(f"{name:>{width + 14}} {report[name]:.{digits}f}")
    return "\n".join(lines) + "\n"
