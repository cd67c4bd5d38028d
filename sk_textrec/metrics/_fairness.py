"""Group fairness: the same classification rates for every group, and the gaps between them.

``groups`` is one label per sample: a reviewer's age band, a product
department, a popularity bucket (:func:`~sk_textrec.model_selection.popularity_buckets`)
or cold / warm items. Rates are those of the positive class ``pos_label``:

- true-positive rate (recall) -- equal across groups is *equal opportunity*;
- false-positive rate;
- precision;
- selection rate (share predicted positive) -- equal across groups is
  *demographic parity*.
"""

import warnings
from numbers import Integral

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.utils.validation import check_consistent_length, column_or_1d

from ..utils._items import factorize
from ..utils._sklearn_compat import Interval, StrOptions, validate_params
from ..utils._validation import _is_missing, check_sample_weight
from ._classification import _check_scores, check_targets, one_vs_rest_score
from ._text_table import format_table

RATES = ("tpr", "fpr", "precision", "selection_rate")


def _check_groups(groups, n_samples):
    groups = column_or_1d(np.asarray(groups, dtype=object))
    if groups.shape[0] != n_samples:
        raise ValueError(f"groups has {groups.shape[0]} entries but there are {n_samples} samples.")
    for row, group in enumerate(groups):
        if _is_missing(group):
            raise ValueError(f"groups has a missing value (None or NaN) at row {row}; give every "
                             "sample a group (e.g. 'unknown').")
    return groups


def group_counts(y_true, y_pred, groups, pos_label, sample_weight):
    """Names of the groups and their weighted confusion counts ``tp, fp, fn, tn`` (each per group)."""
    y_true, y_pred = check_targets(("y_true", y_true), ("y_pred", y_pred))
    if not (np.any(y_true == pos_label) or np.any(y_pred == pos_label)):
        raise ValueError(f"pos_label={pos_label!r} is neither in y_true nor in y_pred (labels: "
                         f"{np.unique(np.concatenate([y_true, y_pred])).tolist()[:10]}).")
    groups = _check_groups(groups, y_true.shape[0])
    weight = check_sample_weight(sample_weight, len(y_true))
    index, names = factorize(groups, "groups")
    actual, predicted = y_true == pos_label, y_pred == pos_label
    counts = [np.bincount(index, weights=weight * (actual == a) * (predicted == p), minlength=len(names))
              for a, p in ((True, True), (False, True), (True, False), (False, False))]
    return names, counts, index


def _rates(tp, fp, fn, tn):
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "tpr": np.where(tp + fn > 0, tp / (tp + fn), np.nan),
            "fpr": np.where(fp + tn > 0, fp / (fp + tn), np.nan),
            "precision": np.where(tp + fp > 0, tp / (tp + fp), np.nan),
            "selection_rate": (tp + fp) / (tp + fp + fn + tn),
        }


def _gap(values, kind):
    largest, smallest = np.max(values), np.min(values)
    if kind == "difference":
        return float(largest - smallest)
    return float(smallest / largest) if largest > 0 else 1.0  # all zero: equal


def _disparity(names, values, rate, kind):
    defined = ~np.isnan(values)
    if not defined.all():
        left_out = [names[i] for i in np.flatnonzero(~defined)]
        warnings.warn(f"{rate} is undefined for the groups {left_out[:10]} (no sample to divide by); "
                      "they are left out of the gap.", UndefinedMetricWarning, stacklevel=3)
    if defined.sum() < 2:
        warnings.warn(f"{rate} is defined for fewer than two groups: the {kind} is NaN.",
                      UndefinedMetricWarning, stacklevel=3)
        return np.nan
    return _gap(values[defined], kind)


_PARAMETERS = {
    "y_true": ["array-like"],
    "y_pred": ["array-like"],
    "groups": ["array-like"],
    "pos_label": ["boolean", Integral, str],
    "sample_weight": ["array-like", None],
}


@validate_params(
    {**_PARAMETERS, "rate": [StrOptions(set(RATES))], "kind": [StrOptions({"difference", "ratio"})]},
    prefer_skip_nested_validation=True,
)
def group_disparity_score(y_true, y_pred, *, groups, rate="tpr", kind="difference", pos_label=1,
                          sample_weight=None):
    """Largest gap (or smallest ratio) of a classification rate between groups.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    groups : array-like of shape (n_samples,)
        Group of each sample.
    rate : {"tpr", "fpr", "precision", "selection_rate"}, default="tpr"
        The rate compared: ``"tpr"`` for equal opportunity, ``"selection_rate"``
        for demographic parity.
    kind : {"difference", "ratio"}, default="difference"
        ``"difference"``: largest minus smallest rate (0 is parity, lower is
        better); ``"ratio"``: smallest divided by largest (1 is parity, higher
        is better; 1 when every rate is 0).
    pos_label : int, bool or str, default=1
        The positive class; other labels are negatives (one-vs-rest).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    disparity : float
        Groups whose rate is undefined (e.g. the TPR of a group without
        positives) are left out with an ``UndefinedMetricWarning``; NaN when
        fewer than two groups remain.

    See Also
    --------
    equal_opportunity_difference : The TPR difference.
    demographic_parity_difference : The selection-rate difference.
    group_classification_report : Every rate of every group.

    Examples
    --------
    >>> from sk_textrec.metrics import group_disparity_score
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> groups = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> group_disparity_score(y_true, y_pred, groups=groups, rate="selection_rate", kind="ratio")
    0.333...
    """
    names, counts, _ = group_counts(y_true, y_pred, groups, pos_label, sample_weight)
    return _disparity(names, _rates(*counts)[rate], rate, kind)


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def equal_opportunity_difference(y_true, y_pred, *, groups, pos_label=1, sample_weight=None):
    """Largest difference in true-positive rate (recall) between groups.

    0 means every group's positives are found equally often (equal
    opportunity, Hardt et al. 2016). Same as
    ``group_disparity_score(..., rate="tpr", kind="difference")``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    groups : array-like of shape (n_samples,)
        Group of each sample.
    pos_label : int, bool or str, default=1
        The positive class.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    difference : float
        In [0, 1]; lower is fairer.

    Examples
    --------
    >>> from sk_textrec.metrics import equal_opportunity_difference
    >>> equal_opportunity_difference([1, 1, 1, 1], [1, 1, 1, 0], groups=["a", "a", "b", "b"])
    0.5
    """
    return group_disparity_score(y_true, y_pred, groups=groups, rate="tpr", pos_label=pos_label,
                                 sample_weight=sample_weight)


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def demographic_parity_difference(y_true, y_pred, *, groups, pos_label=1, sample_weight=None):
    """Largest difference in selection rate (share predicted positive) between groups.

    0 means every group is predicted positive equally often (demographic
    parity). Same as ``group_disparity_score(..., rate="selection_rate")``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (only used to check ``pos_label``).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    groups : array-like of shape (n_samples,)
        Group of each sample.
    pos_label : int, bool or str, default=1
        The positive class.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    difference : float
        In [0, 1]; lower is fairer.

    Examples
    --------
    >>> from sk_textrec.metrics import demographic_parity_difference
    >>> demographic_parity_difference([0, 0, 0, 0], [1, 1, 1, 0], groups=["a", "a", "b", "b"])
    0.5
    """
    return group_disparity_score(y_true, y_pred, groups=groups, rate="selection_rate",
                                 pos_label=pos_label, sample_weight=sample_weight)


