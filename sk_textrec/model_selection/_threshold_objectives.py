"""Objectives of ThresholdTunedClassifier and the searches that optimise them.

Binary built-in objectives are functions of the weighted confusion counts, so
they are computed exactly at every distinct score with one sort and cumulative
sums (``binary_curve``). Any other scorer is evaluated on a grid of candidate
thresholds (``binary_grid_curve``). Multiclass decisions add one offset per class
to log-probabilities or logits (``fit_offsets``).
"""

import numpy as np

from ..utils._sklearn_compat import _BaseScorer

# objective name -> does it need the cost of each decision
BUILTIN_OBJECTIVES = (
    "f1", "fbeta", "balanced_accuracy", "youden", "accuracy",
    "precision", "recall", "tpr", "tnr", "cost", "macro_f1",
)
BINARY_OBJECTIVES = tuple(o for o in BUILTIN_OBJECTIVES if o != "macro_f1")
MULTICLASS_OBJECTIVES = ("macro_f1", "f1", "balanced_accuracy", "accuracy", "cost")
# constraint name -> sense of the bound: +1 "at least", -1 "at most"
CONSTRAINTS = {"precision": 1, "recall": 1, "tpr": 1, "tnr": 1, "fpr": -1, "fnr": -1}


def _ratio(num, den):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), 0.0)


