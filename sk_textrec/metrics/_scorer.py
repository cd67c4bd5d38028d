"""Scorer factories: the package's metrics as ``scoring=`` of ``GridSearchCV`` and friends.

Fairness and ranking scorers need per-sample metadata (the group, the query,
the item of each row). They request it through scikit-learn's metadata
routing, so a search passes it on when routing is enabled::

    sklearn.set_config(enable_metadata_routing=True)
    GridSearchCV(model, grid, scoring=make_fairness_scorer()).fit(X, y, groups=age_band)
"""

import inspect
from numbers import Integral

import numpy as np
from sklearn.utils.metadata_routing import MetadataRequest

from ..utils._items import factorize
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _BaseScorer,
    _check_response_method,
    _get_response_method_name,
    _Scorer,
    validate_params,
)
from ._beyond_accuracy import (
    catalog_coverage_score,
    distributional_coverage_score,
    exposure_gini_index,
    intra_list_diversity_score,
    novelty_score,
    tail_share_score,
)
from ._classification import expected_calibration_error
from ._fairness import RATES, group_disparity_score
from ._lists import check_gains, lists_from_padded, relevance_from_matrix
from ._ranking import (
    hit_rate_at_k_score,
    map_at_k_score,
    mrr_score,
    ndcg_at_k_score,
    precision_at_k_score,
    recall_at_k_score,
)

_ROUTING_HINT = ("Enable metadata routing (sklearn.set_config(enable_metadata_routing=True)) and pass "
                 "{name} to the search's or cross_validate's fit, e.g. search.fit(X, y, {name}=...).")


class _CalibrationScorer(_Scorer):
    """Expected calibration error of ``predict_proba``, with the estimator's classes as labels."""

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        y_prob = method_caller(estimator, "predict_proba", X, pos_label=None)
        classes = estimator.classes_
        labels = {"labels": classes} if y_prob.ndim == 2 else {"pos_label": classes[-1]}
        return self._sign * self._score_func(y_true, y_prob, **self._kwargs, **labels, **kwargs)


@validate_params(
    {"n_bins": [Interval(Integral, 1, None, closed="left")], "strategy": [StrOptions({"uniform", "quantile"})]},
    prefer_skip_nested_validation=True,
)
def make_calibration_scorer(*, n_bins=10, strategy="uniform"):
    """Scorer of the expected calibration error of ``predict_proba`` (negated: higher is better).

    Parameters
    ----------
    n_bins : int, default=10
        Number of bins.
    strategy : {"uniform", "quantile"}, default="uniform"
        Bins of equal width, or with equal numbers of samples.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``: minus
        :func:`~sk_textrec.metrics.expected_calibration_error` of the binary
        positive class (``classes_[-1]``), or top-label for multiclass.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sk_textrec.metrics import make_calibration_scorer
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1]
    >>> scorer = make_calibration_scorer(n_bins=2)
    >>> scorer(LogisticRegression().fit(X, y), X, y) <= 0
    True
    """
    return _CalibrationScorer(expected_calibration_error, -1, {"n_bins": n_bins, "strategy": strategy},
                              "predict_proba")


class _GroupScorer(_Scorer):
    """Scorer of predicted labels that requests ``groups`` through metadata routing."""

    __metadata_request__score = {"groups": True}

    def _score(self, method_caller, estimator, X, y_true, **kwargs):
        if kwargs.get("groups") is None:
            raise ValueError("This fairness scorer needs the group of each sample. "
                             + _ROUTING_HINT.format(name="groups"))
        return super()._score(method_caller, estimator, X, y_true, **kwargs)

    def __repr__(self):
        return "make_fairness_scorer({rate!r}, kind={kind!r}, pos_label={pos_label!r})".format(**self._kwargs)


@validate_params(
    {
        "rate": [StrOptions(set(RATES))],
        "kind": [StrOptions({"difference", "ratio"})],
        "pos_label": ["boolean", Integral, str],
    },
    prefer_skip_nested_validation=True,
)
def make_fairness_scorer(rate="tpr", *, kind="difference", pos_label=1):
    """Scorer of the gap in a classification rate between groups passed as ``groups``.

    Parameters
    ----------
    rate : {"tpr", "fpr", "precision", "selection_rate"}, default="tpr"
        ``"tpr"``: equal opportunity; ``"selection_rate"``: demographic parity.
    kind : {"difference", "ratio"}, default="difference"
        A difference is negated by the scorer (lower is fairer, scorers
        maximise); a ratio is returned as it is (higher is fairer).
    pos_label : int, bool or str, default=1
        The positive class.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, groups=...)``, from
        :func:`~sk_textrec.metrics.group_disparity_score` of
        ``estimator.predict(X)``. It requests ``groups`` as metadata: enable
        metadata routing (``sklearn.set_config(enable_metadata_routing=True)``)
        and pass ``groups`` to the search's ``fit``; it then also reaches a
        group-aware ``cv`` (``GroupKFold``), so use a plain ``StratifiedKFold``
        unless groups must not be split.

    Examples
    --------
    >>> import numpy as np, sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import cross_validate
    >>> from sk_textrec.metrics import make_fairness_scorer
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(60, 2)), np.tile([0, 1], 30)
    >>> groups = np.tile(["young", "young", "old", "old"], 15)
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scores = cross_validate(LogisticRegression(), X, y, cv=3,
    ...                             scoring={"eo_gap": make_fairness_scorer("tpr")},
    ...                             params={"groups": groups})
    >>> bool(np.all(scores["test_eo_gap"] <= 0))
    True
    """
    sign = -1 if kind == "difference" else 1
    return _GroupScorer(group_disparity_score, sign, {"rate": rate, "kind": kind, "pos_label": pos_label},
                        "predict")


