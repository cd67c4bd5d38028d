"""Beyond-accuracy metrics of recommendation lists: coverage, diversity, novelty, exposure.

Every function takes ``recommended`` (one ordered list of item ids per user,
see :mod:`sk_textrec.metrics`) and a description of the catalogue: the ids of
all items (``catalog``), or arrays aligned with ``items`` (embeddings or
categories, interaction counts). When ``items`` is None the ids are the row
positions ``0 .. n_items - 1`` of those arrays.
"""

from collections import Counter
from numbers import Integral, Real

import numpy as np

from ..utils._items import SIMILARITIES, ItemIndex, ItemSimilarity, popularity_levels
from ..utils._sklearn_compat import Interval, StrOptions, validate_params
from ..utils._validation import as_float_array
from ._lists import check_recommendations

_K = [Interval(Integral, 1, None, closed="left"), None]


def _exposure(recommended, catalog, k):
    """How often each catalogue item is recommended, in the order of ``catalog``."""
    lists = check_recommendations(recommended, k=k)
    index = ItemIndex(catalog, len(catalog), input_name="catalog")
    counts = np.zeros(len(catalog))
    for user, items in enumerate(lists):
        np.add.at(counts, index.positions(items, f"recommended[{user}]"), 1)
    return counts


def _catalog_list(catalog):
    catalog = catalog.tolist() if hasattr(catalog, "tolist") else list(catalog)
    if not catalog:
        raise ValueError("catalog is empty: give the ids of every item that could be recommended.")
    return catalog


def _per_list(recommended, items, n_items, k, value, average):
    """``value(positions)`` for each user's list (NaN where it returns None), averaged or not."""
    lists = check_recommendations(recommended, k=k)
    index = ItemIndex(items, n_items)
    values = np.full(len(lists), np.nan)
    for user, user_items in enumerate(lists):
        result = value(index.positions(user_items, f"recommended[{user}]"))
        if result is not None:
            values[user] = result
    if average:
        if np.isnan(values).all():
            raise ValueError("The metric is undefined for every list (too short); nothing to average.")
        return float(np.nanmean(values))
    return values


@validate_params(
    {"recommended": ["array-like"], "catalog": ["array-like"], "k": _K},
    prefer_skip_nested_validation=True,
)
def catalog_coverage_score(recommended, *, catalog, k=None):
    """Share of the catalogue recommended to at least one user.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    catalog : array-like of shape (n_items,)
        Ids of every item that could be recommended.
    k : int or None, default=None
        Only the top ``k`` of each list count; ``None``: whole lists.

    Returns
    -------
    coverage : float
        In [0, 1].

    Examples
    --------
    >>> from sk_textrec.metrics import catalog_coverage_score
    >>> catalog_coverage_score([["a", "b"], ["a", "c"]], catalog=["a", "b", "c", "d"])
    0.75
    """
    return float(np.mean(_exposure(recommended, _catalog_list(catalog), k) > 0))


