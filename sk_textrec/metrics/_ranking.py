"""Accuracy of ranked recommendation lists, per user and averaged over users.

Every function takes ``recommended`` (one ordered list of item ids per user)
and ``relevant`` (per user, a set of relevant ids or a dict of graded gains);
see :mod:`sk_textrec.metrics` for the format. One rule for every metric here:

- a user without any relevant item (an empty set, or only gains of 0) is
  undefined: NaN per user, left out of the average, and a ValueError when no
  user has a relevant item -- precision, recall, NDCG and the others are
  about finding relevant items, which such users do not have;
- a user with relevant items whose list is empty (or holds none of them in
  its top ``k``) scores 0: an empty list finds nothing.
"""

from numbers import Integral

import numpy as np

from ..utils._sklearn_compat import Interval, validate_params
from ._lists import check_recommendations, check_relevance, gain_matrix

_PARAMETERS = {
    "recommended": ["array-like"],
    "relevant": ["array-like"],
    "k": [Interval(Integral, 1, None, closed="left"), None],
    "average": ["boolean"],
}


def _precision(hits, slot_gains, ideal_gains, n_relevant, lengths, k):
    return hits.sum(axis=1) / np.maximum(k if k is not None else lengths, 1)


def _recall(hits, slot_gains, ideal_gains, n_relevant, lengths, k):
    return hits.sum(axis=1) / n_relevant


def _hit_rate(hits, slot_gains, ideal_gains, n_relevant, lengths, k):
    return hits.any(axis=1).astype(float)


def _ndcg(hits, slot_gains, ideal_gains, n_relevant, lengths, k):
    discounts = 1 / np.log2(np.arange(2, slot_gains.shape[1] + 2))
    return (slot_gains @ discounts) / (ideal_gains @ discounts)


def _average_precision(hits, slot_gains, ideal_gains, n_relevant, lengths, k):
    precision_at_rank = np.cumsum(hits, axis=1) / np.arange(1, hits.shape[1] + 1)
    return (precision_at_rank * hits).sum(axis=1) / np.minimum(n_relevant, k or np.inf)


def _reciprocal_rank(hits, slot_gains, ideal_gains, n_relevant, lengths, k):
    first = hits.argmax(axis=1)
    return np.where(hits.any(axis=1), 1 / (first + 1), 0.0)


def ranking_values(metric, recommended, relevant, k):
    """Per-user values of ``metric`` (NaN for users without relevant items)."""
    lists = check_recommendations(recommended, k=k)
    gains = check_relevance(relevant, len(lists))
    slot_gains, ideal_gains, n_relevant = gain_matrix(lists, gains, k)
    evaluated = n_relevant > 0
    if not evaluated.any():
        raise ValueError("No user has a relevant item: ranking metrics are undefined. Check that "
                         "`relevant` holds the items of the test interactions.")
    lengths = np.array([len(items) for items in lists])
    values = np.full(len(lists), np.nan)
    values[evaluated] = metric(
        slot_gains[evaluated] > 0, slot_gains[evaluated], ideal_gains[evaluated],
        n_relevant[evaluated], lengths[evaluated], k,
    )
    return values


