"""Item catalogues shared by the recommendation metrics and the re-rankers.

A catalogue is a sequence of item ids plus arrays aligned with it: embeddings,
category labels or interaction counts. ``ItemIndex`` maps ids to positions in
those arrays; ``ItemSimilarity`` gives the pairwise similarity of items from
their features; ``popularity_levels`` puts items into head / torso / tail by
their interaction counts.
"""

import numbers

import numpy as np

from ._validation import as_float_array

SIMILARITIES = ("cosine", "category", "precomputed")


def factorize(values, input_name="values"):
    """Integer code of each value (in order of first appearance) and the distinct values.

    Works for any hashable values, mixed types included, which ``np.unique``
    (it sorts) does not. An unhashable value (a list, a dict) is a TypeError
    naming ``input_name`` and its row.
    """
    codes = {}
    try:
        index = np.fromiter((codes.setdefault(value, len(codes)) for value in values), dtype=np.intp,
                            count=len(values))
    except TypeError:
        raise _unhashable(values, input_name) from None
    return index, list(codes)


def _unhashable(values, input_name):
    """The TypeError for the first unhashable entry of ``values``."""
    for row, value in enumerate(values):
        try:
            hash(value)
        except TypeError:
            return TypeError(f"{input_name} has an unhashable id at row {row}: {type(value).__name__} "
                             f"{value!r:.40}. Ids must be str, int or other hashable values, one per row.")
    return TypeError(f"{input_name} holds values that cannot be used as ids.")


def _is_missing_id(item):
    return item is None or (isinstance(item, (float, np.floating)) and bool(np.isnan(item)))


class ItemIndex:
    """Positions of item ids in the arrays that describe a catalogue.

    Parameters
    ----------
    items : array-like of shape (n_items,) or None
        The ids, in the order of the feature arrays. ``None``: the ids are the
        integer positions ``0 .. n_items - 1`` themselves.
    n_items : int
        Length of the feature arrays (checked against ``items``).
    input_name : str
        Name of the parameter ``items`` in error messages.
    """

    def __init__(self, items, n_items, *, input_name="items"):
        self.n_items = n_items
        self.input_name = input_name
        self._positions = None
        if items is None:
            return
        items = list(np.asarray(items, dtype=object).ravel()) if not isinstance(items, list) else items
        if len(items) != n_items:
            raise ValueError(
                f"{input_name} has {len(items)} ids but the item arrays have {n_items} rows; they "
                "must be aligned (one id per row)."
            )
        positions = {}
        for position, item in enumerate(items):
            if _is_missing_id(item):
                raise ValueError(f"{input_name} has a missing id (None or NaN) at position {position}.")
            try:
                seen = item in positions
            except TypeError:
                raise _unhashable(items, input_name) from None
            if seen:
                raise ValueError(f"{input_name} has the id {item!r} twice (positions "
                                 f"{positions[item]} and {position}); ids must be unique.")
            positions[item] = position
        self._positions = positions

    def position(self, item, where):
        """Position of ``item``; ``where`` says in the error which list it came from."""
        if self._positions is None:
            if isinstance(item, numbers.Integral) and not isinstance(item, bool) and 0 <= item < self.n_items:
                return int(item)
            raise ValueError(
                f"{where} holds the item {item!r}, which is not a position 0..{self.n_items - 1} of "
                "the item arrays; pass `items` (the ids of those rows) to use other ids."
            )
        try:
            return self._positions[item]
        except KeyError:
            raise ValueError(f"{where} holds the item {item!r}, which is not in `{self.input_name}`.") from None
        except TypeError:
            raise TypeError(f"{where} holds the unhashable item {item!r}.") from None

    def positions(self, ids, where):
        return np.fromiter((self.position(item, where) for item in ids), dtype=np.intp, count=len(ids))


