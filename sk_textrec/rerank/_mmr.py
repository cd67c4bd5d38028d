"""MMRReranker: top-k lists that trade relevance for diversity (MMR or a greedy DPP)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted, validate_data

from ..metrics import ndcg_at_k_score
from ..metrics._lists import check_gains, lists_from_padded, relevance_from_matrix
from ..utils._items import SIMILARITIES, ItemSimilarity
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ..utils._validation import check_sample_weight
from ._greedy import dpp_select, mmr_select

_STRATEGIES = {"mmr": mmr_select, "dpp": dpp_select}
# Queries are re-ranked in chunks so that the DPP's Cholesky factors
# (chunk x k x n_items floats) stay around 64 MB.
_CHUNK_FLOATS = 2**23


class MMRReranker(BaseEstimator):
    """Re-rank candidates for relevance and diversity.

    Each row of ``X`` is a query (a user, a search, a department page) and each
    column an item of the catalogue; ``X[q, i]`` is the relevance score of
    item ``i`` for query ``q`` (e.g. a classifier's ``predict_proba``), NaN for
    items that are not candidates of that query. :meth:`predict` builds each
    query's top-``k`` list greedily:

    - ``strategy="mmr"``, maximal marginal relevance (Carbonell & Goldstein
      1998): the next item maximises ``relevance_weight * relevance
      - (1 - relevance_weight) * (largest similarity to the items already
      in the list)``;
    - ``strategy="dpp"``, greedy MAP of a determinantal point process (Chen,
      Zhang & Zhou 2018) whose kernel weighs each item by
      ``exp(alpha * relevance)``, ``alpha = relevance_weight / (2 (1 -
      relevance_weight))``: the list maximises ``relevance_weight *
      sum(relevance) + (1 - relevance_weight) * log det(similarity)``.

    ``relevance_weight=1`` ranks by relevance alone; lower values buy
    diversity with relevance. Both are vectorised over items and queries:
    re-ranking 1,000 candidates to a top 50 takes milliseconds.

    Parameters
    ----------
    item_features : array-like or None, default=None
        The catalogue's items, one row per column of ``X``:
        embeddings of shape (n_items, n_features) (e.g. the mean
        :class:`~sk_textrec.TextEmbedder` vector of an item's texts) for
        ``similarity="cosine"``; category labels of shape (n_items,) for
        ``"category"``; a positive semi-definite similarity matrix of shape
        (n_items, n_items) for ``"precomputed"``. ``None``: the items'
        similarity is learned in :meth:`fit`, as the cosine of their centred
        score columns in ``X`` (items the training queries score alike are
        alike: item-based collaborative filtering).
    similarity : {"cosine", "category", "precomputed"}, default="cosine"
        How the similarity of two items is computed from ``item_features``.
    k : int, default=10
        Length of the lists.
    relevance_weight : float, default=0.5
        The trade-off, λ of Carbonell & Goldstein: 1 is relevance only, 0 is
        diversity only (after the most relevant first item, for MMR). Tune
        it in a search with :func:`~sk_textrec.metrics.make_ranking_scorer`.
    strategy : {"mmr", "dpp"}, default="mmr"
        The greedy objective.
    normalize_relevance : bool, default=False
        Min-max scale each query's candidate scores to [0, 1] first, so that
        ``relevance_weight`` means the same for scores of any range (logits,
        ratings); without it, relevance should be on the scale of a
        similarity (probabilities are).

    Attributes
    ----------
    n_features_in_ : int
        Number of items (columns of ``X``).
    n_items_ : int
        Same as ``n_features_in_``: the size of the catalogue.

    See Also
    --------
    sk_textrec.metrics.intra_list_diversity_score : Diversity of the lists.
    sk_textrec.metrics.ndcg_at_k_score : What :meth:`score` returns.

    Notes
    -----
    The parameter is called ``relevance_weight``, not ``lambda_`` as the
    paper's λ would suggest in Python: scikit-learn reads a trailing
    underscore as "fitted attribute".

    References
    ----------
    Carbonell and Goldstein, "The use of MMR, diversity-based reranking for
    reordering documents and producing summaries", SIGIR 1998.
    Chen, Zhang and Zhou, "Fast Greedy MAP Inference for Determinantal Point
    Process to Improve Recommendation Diversity", NeurIPS 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_textrec.rerank import MMRReranker
    >>> categories = ["dress", "dress", "dress", "jeans", "top"]
    >>> scores = np.array([[0.9, 0.85, 0.8, 0.5, 0.4]])
    >>> MMRReranker(categories, similarity="category", k=3, relevance_weight=1.0).fit(scores).predict(scores)
    array([[0, 1, 2]])
    >>> MMRReranker(categories, similarity="category", k=3, relevance_weight=0.5).fit(scores).predict(scores)
    array([[0, 3, 4]])
    """

    _parameter_constraints: dict = {
        "item_features": ["array-like", None],
        "similarity": [StrOptions(set(SIMILARITIES))],
        "k": [Interval(Integral, 1, None, closed="left")],
        "relevance_weight": [Interval(Real, 0, 1, closed="both")],
        "strategy": [StrOptions(set(_STRATEGIES))],
        "normalize_relevance": ["boolean"],
    }

    def __init__(self, item_features=None, *, similarity="cosine", k=10, relevance_weight=0.5, strategy="mmr",
                 normalize_relevance=False):
        self.item_features = item_features
        self.similarity = similarity
        self.k = k
        self.relevance_weight = relevance_weight
        self.strategy = strategy
        self.normalize_relevance = normalize_relevance

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the score matrix against the catalogue and build the item similarity.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_items)
            Relevance scores, NaN for non-candidates.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted re-ranker.
        """
        X = validate_data(self, X, ensure_all_finite="allow-nan", dtype=np.float64)
        if self.item_features is None:
            if self.similarity != "cosine":
                raise ValueError(f"similarity={self.similarity!r} needs item_features; without them the "
                                 "similarity is the cosine of the score columns of X (similarity='cosine').")
            scored = ~np.isnan(X)
            centred = np.where(scored, X - _row_means(X, scored), 0.0)
            self._item_similarity = ItemSimilarity(centred.T, "cosine", allow_zero=True)
        else:
            self._item_similarity = ItemSimilarity(self.item_features, self.similarity)
            if self._item_similarity.n_items != X.shape[1]:
                raise ValueError(f"X has {X.shape[1]} columns but item_features describes "
                                 f"{self._item_similarity.n_items} items; X needs one column per item.")
        if self.strategy == "dpp":
            self._item_similarity.check_positive_semidefinite()
        self.n_items_ = X.shape[1]
        return self

    def predict(self, X):
        """Top-``k`` list of each query, best first.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_items)
            Relevance scores, NaN for non-candidates.

        Returns
        -------
        lists : ndarray of shape (n_queries, k), dtype=int
            Column positions of the selected items, padded with -1 where a
            query has fewer than ``k`` candidates.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        candidates = ~np.isnan(X)
        relevance = np.where(candidates, X, 0.0)
        if self.normalize_relevance:
            relevance = _min_max(relevance, candidates)
        if self.strategy == "dpp":  # set_params may have chosen it after fit; the check is cached
            self._item_similarity.check_positive_semidefinite()
        select = _STRATEGIES[self.strategy]
        chunk = max(1, _CHUNK_FLOATS // (self.k * X.shape[1]))
        lists = [
            select(relevance[start:start + chunk], candidates[start:start + chunk], self._item_similarity,
                   self.k, float(self.relevance_weight))
            for start in range(0, X.shape[0], chunk)
        ]
        return np.vstack(lists) if lists else np.empty((0, self.k), dtype=np.intp)

    def score(self, X, y, sample_weight=None):
        """Mean NDCG@k of the lists against graded relevance ``y``.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_items)
            Relevance scores, NaN for non-candidates.
        y : array-like of shape (n_queries, n_items)
            True relevance gains (0 for irrelevant items).
        sample_weight : array-like of shape (n_queries,), default=None
            Weight of each query.

        Returns
        -------
        score : float
            Queries without relevant items are left out. For diversity or
            coverage use :func:`~sk_textrec.metrics.make_ranking_scorer`.
        """
        lists = self.predict(X)
        gains = check_gains(y)
        if gains.shape != lists.shape[:1] + (self.n_items_,):
            raise ValueError(f"y must have shape (n_queries, n_items) = ({lists.shape[0]}, {self.n_items_}); "
                             f"got {gains.shape}.")
        values = ndcg_at_k_score(lists_from_padded(lists), relevance_from_matrix(gains), k=self.k,
                                 average=False)
        weight = check_sample_weight(sample_weight, len(values))
        evaluated = ~np.isnan(values)
        return float(np.average(values[evaluated], weights=weight[evaluated]))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN marks the items that are not candidates
        tags.target_tags.required = False
        return tags


def _row_means(X, scored):
    counts = scored.sum(axis=1, keepdims=True)
    return np.where(scored, X, 0.0).sum(axis=1, keepdims=True) / np.maximum(counts, 1)


def _min_max(relevance, candidates):
    low = np.min(np.where(candidates, relevance, np.inf), axis=1, keepdims=True)
    high = np.max(np.where(candidates, relevance, -np.inf), axis=1, keepdims=True)
    spread = np.where(high > low, high - low, 1.0)
    return np.where(candidates, (relevance - np.where(np.isfinite(low), low, 0.0)) / spread, 0.0)
