"""Per-group decision thresholds of ThresholdTunedClassifier, with or without equal opportunity."""

import numpy as np

from . import _threshold_objectives as obj


class GroupThresholdsMixin:
    """Tunes ``group_thresholds_`` from the threshold curve of each group.

    Uses the estimator's ``_curve`` and ``_best_on_curve`` (the binary search
    that also tunes the global ``best_threshold_``) and its ``beta``,
    ``equal_opportunity``, ``groups_tolerance``, ``classes_`` and ``pos_label_``.
    """

    def _tune_groups(self, builtin, score_fn, constraint, y, scores, weight, cost, groups):
        """One threshold per group: each group's best, or the best band of equal TPRs."""
        group_curves = {}
        for group in np.unique(groups):
            mask = groups == group
            if np.unique(y[mask]).size < 2:
                raise ValueError(
                    f"Group {getattr(group, 'item', lambda: group)()!r} has samples of one class only; a threshold needs both classes "
                    "in every group (merge small groups, or leave them to the global threshold by "
                    "mapping them to one group)."
                )
            group_curves[group] = (mask, self._curve(builtin, score_fn, y[mask], scores[mask],
                                                     weight[mask], None if cost is None else cost[mask]))
        if self.equal_opportunity:
            choice, self.best_score_ = self._equal_opportunity(
                group_curves, builtin, score_fn, constraint, y, scores, weight, cost)
        else:
            choice = {g: self._best_on_curve(c, constraint, f"group {g!r}")[0]
                      for g, (_, c) in group_curves.items()}
            self.best_score_ = self._pooled_score(group_curves, choice, builtin, score_fn, y, scores,
                                                  weight, cost)
        self.group_thresholds_ = {
            g.item() if hasattr(g, "item") else g: float(group_curves[g][1][0][k]) for g, k in choice.items()
        }

    def _pooled_score(self, group_curves, choice, builtin, score_fn, y, scores, weight, cost):
        """Objective of the per-group thresholds ``choice`` on all the tuning data."""
        if builtin is not None:
            tp = sum(c[2][choice[g]] for g, (_, c) in group_curves.items())
            fp = sum(c[3][choice[g]] for g, (_, c) in group_curves.items())
            pos = sum(c[4] for _, c in group_curves.values())
            neg = sum(c[5] for _, c in group_curves.values())
            total_cost = None
            if cost is not None:
                total_cost = 0.0
                for g, (mask, c) in group_curves.items():
                    chosen = scores[mask] >= c[0][choice[g]]
                    total_cost += np.sum(weight[mask] * np.where(chosen, cost[mask, 1], cost[mask, 0]))
            return float(obj.binary_metric(builtin, tp, fp, pos, neg, cost=total_cost, beta=self.beta))
        y_pred = np.empty(len(y), dtype=self.classes_.dtype)
        neg_label = self.classes_[self.classes_ != self.pos_label_][0]
        for g, (mask, c) in group_curves.items():
            y_pred[mask] = np.where(scores[mask] >= c[0][choice[g]], self.pos_label_, neg_label)
        return float(score_fn(y, y_pred, weight))

    def _equal_opportunity(self, group_curves, builtin, score_fn, constraint, y, scores, weight, cost):
        """Group thresholds whose TPRs lie in a band ``[L, L + tolerance]``.

        For each candidate lower edge ``L`` (TPR values the groups reach), each
        group takes its best threshold inside the band; the band whose choice
        scores best on all the tuning data wins.
        """
        tol = self.groups_tolerance
        tprs = {g: obj.binary_metric("tpr", c[2], c[3], c[4], c[5]) for g, (_, c) in group_curves.items()}
        candidates = np.unique(np.concatenate(list(tprs.values())))
        if candidates.size > 201:
            candidates = candidates[np.linspace(0, candidates.size - 1, 201).astype(int)]
        feasible = {g: obj.feasible_mask(constraint, *c[2:]) for g, (_, c) in group_curves.items()}
        best_choice, best_score = None, -np.inf
        for low in candidates:
            choice = {}
            for g, (_, c) in group_curves.items():
                in_band = (tprs[g] >= low - 1e-12) & (tprs[g] <= low + tol + 1e-12) & feasible[g]
                if not in_band.any():
                    break
                choice[g] = int(np.argmax(np.where(in_band, c[1], -np.inf)))
            else:
                score = self._pooled_score(group_curves, choice, builtin, score_fn, y, scores, weight,
                                           cost)
                if score > best_score:
                    best_choice, best_score = choice, score
        if best_choice is None:
            raise ValueError(
                f"No group thresholds give true-positive rates within groups_tolerance={tol} "
                f"that also satisfy {obj.describe_constraint(constraint) or 'the constraint'}."
            )
        return best_choice, best_score