def binary_metric(name, tp, fp, pos, neg, cost=None, beta=1.0):
    """A built-in metric (or constraint quantity) from confusion counts, vectorised."""
    tp, fp = np.asarray(tp, dtype=float), np.asarray(fp, dtype=float)
    fn, tn = pos - tp, neg - fp
    if name == "f1":
        return _ratio(2 * tp, 2 * tp + fp + fn)
    if name == "fbeta":
        b2 = beta**2
        return _ratio((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp)
    if name in ("recall", "tpr"):
        return _ratio(tp, pos)
    if name == "tnr":
        return _ratio(tn, neg)
    if name == "fpr":
        return _ratio(fp, neg)
    if name == "fnr":
        return _ratio(fn, pos)
    if name == "precision":
        return _ratio(tp, tp + fp)
    if name == "balanced_accuracy":
        return (_ratio(tp, pos) + _ratio(tn, neg)) / 2
    if name == "youden":
        return _ratio(tp, pos) - _ratio(fp, neg)
    if name == "accuracy":
        return (tp + tn) / (pos + neg)
    if name == "cost":
        return -np.asarray(cost, dtype=float) / (pos + neg)
    raise ValueError(f"Unknown objective {name!r}.")


def _cut_points(distinct):
    """Thresholds between consecutive distinct scores (descending), so that
    ``score >= cut[k]`` selects exactly the scores down to ``distinct[k]``."""
    if distinct.size == 0:
        return distinct
    cuts = np.empty(distinct.size + 1)
    cuts[0] = np.nextafter(distinct[0], np.inf)  # nothing predicted positive
    cuts[1:-1] = (distinct[:-1] + distinct[1:]) / 2
    cuts[-1] = distinct[-1]
    # midpoints of adjacent floats can round onto the upper score
    bad = cuts[1:-1] > distinct[1:] if distinct.size > 1 else np.zeros(0, bool)
    bad &= cuts[1:-1] >= distinct[:-1]
    cuts[1:-1][bad] = distinct[1:][bad]
    return cuts


def binary_counts(y_pos, scores, sample_weight, sample_cost=None):
    """Confusion counts for every distinct threshold, highest threshold first.

    Returns ``thresholds, tp, fp, pos, neg, cost``: element ``k`` is what
    predicting positive for ``scores >= thresholds[k]`` gives; element 0
    predicts nothing positive, the last predicts everything positive.
    ``sample_cost`` has columns (cost of predicting negative, positive).
    """
    order = np.argsort(-scores, kind="mergesort")
    s, w, yp = scores[order], sample_weight[order], y_pos[order]
    last = np.append(np.flatnonzero(np.diff(s)), s.size - 1)
    zero = np.zeros(1)
    tp = np.concatenate([zero, np.cumsum(w * yp)[last]])
    fp = np.concatenate([zero, np.cumsum(w * ~yp)[last]])
    cost = None
    if sample_cost is not None:
        c = sample_cost[order]
        cost = np.sum(w * c[:, 0]) + np.concatenate([zero, np.cumsum(w * (c[:, 1] - c[:, 0]))[last]])
    return _cut_points(s[last]), tp, fp, tp[-1], fp[-1], cost


def describe_constraint(constraint):
    return " and ".join(
        f"{name} {'>=' if CONSTRAINTS[name] > 0 else '<='} {bound}" for name, bound in constraint.items()
    )


def feasible_mask(constraint, tp, fp, pos, neg):
    mask = np.ones(np.shape(tp), dtype=bool)
    for name, bound in (constraint or {}).items():
        value = binary_metric(name, tp, fp, pos, neg)
        # a small tolerance: bounds such as 0.9 are rarely exact in floating point
        mask &= value >= bound - 1e-12 if CONSTRAINTS[name] > 0 else value <= bound + 1e-12
    return mask


def binary_curve(objective, y_pos, scores, sample_weight, *, beta=1.0, sample_cost=None):
    """Exact objective curve of a built-in objective over every distinct score."""
    thresholds, tp, fp, pos, neg, cost = binary_counts(y_pos, scores, sample_weight, sample_cost)
    values = binary_metric(objective, tp, fp, pos, neg, cost=cost, beta=beta)
    return thresholds, values, tp, fp, pos, neg


def binary_grid_curve(score_fn, y_true, y_pos, scores, sample_weight, grid, labels):
    """Objective curve of an arbitrary scorer on candidate thresholds ``grid``.

    ``labels`` is ``(negative label, positive label)``. Returns the same tuple
    as :func:`binary_curve`, highest threshold first.
    """
    grid = np.sort(np.asarray(grid, dtype=float))[::-1]
    values = np.array([
        score_fn(y_true, np.where(scores >= t, labels[1], labels[0]), sample_weight) for t in grid
    ])
    order = np.argsort(-scores, kind="mergesort")
    s = scores[order]
    n_selected = np.searchsorted(-s, -grid, side="right")
    zero = np.zeros(1)
    cum_tp = np.concatenate([zero, np.cumsum((sample_weight * y_pos)[order])])
    cum_fp = np.concatenate([zero, np.cumsum((sample_weight * ~y_pos)[order])])
    tp, fp = cum_tp[n_selected], cum_fp[n_selected]
    return grid, values, tp, fp, cum_tp[-1], cum_fp[-1]


def scorer_function(scorer, classes):
    """``f(y_true, y_pred, sample_weight) -> float`` (greater is better) of a scorer.

    sklearn scorers built on a label metric call it directly; other callables
    get an estimator stand-in whose ``predict`` returns the given labels.
    """
    if isinstance(scorer, _BaseScorer):
        if getattr(scorer, "_response_method", "predict") != "predict":
            raise ValueError(
                f"The objective {scorer!r} scores probabilities or decision values, which do "
                "not depend on the decision threshold; use a metric of predicted labels."
            )

        def score(y_true, y_pred, sample_weight):
            kwargs = dict(scorer._kwargs)
            if sample_weight is not None and not np.all(sample_weight == 1):
                kwargs["sample_weight"] = sample_weight
            return scorer._sign * scorer._score_func(y_true, y_pred, **kwargs)

        return score

    def score(y_true, y_pred, sample_weight):
        rows = np.arange(len(y_true))
        return float(scorer(_FixedPredictions(y_pred, classes), rows, y_true))

    return score


class _FixedPredictions:
    """Stand-in classifier for custom scorers: ``predict(rows)`` returns given labels."""

    _estimator_type = "classifier"

    def __init__(self, y_pred, classes):
        self.y_pred, self.classes_ = y_pred, classes

    def predict(self, rows):
        return self.y_pred[np.asarray(rows, dtype=int)]

    def __sklearn_tags__(self):
        from sklearn.base import ClassifierMixin, BaseEstimator

        class _Tagged(ClassifierMixin, BaseEstimator):
            pass

        return _Tagged().__sklearn_tags__()


# -- multiclass ------------------------------------------------------------------


def _multiclass_value(objective, tp, pp, actual, cost, total_weight):
    """Objective from per-class counts; the arrays have classes on the last axis."""
    if objective in ("macro_f1", "f1"):
        return _ratio(2 * tp, pp + actual).mean(axis=-1)
    if objective == "balanced_accuracy":
        return _ratio(tp, actual).mean(axis=-1)
    if objective == "accuracy":
        return tp.sum(axis=-1) / total_weight
    if objective == "cost":
        return -cost / total_weight
    raise ValueError(f"Unknown multiclass objective {objective!r}.")


def multiclass_score(objective, y_idx, pred, weight, n_classes, sample_cost=None, score_fn=None,
                     classes=None):
    """Objective of the decisions ``pred`` (class indices)."""
    if score_fn is not None:
        return score_fn(classes[y_idx], classes[pred], weight)
    tp = np.bincount(y_idx, weights=weight * (pred == y_idx), minlength=n_classes)
    pp = np.bincount(pred, weights=weight, minlength=n_classes)
    actual = np.bincount(y_idx, weights=weight, minlength=n_classes)
    cost = None if sample_cost is None else np.sum(weight * sample_cost[np.arange(len(pred)), pred])
    return float(_multiclass_value(objective, tp, pp, actual, cost, weight.sum()))


def _line_search(objective, scores, offsets, j, y_idx, weight, sample_cost, score_fn, classes,
                 n_grid):
    """Best offset of class ``j`` with the others fixed, and its objective value.

    Class ``j`` wins sample ``i`` exactly when ``offsets[j] > d_i``, where ``d_i``
    is the margin of the best other class; sweeping ``offsets[j]`` upwards
    moves samples to ``j`` one at a time, in the order of ``d``.
    """
    n, n_classes = scores.shape
    others = scores + offsets
    others[:, j] = -np.inf
    a = others.argmax(axis=1)
    d = others[np.arange(n), a] - scores[:, j]
    order = np.argsort(d, kind="mergesort")
    d_sorted = d[order]
    last = np.append(np.flatnonzero(np.diff(d_sorted)), n - 1)
    candidates = np.empty(last.size + 1)
    candidates[0] = d_sorted[0] - 1.0
    candidates[1:-1] = (d_sorted[last[:-1]] + d_sorted[last[:-1] + 1]) / 2
    candidates[-1] = d_sorted[-1] + 1.0
    if score_fn is not None:  # arbitrary scorer: a grid of the candidates
        pick = np.unique(np.linspace(0, candidates.size - 1, min(n_grid, candidates.size)).astype(int))
        values = []
        for c in candidates[pick]:
            pred = np.where(c > d, j, a)
            values.append(score_fn(classes[y_idx], classes[pred], weight))
        best = int(np.argmax(values))
        return candidates[pick][best], float(values[best])
    actual = np.bincount(y_idx, weights=weight, minlength=n_classes)
    tp0 = np.bincount(a, weights=weight * (a == y_idx), minlength=n_classes)
    pp0 = np.bincount(a, weights=weight, minlength=n_classes)
    ai, yi, wi = a[order], y_idx[order], weight[order]
    rows = np.arange(n)
    delta_pp = np.zeros((n, n_classes))
    delta_pp[rows, ai] -= wi
    delta_pp[:, j] += wi
    delta_tp = np.zeros((n, n_classes))
    delta_tp[rows, ai] -= wi * (yi == ai)
    delta_tp[:, j] += wi * (yi == j)
    zero = np.zeros((1, n_classes))
    pp = pp0 + np.vstack([zero, np.cumsum(delta_pp, axis=0)[last]])
    tp = tp0 + np.vstack([zero, np.cumsum(delta_tp, axis=0)[last]])
    cost = None
    if sample_cost is not None:
        base = np.sum(weight * sample_cost[rows, a])
        step = wi * (sample_cost[order, j] - sample_cost[order, ai])
        cost = base + np.concatenate([[0.0], np.cumsum(step)[last]])
    values = _multiclass_value(objective, tp, pp, actual, cost, weight.sum())
    best = int(np.argmax(values))
    return candidates[best], float(values[best])


def fit_offsets(objective, scores, y_idx, weight, *, tau=1.0, max_iter=10, sample_cost=None,
                score_fn=None, classes=None, n_grid=100):
    """Per-class additive offsets by coordinate ascent from the logit adjustment.

    Start from the better of zero offsets and ``-tau * log(prior)`` (post-hoc
    logit adjustment, Menon et al. 2021), then repeatedly set each class's
    offset to its best value given the others (an exact line search for the
    built-in objectives) until a sweep improves nothing or ``max_iter`` sweeps.

    Returns ``offsets, best_score, history`` (score after each sweep).
    """
    n, n_classes = scores.shape
    prior = np.bincount(y_idx, weights=weight, minlength=n_classes) / weight.sum()
    starts = [np.zeros(n_classes), -tau * np.log(np.clip(prior, 1e-12, None))]

    def evaluate(offsets):
        pred = (scores + offsets).argmax(axis=1)
        return multiclass_score(objective, y_idx, pred, weight, n_classes, sample_cost, score_fn,
                                classes)

    start_scores = [evaluate(o) for o in starts]
    best_start = int(np.argmax(start_scores))
    offsets, current = starts[best_start].copy(), start_scores[best_start]
    history = [current]
    for _ in range(max_iter):
        improved = False
        for j in range(n_classes):
            value, score = _line_search(objective, scores, offsets, j, y_idx, weight, sample_cost,
                                        score_fn, classes, n_grid)
            if score > current + 1e-12:
                offsets[j], current, improved = value, score, True
        history.append(current)
        if not improved:
            break
    offsets -= offsets.mean()
    return offsets, evaluate(offsets), np.array(history)