_REPORT_COLUMNS = ("support", "positives", "selection_rate", "tpr", "fpr", "precision", "f1-score",
                   "average_precision", "roc_auc")


def _report_row(tp, fp, fn, tn, ranking):
    rates = _rates(np.array([tp]), np.array([fp]), np.array([fn]), np.array([tn]))
    row = {"support": float(tp + fp + fn + tn), "positives": float(tp + fn),
           **{name: float(values[0]) for name, values in rates.items()},
           "f1-score": float(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn > 0 else np.nan}
    if ranking is not None:
        row["average_precision"], row["roc_auc"] = ranking
    return row


@validate_params(
    {**_PARAMETERS, "y_score": ["array-like", None], "digits": [Interval(Integral, 0, None, closed="left")],
     "output_dict": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def group_classification_report(y_true, y_pred, *, groups, y_score=None, pos_label=1, sample_weight=None,
                                digits=3, output_dict=False):
    """Classification rates of the positive class for every group, and the gaps between groups.

    The report for fairness across user groups (age bands, regions) and for
    evaluation per item segment (departments, head / torso / tail / cold
    items from :func:`~sk_textrec.model_selection.popularity_buckets`).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    groups : array-like of shape (n_samples,)
        Group of each sample.
    y_score : array-like of shape (n_samples,), default=None
        Score of the positive class (e.g. ``predict_proba(X)[:, 1]``); adds
        each group's average precision (PR-AUC) and ROC-AUC.
    pos_label : int, bool or str, default=1
        The positive class; other labels are negatives (one-vs-rest).
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    digits : int, default=3
        Digits of the text report.
    output_dict : bool, default=False
        Return a dict instead of text.

    Returns
    -------
    report : str or dict
        With ``output_dict=True``: ``"groups"``, ``{group: {measure: value}}``
        with the support, number of positives, selection rate, TPR, FPR,
        precision, F1 (and average precision, ROC-AUC); ``"overall"``, the same
        for all samples; ``"difference"`` and ``"ratio"``,
        ``{rate: value}`` for the TPR (equal opportunity), FPR, precision and
        selection rate (demographic parity) as in
        :func:`group_disparity_score`. Undefined rates are NaN.

    Examples
    --------
    >>> from sk_textrec.metrics import group_classification_report
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    >>> groups = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> report = group_classification_report(y_true, y_pred, groups=groups, output_dict=True)
    >>> report["groups"]["b"]["tpr"], report["difference"]["tpr"]
    (0.5, 0.5)
    """
    names, counts, index = group_counts(y_true, y_pred, groups, pos_label, sample_weight)
    actual = column_or_1d(y_true) == pos_label
    weight = check_sample_weight(sample_weight, len(actual))
    scores = None if y_score is None else column_or_1d(_check_scores(y_score, "y_score"))
    if scores is not None:
        check_consistent_length(actual, scores)

    def ranking(rows):
        if scores is None:
            return None
        return tuple(one_vs_rest_score(score_fn, actual[rows], scores[rows], weight[rows])
                     for score_fn in (average_precision_score, roc_auc_score))

    report = {"groups": {}}
    for g, name in enumerate(names):
        report["groups"][name] = _report_row(*(c[g] for c in counts), ranking(index == g))
    report["overall"] = _report_row(*(c.sum() for c in counts), ranking(slice(None)))
    rates = _rates(*counts)
    with warnings.catch_warnings():  # undefined groups show as NaN rows in the report itself
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        for kind in ("difference", "ratio"):
            report[kind] = {rate: _disparity(names, rates[rate], rate, kind) for rate in RATES}
    return report if output_dict else _format_group_report(report, digits)


def _format_group_report(report, digits):
    columns = [name for name in _REPORT_COLUMNS if name in report["overall"]]
    rows = [(str(name), values) for name, values in report["groups"].items()]
    rows += [("", None), ("overall", report["overall"]), ("difference", report["difference"]),
             ("ratio", report["ratio"])]
    return "\n".join(format_table(rows, columns, digits)) + "\n"
