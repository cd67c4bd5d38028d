"""Long-tail and cold-start protocols: popularity buckets of items, and a cold-start split."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import _safe_indexing, check_random_state, indexable

from ..utils._items import _is_missing_id, factorize, popularity_levels
from ..utils._sklearn_compat import Interval, RealNotInt, _num_samples, validate_params

_BUCKETS = np.array(["head", "torso", "tail", "cold"], dtype=object)


def _item_codes(items, input_name):
    """Integer code of each row's item (first-seen order) and the distinct items."""
    items = np.asarray(items, dtype=object)
    if items.ndim != 1:
        raise ValueError(f"{input_name} must be 1-D (one item id per row); got shape {items.shape}.")
    for row, item in enumerate(items):
        if _is_missing_id(item):
            raise ValueError(f"{input_name} has a missing item id (None or NaN) at row {row}.")
    return factorize(items, input_name)


@validate_params(
    {
        "items": ["array-like"],
        "reference": ["array-like", None],
        "head": [Interval(Real, 0, 1, closed="both")],
        "tail": [Interval(Real, 0, 1, closed="both")],
    },
    prefer_skip_nested_validation=True,
)
def popularity_buckets(items, *, reference=None, head=0.2, tail=0.5):
    """Label each row's item as ``"head"``, ``"torso"``, ``"tail"`` or ``"cold"`` by its popularity.

    Popularity is an item's number of rows (interactions, reviews) in
    ``reference``, e.g. the training data. Items are ranked by that count:

    - head: the items at least as popular as this one make up at most
      ``head`` of the items (default: the most popular 20%);
    - tail: the items at most as popular as this one make up at most ``tail``
      of the items (default: the least popular 50%);
    - torso: the others;
    - cold: items absent from ``reference`` (no interaction yet).

    Shares count distinct items, not rows. Items with equal counts always share
    a bucket, so the head and the tail never exceed their shares (a tie at a
    boundary goes to the torso). The same tail is used by
    :func:`~sk_textrec.metrics.tail_share_score`.

    Parameters
    ----------
    items : array-like of shape (n_samples,)
        Item id of each row to label (e.g. the test reviews' product ids).
    reference : array-like of shape (n_reference,), default=None
        Item id of each interaction that defines popularity; ``None``: ``items``
        itself (then no item is cold).
    head : float, default=0.2
        Largest share of the items, most popular first, in the head.
    tail : float, default=0.5
        Largest share of the items, least popular first, in the tail.

    Returns
    -------
    buckets : ndarray of shape (n_samples,), dtype=object
        The bucket of each row, usable as ``groups`` of
        :func:`~sk_textrec.metrics.group_classification_report` for a
        per-bucket evaluation report.

    Examples
    --------
    >>> from sk_textrec.model_selection import popularity_buckets
    >>> train_items = ["a"] * 5 + ["b"] * 3 + ["c", "d"]
    >>> popularity_buckets(["a", "b", "c", "z"], reference=train_items, head=0.25, tail=0.5).tolist()
    ['head', 'torso', 'tail', 'cold']
    """
    if head + tail > 1:
        raise ValueError(f"head + tail must be at most 1 (the buckets cannot overlap); got head={head} "
                         f"and tail={tail}.")
    codes, distinct = _item_codes(items, "items")
    reference_codes, reference_items = (
        (codes, distinct) if reference is None else _item_codes(reference, "reference"))
    if not reference_items:
        raise ValueError("reference is empty: popularity needs at least one interaction.")
    levels = popularity_levels(np.bincount(reference_codes), head=head, tail=tail)
    level_of = dict(zip(reference_items, levels))
    return _BUCKETS[[level_of.get(item, 3) for item in distinct]][codes]


def _count(size, total, name):
    """An absolute count from a float share or an int count of ``total``."""
    count = int(round(size * total)) if isinstance(size, Real) and not isinstance(size, Integral) else size
    if not 1 <= count < total:
        raise ValueError(f"{name}={size!r} selects {count} of {total}; it must leave at least one in "
                         "each part.")
    return count


@validate_params(
    {
        "items": ["array-like"],
        "cold_size": [Interval(RealNotInt, 0, 1, closed="neither"), Interval(Integral, 1, None, closed="left")],
        "test_size": [Interval(RealNotInt, 0, 1, closed="neither"), Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def cold_start_split(*arrays, items, cold_size=0.2, test_size=0.2, random_state=None):
    """Split rows into train and test so that some test items never appear in training.

    The test part holds two kinds of rows:

    - cold: every row of a random ``cold_size`` of the items, which are
      therefore absent from the training part (new products);
    - warm: a random ``test_size`` of the other items' rows, drawn so that
      each of those items keeps at least one row in the training part.

    Evaluate the two separately with ``popularity_buckets(items_test,
    reference=items_train)`` (cold items are labelled ``"cold"``) and
    :func:`~sk_textrec.metrics.group_classification_report`.

    Parameters
    ----------
    *arrays : sequence of indexables with the same length
        Lists, arrays, sparse matrices or pandas objects to split.
    items : array-like of shape (n_samples,)
        Item id of each row (e.g. ``clothing_id``).
    cold_size : float or int, default=0.2
        Share (float) or number (int) of the distinct items that are cold.
    test_size : float or int, default=0.2
        Share (float) or number (int) of the warm items' rows put in the test
        part. Only rows beyond an item's first (random) row can be drawn.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.

    Returns
    -------
    splitting : list of length 2 * len(arrays)
        Train and test part of each array, rows in their original order. Pass
        ``np.arange(n_samples)`` as an array to get the row indices.

    Raises
    ------
    ValueError
        When the sizes leave no item (or row) on one side, or when fewer warm
        rows can be drawn than ``test_size`` asks for.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_textrec.model_selection import cold_start_split
    >>> items = np.array(["a", "a", "a", "b", "b", "c", "c", "d", "d", "d"])
    >>> items_train, items_test = cold_start_split(items, items=items, cold_size=1, test_size=2,
    ...                                            random_state=0)
    >>> cold = ~np.isin(items_test, items_train)
    >>> len(set(items_test[cold])), int((~cold).sum())
    (1, 2)
    """
    if not arrays:
        raise ValueError("At least one array is required.")
    arrays = indexable(*arrays)
    codes, distinct = _item_codes(items, "items")
    n_samples = _num_samples(arrays[0])
    if codes.shape[0] != n_samples:
        raise ValueError(f"items has {codes.shape[0]} entries but the arrays have {n_samples} rows.")
    rng = check_random_state(random_state)
    n_cold = _count(cold_size, len(distinct), "cold_size")
    is_cold_item = np.zeros(len(distinct), dtype=bool)
    is_cold_item[rng.choice(len(distinct), size=n_cold, replace=False)] = True
    warm_rows = np.flatnonzero(~is_cold_item[codes])
    shuffled = rng.permutation(warm_rows)
    # the first row of each warm item in the shuffled order stays in training
    _, first = np.unique(codes[shuffled], return_index=True)
    drawable = np.delete(shuffled, first)
    n_test = _count(test_size, warm_rows.size, "test_size")
    if n_test > drawable.size:
        raise ValueError(f"test_size={test_size!r} asks for {n_test} warm rows but only {drawable.size} "
                         "can go to the test part while every warm item keeps a training row.")
    in_test = is_cold_item[codes]
    in_test[rng.choice(drawable, size=n_test, replace=False)] = True
    train, test = np.flatnonzero(~in_test), np.flatnonzero(in_test)
    return [part for array in arrays for part in (_safe_indexing(array, train), _safe_indexing(array, test))]
