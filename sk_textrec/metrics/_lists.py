"""Validation of recommendation lists and relevance judgements, and their gain matrix.

The input format of every ranking and beyond-accuracy metric:

- ``recommended``: one ordered list of item ids per user (or query), best
  first; lists may differ in length. A list of lists, a 1-D object array or
  pandas Series of lists, or a 2-D array (one row per user).
- ``relevant``: for each user, the items that are relevant to them: a set (or
  list) of ids, each with gain 1, or a dict ``{item: gain}`` of graded
  relevance (gains >= 0; an item with gain 0 is not relevant).
"""

import numbers
from collections.abc import Mapping, Set

import numpy as np

from ..utils._items import _is_missing_id
from ..utils._validation import as_float_array


def _rows(values, input_name):
    """The per-user entries of ``values`` as a list."""
    if isinstance(values, (str, bytes, Mapping)):
        raise TypeError(f"{input_name} must be a sequence with one entry per user; got "
                        f"{type(values).__name__}.")
    if hasattr(values, "iloc"):  # pandas Series
        values = values.tolist()
    if isinstance(values, np.ndarray):
        if values.ndim == 2:
            return list(values)
        if values.ndim != 1:
            raise ValueError(f"{input_name} must be 1-D (one entry per user) or 2-D (one row per "
                             f"user); got shape {values.shape}.")
    return list(values)


def _is_sequence(entry):
    return isinstance(entry, (list, tuple, np.ndarray)) or hasattr(entry, "iloc")


def check_recommendations(recommended, *, k=None, input_name="recommended"):
    """Validate recommendation lists; return them as lists of ids cut to ``k``.

    Raises ``TypeError`` for a flat list of ids (one user's list not wrapped in
    a list), a set or a string where a list is expected, and ``ValueError`` for
    missing ids and for an id repeated in one list; messages name the row.
    """
    rows = _rows(recommended, input_name)
    if not rows:
        raise ValueError(f"{input_name} is empty: at least one user's list is required.")
    lists = []
    for row, entry in enumerate(rows):
        if isinstance(entry, (Set, Mapping)):
            raise TypeError(f"{input_name}[{row}] is a {type(entry).__name__}; recommendations are "
                            "ordered: give a list, best item first.")
        if not _is_sequence(entry):
            raise TypeError(
                f"{input_name} must hold one list of item ids per user; {input_name}[{row}] is "
                f"{type(entry).__name__} {entry!r:.40}. For a single user, wrap the list: "
                f"[{input_name}]."
            )
        items = entry.tolist() if hasattr(entry, "tolist") else list(entry)
        items = items if k is None else items[:k]
        seen = set()
        for item in items:
            if _is_missing_id(item):
                raise ValueError(f"{input_name}[{row}] has a missing item id (None or NaN).")
            try:
                if item in seen:
                    raise ValueError(f"{input_name}[{row}] recommends the item {item!r} twice.")
            except TypeError:
                raise TypeError(f"{input_name}[{row}] holds the unhashable item {item!r}.") from None
            seen.add(item)
        lists.append(items)
    return lists


def check_relevance(relevant, n_users, *, input_name="relevant"):
    """Validate relevance judgements; return one ``{item: gain}`` dict of gains > 0 per user."""
    rows = _rows(relevant, input_name)
    if len(rows) != n_users:
        raise ValueError(f"{input_name} has {len(rows)} entries but there are {n_users} "
                         "recommendation lists; give one entry per user.")
    gains = []
    for row, entry in enumerate(rows):
        if isinstance(entry, Mapping):
            user_gains = {}
            for item, gain in entry.items():
                if not isinstance(gain, numbers.Real) or not np.isfinite(gain) or gain < 0:
                    raise ValueError(f"{input_name}[{row}] gives the item {item!r} the gain {gain!r}; "
                                     "gains must be finite numbers >= 0.")
                if gain > 0:
                    user_gains[item] = float(gain)
        elif isinstance(entry, (Set, list, tuple, np.ndarray)) or hasattr(entry, "iloc"):
            try:
                user_gains = dict.fromkeys(entry.tolist() if hasattr(entry, "tolist") else entry, 1.0)
            except TypeError:
                raise TypeError(f"{input_name}[{row}] holds an unhashable item id; ids must be str, int "
                                "or other hashable values.") from None
        else:
            raise TypeError(f"{input_name}[{row}] must be a set or list of relevant item ids, or a "
                            f"dict {{item: gain}}; got {type(entry).__name__}.")
        gains.append(user_gains)
    return gains


def check_gains(y, input_name="y"):
    """Relevance gains as floats; raises unless every one is finite and >= 0."""
    gains = as_float_array(y, input_name=input_name)
    if not np.all(np.isfinite(gains)) or np.any(gains < 0):
        raise ValueError(f"{input_name} must hold relevance gains >= 0 (e.g. 0/1 labels or grades).")
    return gains


def lists_from_padded(ranked):
    """Lists of item positions from rows padded with -1 (``MMRReranker.predict``'s output)."""
    return [row[row >= 0].tolist() for row in np.asarray(ranked)]


def relevance_from_matrix(gains):
    """One ``{item position: gain}`` dict per row of a (n_queries, n_items) gain matrix (>= 0)."""
    return [{int(j): float(row[j]) for j in np.flatnonzero(row > 0)} for row in gains]


def gain_matrix(lists, gains, k):
    """Gains of the recommended slots and of the ideal ranking.

    Returns ``slot_gains`` (n_users, width) with 0 for misses and for the
    slots past the end of a short list, ``ideal_gains`` (n_users, width) the
    best possible gains in order, and ``n_relevant`` (n_users,). ``width`` is
    ``k``, or the longest list (at least 1) when ``k`` is None.
    """
    # At least one slot: when every list is empty each scores 0, as an empty list does beside others.
    width = k if k is not None else max(1, max(len(items) for items in lists))
    n_users = len(lists)
    slot_gains = np.zeros((n_users, width))
    ideal_gains = np.zeros((n_users, width))
    n_relevant = np.zeros(n_users)
    for user, (items, user_gains) in enumerate(zip(lists, gains)):
        hits = [user_gains.get(item, 0.0) for item in items[:width]]
        slot_gains[user, :len(hits)] = hits
        best = sorted(user_gains.values(), reverse=True)[:width]
        ideal_gains[user, :len(best)] = best
        n_relevant[user] = len(user_gains)
    return slot_gains, ideal_gains, n_relevant
