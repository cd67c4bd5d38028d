"""Evaluation: imbalance, group fairness, ranking and beyond-accuracy metrics, and scorers.

Classification metrics take ``y_true``, ``y_pred`` (and ``y_score``) as
scikit-learn's do; group metrics add ``groups``, one group label per sample.

Ranking and beyond-accuracy metrics take recommendation lists:

- ``recommended``: one ordered list of item ids per user (or query), best
  first, e.g. ``[["i3", "i7"], ["i1", "i3", "i9"]]``; lists may differ in
  length, and a 2-D array is one list per row. An id may appear once per list.
- ``relevant``: per user, the set of relevant ids (each with gain 1), or a dict
  ``{item: gain}`` of graded relevance, e.g. ``[{"i7"}, {"i1": 2, "i4": 1}]``.
- Catalogue arrays (``item_features``, ``item_popularity``) have one row per
  item, aligned with ``items`` (their ids); without ``items`` the ids are the
  row positions.

Users without any relevant item are left out of averages of ranking metrics
(NaN per user); an empty recommendation list scores 0 in every ranking metric.
The ``make_*_scorer`` factories turn the metrics into ``scoring=`` objects
for ``GridSearchCV``; fairness and ranking scorers receive ``groups`` /
``query_id`` / ``item_id`` through scikit-learn's metadata routing.
"""

from ._beyond_accuracy import (
    catalog_coverage_score,
    distributional_coverage_score,
    exposure_gini_index,
    intra_list_diversity_score,
    novelty_score,
    tail_share_score,
)
from ._classification import expected_calibration_error, imbalance_report
from ._fairness import (
    demographic_parity_difference,
    equal_opportunity_difference,
    group_classification_report,
    group_disparity_score,
)
from ._ranking import (
    hit_rate_at_k_score,
    map_at_k_score,
    mrr_score,
    ndcg_at_k_score,
    precision_at_k_score,
    recall_at_k_score,
)
from ._scorer import make_calibration_scorer, make_fairness_scorer, make_ranking_scorer

__all__ = [
    "catalog_coverage_score",
    "demographic_parity_difference",
    "distributional_coverage_score",
    "equal_opportunity_difference",
    "expected_calibration_error",
    "exposure_gini_index",
    "group_classification_report",
    "group_disparity_score",
    "hit_rate_at_k_score",
    "imbalance_report",
    "intra_list_diversity_score",
    "make_calibration_scorer",
    "make_fairness_scorer",
    "make_ranking_scorer",
    "map_at_k_score",
    "mrr_score",
    "ndcg_at_k_score",
    "novelty_score",
    "precision_at_k_score",
    "recall_at_k_score",
    "tail_share_score",
]