class ItemSimilarity:
    """Pairwise similarity of items from their features.

    Parameters
    ----------
    item_features : array-like
        ``similarity="cosine"``: embeddings of shape (n_items, n_features);
        ``"category"``: labels of shape (n_items,), items are similar (1) when
        their labels are equal and dissimilar (0) otherwise;
        ``"precomputed"``: a symmetric similarity matrix (n_items, n_items).
    similarity : {"cosine", "category", "precomputed"}
    input_name : str
        Name of the features in error messages.
    allow_zero : bool
        Whether an all-zero embedding is accepted (similar to no item) rather
        than an error.
    """

    def __init__(self, item_features, similarity, *, input_name="item_features", allow_zero=False):
        if similarity not in SIMILARITIES:
            raise ValueError(f"similarity must be one of {SIMILARITIES}; got {similarity!r}.")
        self.similarity = similarity
        if similarity == "category":
            labels = np.asarray(item_features, dtype=object)
            if labels.ndim != 1:
                raise ValueError(f"{input_name} must be 1-D category labels for similarity='category'; "
                                 f"got shape {labels.shape}.")
            for position, label in enumerate(labels):
                if _is_missing_id(label):
                    raise ValueError(f"{input_name} has a missing category (None or NaN) at row {position}.")
            self._codes = factorize(labels, input_name)[0]
            self.n_items = labels.shape[0]
            return
        features = as_float_array(item_features, input_name=input_name)
        if features.ndim != 2:
            raise ValueError(f"{input_name} must be 2-D for similarity={similarity!r}; got shape "
                             f"{features.shape}.")
        if not np.all(np.isfinite(features)):
            row = int(np.flatnonzero(~np.isfinite(features).all(axis=1))[0])
            raise ValueError(f"{input_name} has a NaN or infinite value in row {row}.")
        if similarity == "precomputed":
            if features.shape[0] != features.shape[1]:
                raise ValueError(f"{input_name} must be square for similarity='precomputed'; got "
                                 f"shape {features.shape}.")
            asymmetric = ~np.isclose(features, features.T, rtol=1e-7, atol=1e-9)
            if asymmetric.any():
                i, j = np.argwhere(asymmetric)[0]
                raise ValueError(f"{input_name} must be a symmetric similarity matrix for "
                                 f"similarity='precomputed'; entry ({i}, {j}) is {float(features[i, j])} "
                                 f"but ({j}, {i}) is {float(features[j, i])}.")
            self._matrix = features
        else:
            norms = np.linalg.norm(features, axis=1)
            if np.any(norms == 0) and not allow_zero:
                raise ValueError(f"{input_name} row {int(np.flatnonzero(norms == 0)[0])} is all zeros: "
                                 "its cosine similarity is undefined.")
            # float32 halves the memory the re-rankers stream through at every
            # greedy step; the similarities of small lists are computed from it
            # in float64.
            self._unit = (features / np.where(norms > 0, norms, 1.0)[:, None]).astype(np.float32)
        self.n_items = features.shape[0]
        self.input_name = input_name

    def check_positive_semidefinite(self):
        """Raise a ValueError naming the features unless the similarity matrix is PSD.

        Cosine and category similarities are PSD by construction; a precomputed
        matrix is checked with one Cholesky factorisation (O(n_items^3), once:
        the answer is cached), with a little jitter for rank-deficient matrices.
        """
        if self.similarity != "precomputed" or getattr(self, "_is_psd", False):
            return
        scale = max(1.0, float(np.max(np.abs(np.diag(self._matrix)), initial=0.0)))
        try:
            np.linalg.cholesky(self._matrix + 1e-9 * scale * np.eye(self.n_items))
        except np.linalg.LinAlgError:
            raise ValueError(
                f"{self.input_name} is not positive semi-definite (it has a negative eigenvalue), "
                "which a DPP needs: its determinants would be negative and its choices meaningless. "
                "Use a cosine or category similarity, a PSD matrix (e.g. a Gram matrix X @ X.T), or "
                "strategy='mmr'."
            ) from None
        self._is_psd = True

    def between(self, rows, columns):
        """Similarity matrix of the items at positions ``rows`` and ``columns``."""
        if self.similarity == "category":
            return (self._codes[rows][:, None] == self._codes[columns][None, :]).astype(float)
        if self.similarity == "precomputed":
            return self._matrix[np.ix_(rows, columns)]
        return self._unit[rows].astype(float) @ self._unit[columns].astype(float).T

    def self_similarity(self):
        """Similarity of each item to itself: shape (n_items,)."""
        if self.similarity == "category":
            return np.ones(self.n_items)
        if self.similarity == "precomputed":
            return np.diag(self._matrix).copy()
        return (np.abs(self._unit).sum(axis=1) > 0).astype(float)  # 1, or 0 for an all-zero row

    def to_all(self, rows):
        """Similarity of the items at ``rows`` to every item: shape (len(rows), n_items)."""
        if self.similarity == "category":
            return (self._codes[rows][:, None] == self._codes[None, :]).astype(float)
        if self.similarity == "precomputed":
            return self._matrix[rows]
        return (self._unit @ self._unit[rows].T).T


def popularity_levels(counts, *, head, tail):
    """Bucket of each item from its interaction count: 0 head, 1 torso, 2 tail.

    Items are ranked by count. An item is in the head when the items at least
    as popular as it make up at most ``head`` of all items, in the tail when the
    items at most as popular make up at most ``tail`` of them, and in the torso
    otherwise. Items with equal counts therefore always share a bucket, and the
    head and tail never hold more than their shares.
    """
    counts = np.asarray(counts, dtype=float)
    n = counts.size
    ordered = np.sort(counts)
    share_at_most = np.searchsorted(ordered, counts, side="right") / n
    share_at_least = (n - np.searchsorted(ordered, counts, side="left")) / n
    levels = np.ones(n, dtype=np.intp)
    levels[share_at_most <= tail + 1e-12] = 2
    levels[share_at_least <= head + 1e-12] = 0
    return levels