@validate_params(
    {"recommended": ["array-like"], "catalog": ["array-like", None], "k": _K, "normalize": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def distributional_coverage_score(recommended, *, catalog=None, k=None, normalize=False):
    """Shannon entropy (bits) of how recommendations spread over items.

    With ``p_i`` the share of all recommendation slots that show item ``i``,
    the entropy is ``-sum_i p_i log2 p_i``: 0 when every list shows the same
    single item, ``log2(n_items)`` when every item is shown equally often.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    catalog : array-like of shape (n_items,), default=None
        Ids of every item that could be recommended; checks that recommended
        items belong to it, and is required by ``normalize``.
    k : int or None, default=None
        Only the top ``k`` of each list count; ``None``: whole lists.
    normalize : bool, default=False
        Divide by ``log2(n_items)``, the largest possible entropy, to give a
        value in [0, 1].

    Returns
    -------
    entropy : float
        In bits; in [0, 1] with ``normalize=True``.

    Examples
    --------
    >>> from sk_textrec.metrics import distributional_coverage_score
    >>> distributional_coverage_score([["a", "b"], ["a", "c"]])  # p = 1/2, 1/4, 1/4
    1.5
    """
    if catalog is None:
        if normalize:
            raise ValueError("normalize=True needs the catalog: the maximum entropy is log2(n_items).")
        lists = check_recommendations(recommended, k=k)
        counts = np.array(list(Counter(item for items in lists for item in items).values()), dtype=float)
    else:
        counts = _exposure(recommended, _catalog_list(catalog), k)
    total = counts.sum()
    if total == 0:
        raise ValueError("recommended holds no item: the distribution of recommendations is undefined.")
    p = counts[counts > 0] / total
    entropy = float(-(p * np.log2(p)).sum())
    if normalize:
        n_items = len(catalog)
        return entropy / np.log2(n_items) if n_items > 1 else 1.0
    return entropy


@validate_params(
    {"recommended": ["array-like"], "catalog": ["array-like"], "k": _K},
    prefer_skip_nested_validation=True,
)
def exposure_gini_index(recommended, *, catalog, k=None):
    """Gini index of how unequally recommendations expose the catalogue's items.

    Counts how often each catalogue item is recommended (never-recommended
    items count 0) and returns the Gini index of those counts, sorted
    ascending as ``x_1 <= ... <= x_n``:
    ``sum_i (2 i - n - 1) x_i / (n sum_i x_i)``. 0 means every item is shown
    equally often; ``(n - 1) / n`` means one item gets all the exposure. Lower
    is fairer to the catalogue.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    catalog : array-like of shape (n_items,)
        Ids of every item that could be recommended.
    k : int or None, default=None
        Only the top ``k`` of each list count; ``None``: whole lists.

    Returns
    -------
    gini : float
        In [0, 1).

    Examples
    --------
    >>> from sk_textrec.metrics import exposure_gini_index
    >>> exposure_gini_index([["a"], ["a"]], catalog=["a", "b"])
    0.5
    """
    counts = np.sort(_exposure(recommended, _catalog_list(catalog), k))
    if counts.sum() == 0:
        raise ValueError("recommended holds no item: the exposure Gini index is undefined.")
    n = counts.size
    rank = np.arange(1, n + 1)
    return float(np.sum((2 * rank - n - 1) * counts) / (n * counts.sum()))


@validate_params(
    {
        "recommended": ["array-like"],
        "item_features": ["array-like"],
        "items": ["array-like", None],
        "similarity": [StrOptions(set(SIMILARITIES))],
        "k": _K,
        "average": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def intra_list_diversity_score(recommended, *, item_features, items=None, similarity="cosine", k=None,
                               average=True):
    """One minus the mean pairwise similarity of the items in each list.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    item_features : array-like
        Features of the catalogue's items, rows aligned with ``items``:
        embeddings of shape (n_items, n_features) (e.g. from
        :class:`~sk_textrec.TextEmbedder`) for ``similarity="cosine"``,
        category labels of shape (n_items,) for ``"category"`` (two items are
        similar when they share a category), or a similarity matrix of shape
        (n_items, n_items) for ``"precomputed"``.
    items : array-like of shape (n_items,), default=None
        Ids of the rows of ``item_features``; ``None``: the ids are the row
        positions.
    similarity : {"cosine", "category", "precomputed"}, default="cosine"
        How similarity is computed from ``item_features``.
    k : int or None, default=None
        Only the top ``k`` of each list count; ``None``: whole lists.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user values.

    Returns
    -------
    diversity : float or ndarray of shape (n_users,)
        Intra-list diversity; with categories, the share of pairs in a list
        from different categories. NaN per user whose list has fewer than two
        items.

    Examples
    --------
    >>> from sk_textrec.metrics import intra_list_diversity_score
    >>> categories = ["dress", "dress", "jeans"]
    >>> intra_list_diversity_score([[0, 1], [0, 2]], item_features=categories, similarity="category")
    0.5
    """
    kernel = ItemSimilarity(item_features, similarity)

    def diversity(positions):
        m = positions.size
        if m < 2:
            return None
        pairwise = kernel.between(positions, positions)
        return 1 - (pairwise.sum() - np.trace(pairwise)) / (m * (m - 1))

    return _per_list(recommended, items, kernel.n_items, k, diversity, average)


def _check_popularity(item_popularity):
    counts = as_float_array(item_popularity, input_name="item_popularity")
    if counts.ndim != 1:
        raise ValueError(f"item_popularity must be 1-D (one count per item); got shape {counts.shape}.")
    if counts.size == 0:
        raise ValueError("item_popularity is empty: give one interaction count per catalogue item.")
    if not np.all(np.isfinite(counts)) or np.any(counts < 0):
        row = int(np.flatnonzero(~(np.isfinite(counts) & (counts >= 0)))[0])
        raise ValueError(f"item_popularity must hold counts >= 0; row {row} is {counts[row]!r}.")
    return counts


_POPULARITY_PARAMETERS = {
    "recommended": ["array-like"],
    "item_popularity": ["array-like"],
    "items": ["array-like", None],
    "k": _K,
    "average": ["boolean"],
}


@validate_params(_POPULARITY_PARAMETERS, prefer_skip_nested_validation=True)
def novelty_score(recommended, *, item_popularity, items=None, k=None, average=True):
    """Mean self-information ``-log2 p(i)`` of the recommended items.

    ``p(i)`` is item ``i``'s share of all interactions, add-one smoothed,
    ``(count_i + 1) / (sum(count) + n_items)``, so that items nobody has
    interacted with yet (cold items) have a finite, and the largest, novelty.
    Recommending popular items scores low; long-tail items score high.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    item_popularity : array-like of shape (n_items,)
        Interaction count of each catalogue item (e.g. in the training data),
        aligned with ``items``.
    items : array-like of shape (n_items,), default=None
        Ids of the entries of ``item_popularity``; ``None``: the positions.
    k : int or None, default=None
        Only the top ``k`` of each list count; ``None``: whole lists.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user values.

    Returns
    -------
    novelty : float or ndarray of shape (n_users,)
        In bits; NaN per user with an empty list.

    Examples
    --------
    >>> from sk_textrec.metrics import novelty_score
    >>> novelty_score([[0], [1]], item_popularity=[5, 1])  # p = 6/8, 2/8
    1.207...
    """
    counts = _check_popularity(item_popularity)
    information = -np.log2((counts + 1) / (counts.sum() + counts.size))
    return _per_list(recommended, items, counts.size, k,
                     lambda positions: information[positions].mean() if positions.size else None, average)


@validate_params(
    {**_POPULARITY_PARAMETERS, "tail": [Interval(Real, 0, 1, closed="both")]},
    prefer_skip_nested_validation=True,
)
def tail_share_score(recommended, *, item_popularity, items=None, tail=0.5, k=None, average=True):
    """Share of recommended items that come from the long tail.

    The tail is defined on the catalogue's interaction counts: an item is in
    the tail when the items at most as popular as it make up at most ``tail``
    of the catalogue (default: the least popular half of the items). Items
    with equal counts are on the same side, so the tail may hold fewer than
    ``tail`` of the items but never more. It is the same tail as
    :func:`~sk_textrec.model_selection.popularity_buckets`'.

    Parameters
    ----------
    recommended : sequence of sequences of item ids
        One ordered list per user, best first.
    item_popularity : array-like of shape (n_items,)
        Interaction count of each catalogue item, aligned with ``items``.
    items : array-like of shape (n_items,), default=None
        Ids of the entries of ``item_popularity``; ``None``: the positions.
    tail : float, default=0.5
        Largest share of the catalogue, least popular first, that is the tail.
    k : int or None, default=None
        Only the top ``k`` of each list count; ``None``: whole lists.
    average : bool, default=True
        Return the mean over users; ``False`` returns the per-user values.

    Returns
    -------
    share : float or ndarray of shape (n_users,)
        In [0, 1]; NaN per user with an empty list.

    Examples
    --------
    >>> from sk_textrec.metrics import tail_share_score
    >>> tail_share_score([["a", "c"]], item_popularity=[50, 9, 1, 0], items=["a", "b", "c", "d"])
    0.5
    """
    counts = _check_popularity(item_popularity)
    in_tail = popularity_levels(counts, head=0.0, tail=tail) == 2
    return _per_list(recommended, items, counts.size, k,
                     lambda positions: in_tail[positions].mean() if positions.size else None, average)