_ACCURACY_METRICS = {
    "precision": precision_at_k_score,
    "recall": recall_at_k_score,
    "ndcg": ndcg_at_k_score,
    "map": map_at_k_score,
    "mrr": mrr_score,
    "hit_rate": hit_rate_at_k_score,
}
_BEYOND_ACCURACY_METRICS = {
    "catalog_coverage": catalog_coverage_score,
    "distributional_coverage": distributional_coverage_score,
    "intra_list_diversity": intra_list_diversity_score,
    "novelty": novelty_score,
    "tail_share": tail_share_score,
    "exposure_gini": exposure_gini_index,
}
RANKING_METRICS = {**_ACCURACY_METRICS, **_BEYOND_ACCURACY_METRICS}


def lists_from_rows(query_id, scores, gains, item_id=None):
    """Rank the rows of each query by score: recommendation lists and relevance per query.

    Rows with equal scores keep their order. The items are ``item_id`` of the
    rows, or the row positions.
    """
    query_id = np.asarray(query_id, dtype=object).ravel()
    if query_id.shape[0] != scores.shape[0]:
        raise ValueError(f"query_id has {query_id.shape[0]} entries but there are {scores.shape[0]} rows.")
    query = factorize(query_id, "query_id")[0]
    order = np.lexsort((np.arange(scores.shape[0]), -scores, query))
    ids = order if item_id is None else np.asarray(item_id, dtype=object).ravel()[order]
    starts = np.flatnonzero(np.diff(query[order], prepend=-1))
    lists = [chunk.tolist() for chunk in np.split(ids, starts[1:])]
    relevant = [
        {item: gain for item, gain in zip(chunk_ids, chunk_gains) if gain > 0}
        for chunk_ids, chunk_gains in zip(lists, np.split(gains[order], starts[1:]))
    ]
    return lists, relevant


class _RankingScorer(_BaseScorer):
    """Scorer of ranked lists: rows grouped by ``query_id``, or lists from ``predict``."""

    def __init__(self, metric, k, metric_params, response_method):
        lower_is_better = metric == "exposure_gini"
        super().__init__(RANKING_METRICS[metric], -1 if lower_is_better else 1, dict(metric_params),
                         response_method)
        self._metric, self._k = metric, k

    def _get_metadata_request(self):
        # Request exactly the row metadata; sklearn would otherwise offer every
        # parameter of the metric function (items, catalog, ...) for routing.
        if hasattr(self, "_metadata_request"):  # set by set_score_request
            return super()._get_metadata_request()
        requests = MetadataRequest(owner=self)
        for name in ("query_id", "item_id"):
            requests.score.add_request(param=name, alias=True)
        return requests

    def _score(self, method_caller, estimator, X, y_true, query_id=None, item_id=None, **kwargs):
        if kwargs:
            raise TypeError(f"A ranking scorer takes only query_id and item_id as metadata; got "
                            f"{sorted(kwargs)}.")
        gains = check_gains(y_true)
        if query_id is not None:
            if self._metric in _BEYOND_ACCURACY_METRICS and item_id is None:
                raise ValueError(f"The {self._metric!r} scorer needs the item of each row: "
                                 + _ROUTING_HINT.format(name="item_id"))
            response = _check_response_method(estimator, self._response_method)
            scores = method_caller(estimator, _get_response_method_name(response), X, pos_label=None)
            scores = np.asarray(scores, dtype=float)
            if scores.ndim != 1:
                raise ValueError("A ranking scorer needs one score per row (a binary classifier or a "
                                 f"regressor); {type(estimator).__name__} gives shape {scores.shape}.")
            if np.isnan(scores).any():  # a NaN would sort anywhere in a list, silently
                raise ValueError(f"{type(estimator).__name__} scored row "
                                 f"{int(np.flatnonzero(np.isnan(scores))[0])} NaN; a ranking cannot be "
                                 "built on NaN scores.")
            lists, relevant = lists_from_rows(query_id, scores, gains, item_id)
            catalog = None  # the coverage metrics' default catalogue: the items of the rows scored
            if item_id is not None:
                catalog = list(dict.fromkeys(np.asarray(item_id, dtype=object).ravel().tolist()))
        else:
            ranked = np.asarray(estimator.predict(X))
            if ranked.ndim != 2 or gains.ndim != 2 or gains.shape[0] != ranked.shape[0]:
                raise ValueError(
                    "Without query_id, a ranking scorer expects predict(X) to return one ranked list of "
                    "item positions per row of X (as MMRReranker does) and y of shape (n_queries, n_items); "
                    f"got predictions of shape {ranked.shape} and y of shape {gains.shape}. For "
                    "estimators that score (query, item) rows, " + _ROUTING_HINT.format(name="query_id")
                )
            lists, relevant = lists_from_padded(ranked), relevance_from_matrix(gains)
            catalog = list(range(gains.shape[1]))
        return self._sign * _score_rankings(self._score_func, lists, relevant, self._k, catalog, self._kwargs)

    def __repr__(self):
        params = "".join(f", {name}=..." for name in self._kwargs)
        return f"make_ranking_scorer({self._metric!r}, k={self._k}{params})"