def _result(values, average):
    return float(np.nanmean(values)) if average else values


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def precision_at_k_score(recommended, relevant, *, k=10, average=True):
    """Share of the top ``k`` recommended items that are relevant.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    relevant : sequence of sets or dicts
        Per user, the relevant item ids (a set or list), or ``{item: gain}``.
    k : int or None, default=10
        Length of the list that is evaluated. Slots past the end of a shorter
        list count as misses. ``None``: each whole list, divided by its length.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user values.

    Returns
    -------
    score : float or ndarray of shape (n_users,)
        Precision@k, in [0, 1]; NaN per user without relevant items.

    See Also
    --------
    recall_at_k_score : Share of the relevant items that are in the top k.

    Examples
    --------
    >>> from sk_textrec.metrics import precision_at_k_score
    >>> precision_at_k_score([["a", "b", "c"], ["d", "e"]], [{"a", "c"}, {"x"}], k=2)
    0.25
    """
    return _result(ranking_values(_precision, recommended, relevant, k), average)


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def recall_at_k_score(recommended, relevant, *, k=10, average=True):
    """Share of each user's relevant items found in the top ``k``.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    relevant : sequence of sets or dicts
        Per user, the relevant item ids (a set or list), or ``{item: gain}``.
    k : int or None, default=10
        Length of the list that is evaluated; ``None``: each whole list.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user values.

    Returns
    -------
    score : float or ndarray of shape (n_users,)
        Recall@k, in [0, 1]; NaN per user without relevant items.

    Examples
    --------
    >>> from sk_textrec.metrics import recall_at_k_score
    >>> recall_at_k_score([["a", "b", "c"]], [{"a", "c", "z"}], k=2)
    0.333...
    """
    return _result(ranking_values(_recall, recommended, relevant, k), average)


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def hit_rate_at_k_score(recommended, relevant, *, k=10, average=True):
    """Share of users with at least one relevant item in their top ``k``.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    relevant : sequence of sets or dicts
        Per user, the relevant item ids (a set or list), or ``{item: gain}``.
    k : int or None, default=10
        Length of the list that is evaluated; ``None``: each whole list.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user values
        (1.0 for a hit, 0.0 otherwise).

    Returns
    -------
    score : float or ndarray of shape (n_users,)
        Hit rate@k, in [0, 1]; NaN per user without relevant items.

    Examples
    --------
    >>> from sk_textrec.metrics import hit_rate_at_k_score
    >>> hit_rate_at_k_score([["a", "b"], ["c", "d"]], [{"b"}, {"x"}], k=2)
    0.5
    """
    return _result(ranking_values(_hit_rate, recommended, relevant, k), average)


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def ndcg_at_k_score(recommended, relevant, *, k=10, average=True):
    """Normalised discounted cumulative gain of the top ``k``.

    DCG@k is the sum of the gains of the recommended items divided by
    ``log2(rank + 1)``; NDCG@k divides it by the DCG@k of the best possible
    ranking of the user's relevant items. Gains are linear (a set of relevant
    items gives each gain 1), as in :func:`sklearn.metrics.ndcg_score`, which
    this equals when the lists are the items ordered by a tie-free score.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    relevant : sequence of sets or dicts
        Per user, the relevant item ids (a set or list), or ``{item: gain}``
        for graded relevance.
    k : int or None, default=10
        Length of the list that is evaluated; ``None``: each whole list.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user values.

    Returns
    -------
    score : float or ndarray of shape (n_users,)
        NDCG@k, in [0, 1]; NaN per user without relevant items.

    See Also
    --------
    sklearn.metrics.ndcg_score : The same quantity for a dense score matrix.

    Examples
    --------
    >>> from sk_textrec.metrics import ndcg_at_k_score
    >>> ndcg_at_k_score([["b", "a"]], [{"a": 3, "b": 1}], k=2)  # (1 + 3/log2(3)) / (3 + 1/log2(3))
    0.796...
    """
    return _result(ranking_values(_ndcg, recommended, relevant, k), average)


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def map_at_k_score(recommended, relevant, *, k=10, average=True):
    """Mean average precision of the top ``k``.

    A user's AP@k is the sum, over the ranks ``i <= k`` that hold a relevant
    item, of the precision of the top ``i``, divided by ``min(n_relevant, k)``
    (so that a perfect list scores 1 even when the user has more than ``k``
    relevant items). With ``k=None`` it is divided by ``n_relevant``.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    relevant : sequence of sets or dicts
        Per user, the relevant item ids (a set or list), or ``{item: gain}``
        (any gain > 0 counts as relevant).
    k : int or None, default=10
        Length of the list that is evaluated; ``None``: each whole list.
    average : bool, default=True
        Return the mean over users (MAP@k); ``False`` returns each user's AP@k.

    Returns
    -------
    score : float or ndarray of shape (n_users,)
        MAP@k, in [0, 1]; NaN per user without relevant items.

    Examples
    --------
    >>> from sk_textrec.metrics import map_at_k_score
    >>> map_at_k_score([["a", "x", "b"]], [{"a", "b"}], k=3)  # (1/1 + 2/3) / 2
    0.833...
    """
    return _result(ranking_values(_average_precision, recommended, relevant, k), average)


@validate_params(_PARAMETERS, prefer_skip_nested_validation=True)
def mrr_score(recommended, relevant, *, k=None, average=True):
    """Mean reciprocal rank of the first relevant item.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    relevant : sequence of sets or dicts
        Per user, the relevant item ids (a set or list), or ``{item: gain}``.
    k : int or None, default=None
        Only the top ``k`` are searched (a user whose first relevant item is
        further down scores 0); ``None``: each whole list.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user reciprocal ranks.

    Returns
    -------
    score : float or ndarray of shape (n_users,)
        MRR, in [0, 1]; NaN per user without relevant items.

    Examples
    --------
    >>> from sk_textrec.metrics import mrr_score
    >>> mrr_score([["x", "a"], ["b", "y"]], [{"a"}, {"b"}])  # (1/2 + 1) / 2
    0.75
    """
    return _result(ranking_values(_reciprocal_rank, recommended, relevant, k), average)
