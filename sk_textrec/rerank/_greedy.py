"""Greedy selection of diverse top-k lists, vectorised over queries.

Both functions take ``relevance`` of shape (n_queries, n_items), a boolean
``candidates`` mask of the same shape, an ``ItemSimilarity`` over the items
and ``relevance_weight`` in [0, 1]. They return (n_queries, k) item positions,
best first, padded with -1 when a query has fewer than ``k`` candidates.
Ties are broken by relevance, then by position.
"""

import numpy as np

# A DPP stops growing a list when the next item adds less than this to the
# (normalised) determinant: the kernel's rank is used up.
_DPP_TOLERANCE = 1e-10


def _argmax_by_relevance(gain, relevance, available):
    """Per row, the available item of largest gain; ties go to the most relevant."""
    gain = np.where(available, gain, -np.inf)
    pick = gain.argmax(axis=1)
    best = gain[np.arange(gain.shape[0]), pick][:, None]
    tied = gain >= best - 1e-12 * np.maximum(np.abs(best), 1)
    if tied.sum() > gain.shape[0]:  # some row has ties: the most relevant of them
        pick = np.where(tied, relevance, -np.inf).argmax(axis=1)
    return pick, np.isfinite(best[:, 0])


def mmr_select(relevance, candidates, kernel, k, relevance_weight):
    """Maximal marginal relevance (Carbonell & Goldstein 1998).

    Each step picks the candidate maximising
    ``relevance_weight * relevance - (1 - relevance_weight) * max_sim``, where
    ``max_sim`` is its largest similarity to the items already picked (0
    before the first pick, which is therefore the most relevant item).
    """
    n_queries, n_items = relevance.shape
    rows = np.arange(n_queries)
    relevance = np.where(candidates, relevance, 0.0)
    available = candidates.copy()
    selected = np.full((n_queries, k), -1, dtype=np.intp)
    max_similarity = np.zeros((n_queries, n_items))
    weighted_relevance = relevance_weight * relevance
    for step in range(min(k, n_items)):
        gain = weighted_relevance - (1 - relevance_weight) * max_similarity
        pick, alive = _argmax_by_relevance(gain, relevance, available)
        if not alive.any():
            break
        selected[alive, step] = pick[alive]
        available[rows[alive], pick[alive]] = False
        similarity = kernel.to_all(pick)
        max_similarity = similarity if step == 0 else np.maximum(max_similarity, similarity)
    return selected


def dpp_select(relevance, candidates, kernel, k, relevance_weight):
    """Greedy MAP inference of a determinantal point process (Chen, Zhang & Zhou 2018).

    The kernel is ``L = diag(q) S diag(q)`` with quality
    ``q_i = exp(alpha * relevance_i)``, ``alpha = w / (2 (1 - w))`` for
    ``w = relevance_weight``, so that the greedy step maximises
    ``w * sum(relevance) + (1 - w) * log det(S)`` of the list. The incremental
    Cholesky update makes each step O(n_items * step). When the next item
    would add (almost) nothing to the determinant -- ``S`` has no more rank
    among the candidates, e.g. with fewer categories than ``k`` -- the rest of
    the list is filled in order of relevance. ``S`` must be positive
    semi-definite (cosine and category similarities are).
    """
    if relevance_weight == 1:
        return mmr_select(relevance, candidates, kernel, k, 1.0)
    n_queries, n_items = relevance.shape
    rows = np.arange(n_queries)
    alpha = relevance_weight / (2 * (1 - relevance_weight))
    relevance = np.where(candidates, relevance, -np.inf)
    # quality relative to each query's best candidate: the same choices, no overflow
    best = np.max(relevance, axis=1, keepdims=True, initial=-np.inf)
    shifted = np.where(candidates, relevance - np.where(np.isfinite(best), best, 0.0), 0.0)
    quality = np.where(candidates, np.exp(alpha * shifted), 0.0)
    residual = quality**2 * kernel.self_similarity()
    available = candidates.copy()
    selected = np.full((n_queries, k), -1, dtype=np.intp)
    factors = np.zeros((n_queries, min(k, n_items), n_items))
    growing = available.any(axis=1)
    for step in range(min(k, n_items)):
        pick, alive = _argmax_by_relevance(residual, relevance, available & growing[:, None])
        picked_residual = residual[rows, pick]
        growing &= alive & (picked_residual > _DPP_TOLERANCE)
        if not growing.any():
            break
        selected[growing, step] = pick[growing]
        available[rows[growing], pick[growing]] = False
        kernel_row = quality[rows, pick][:, None] * quality * kernel.to_all(pick)
        projection = np.einsum("qs,qsn->qn", factors[rows, :step, pick], factors[:, :step, :])
        update = (kernel_row - projection) / np.sqrt(np.where(growing, picked_residual, 1.0))[:, None]
        factors[:, step, :] = np.where(growing[:, None], update, 0.0)
        residual = residual - factors[:, step, :] ** 2
    return _fill_by_relevance(selected, relevance, available)


def _fill_by_relevance(selected, relevance, available):
    """Append each query's remaining candidates, most relevant first, to its short list."""
    n_selected = (selected >= 0).sum(axis=1)
    for query in np.flatnonzero((n_selected < selected.shape[1]) & available.any(axis=1)):
        rest = np.flatnonzero(available[query])
        rest = rest[np.argsort(-relevance[query, rest], kind="stable")]
        fill = rest[: selected.shape[1] - n_selected[query]]
        selected[query, n_selected[query]:n_selected[query] + fill.size] = fill
    return selected