def _score_rankings(function, lists, relevant, k, catalog, metric_params):
    if function in _ACCURACY_METRICS.values():
        return function(lists, relevant, k=k, **metric_params)
    params = dict(metric_params)
    if "catalog" in inspect.signature(function).parameters and "catalog" not in params:
        params["catalog"] = catalog
    return function(lists, k=k, **params)


@validate_params(
    {
        "metric": [StrOptions(set(RANKING_METRICS))],
        "k": [Interval(Integral, 1, None, closed="left")],
        "response_method": [str, tuple],
    },
    prefer_skip_nested_validation=True,
)
def make_ranking_scorer(metric="ndcg", *, k=10, response_method=("predict_proba", "decision_function", "predict"),
                        **metric_params):
    """Scorer of a ranking or beyond-accuracy metric of the top ``k``, averaged over queries.

    Two kinds of estimators are scored:

    - Estimators that score rows, each row a (query, item) pair: a binary
      classifier (``predict_proba``) or a regressor. The search passes
      ``query_id`` (and ``item_id`` for beyond-accuracy metrics) as metadata,
      ``y`` is the relevance of each row (0/1 or graded); the rows of each
      query are ranked by score into its list.
    - Estimators whose ``predict(X)`` returns one ranked list of item
      positions per row of ``X``, padded with -1, such as
      :class:`~sk_textrec.rerank.MMRReranker`; ``y`` is the relevance matrix
      of shape (n_queries, n_items). No metadata is needed.

    Parameters
    ----------
    metric : str, default="ndcg"
        ``"precision"``, ``"recall"``, ``"ndcg"``, ``"map"``, ``"mrr"``,
        ``"hit_rate"``, or beyond accuracy ``"catalog_coverage"``,
        ``"distributional_coverage"``, ``"intra_list_diversity"``,
        ``"novelty"``, ``"tail_share"``, ``"exposure_gini"`` (negated: lower is
        better). The functions of the same names in :mod:`sk_textrec.metrics`.
    k : int, default=10
        Length of the lists that are scored.
    response_method : str or tuple of str, default=("predict_proba", "decision_function", "predict")
        Method of a row-scoring estimator whose output ranks the rows; the
        first one the estimator has is used.
    **metric_params
        Further parameters of the metric: ``item_features`` and
        ``similarity`` for diversity, ``item_popularity`` for novelty and tail
        share, ``items`` (the ids of those arrays' rows), ``catalog``. The
        catalogue of the coverage metrics defaults to the items of the rows
        scored (or the columns of ``y``).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, query_id=..., item_id=...)``.

    Examples
    --------
    >>> import numpy as np, sklearn
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import GroupKFold, cross_validate
    >>> from sk_textrec.metrics import make_ranking_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(120, 3))
    >>> y = (X[:, 0] + 0.3 * rng.normal(size=120) > 0.8).astype(int)  # relevant candidates
    >>> query_id = np.repeat(np.arange(12), 10)                        # 12 queries, 10 candidates
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     scores = cross_validate(LogisticRegression(), X, y, cv=GroupKFold(3),
    ...                             scoring=make_ranking_scorer("ndcg", k=5),
    ...                             params={"groups": query_id, "query_id": query_id})
    >>> bool(scores["test_score"].mean() > 0.8)
    True
    """
    function = RANKING_METRICS[metric]
    accepted = set(inspect.signature(function).parameters) - {"recommended", "relevant", "k"}
    unknown = sorted(set(metric_params) - accepted)
    if unknown:
        raise TypeError(f"make_ranking_scorer({metric!r}) got parameters {unknown} that {function.__name__} "
                        f"does not take; it takes {sorted(accepted)}.")
    return _RankingScorer(metric, k, metric_params, response_method)
