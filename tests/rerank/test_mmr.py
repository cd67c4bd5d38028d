"""Tests of MMRReranker (sk_textrec/rerank/_mmr.py and _greedy.py): compliance, then behaviour."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from sk_textrec.metrics import intra_list_diversity_score, ndcg_at_k_score
from sk_textrec.rerank import MMRReranker
from sk_textrec.utils._sklearn_compat import InvalidParameterError

# score(X, y) takes the relevance matrix y of shape (n_queries, n_items); these
# checks call it with a 1-D y.
XFAIL = dict.fromkeys(["check_fit_score_takes_y", "check_pipeline_consistency"],
                      "score needs y of shape (n_queries, n_items)")


@parametrize_with_checks([MMRReranker(), MMRReranker(strategy="dpp", k=3)],
                         expected_failed_checks=lambda estimator: XFAIL)
def test_mmr_reranker_sklearn_compliance(estimator, check):
    """Check that MMRReranker passes scikit-learn's estimator checks (numeric input)."""
    check(estimator)


def _catalogue(n_queries=40, n_items=60, n_features=8, seed=0):
    rng = np.random.RandomState(seed)
    embeddings = rng.normal(size=(n_items, n_features))
    relevance = rng.rand(n_queries, n_items)
    return embeddings, relevance


def _naive_mmr(relevance, similarity, k, weight):
    """MMR written as in the paper, one candidate at a time."""
    selected = [int(np.argmax(relevance))]
    while len(selected) < min(k, relevance.size):
        best, best_value = None, -np.inf
        for item in range(relevance.size):
            if item in selected:
                continue
            value = weight * relevance[item] - (1 - weight) * max(similarity[item, s] for s in selected)
            if value > best_value:
                best, best_value = item, value
        selected.append(best)
    return selected


def _naive_dpp(relevance, similarity, k, weight):
    """Greedy MAP of the DPP by recomputing log-determinants; ties go to the most relevant."""
    quality = np.exp(weight / (2 * (1 - weight)) * relevance)
    kernel = quality[:, None] * similarity * quality[None, :]
    selected = []
    for _ in range(k):
        gains = np.array([np.linalg.slogdet(kernel[np.ix_(selected + [i], selected + [i])])[1]
                          if i not in selected else -np.inf for i in range(relevance.size)])
        tied = gains >= gains.max() - 1e-9
        selected.append(int(np.argmax(np.where(tied, relevance, -np.inf))))
    return selected


@pytest.mark.parametrize("weight", [0.0, 0.3, 0.7, 0.95])
def test_mmr_matches_the_naive_algorithm(weight):
    """Check the vectorised MMR against a loop over candidates, on cosine similarity."""
    embeddings, relevance = _catalogue(n_queries=10, n_items=25)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    lists = MMRReranker(embeddings, k=6, relevance_weight=weight).fit(relevance).predict(relevance)
    for query, row in enumerate(lists):
        assert row.tolist() == _naive_mmr(relevance[query], unit @ unit.T, 6, weight)


@pytest.mark.parametrize("weight", [0.0, 0.4, 0.8])
def test_dpp_matches_greedy_log_determinant(weight):
    """Check the incremental-Cholesky DPP against greedy log-determinant maximisation."""
    embeddings, relevance = _catalogue(n_queries=6, n_items=20, n_features=10)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    lists = MMRReranker(embeddings, k=5, relevance_weight=weight, strategy="dpp").fit(relevance).predict(relevance)
    for query, row in enumerate(lists):
        assert row.tolist() == _naive_dpp(relevance[query], unit @ unit.T, 5, weight)


@pytest.mark.parametrize("strategy", ["mmr", "dpp"])
def test_relevance_weight_one_ranks_by_relevance(strategy):
    """Check that relevance_weight=1 returns the top k by score."""
    embeddings, relevance = _catalogue()
    lists = MMRReranker(embeddings, k=7, relevance_weight=1.0, strategy=strategy).fit(relevance).predict(relevance)
    assert_array_equal(lists, np.argsort(-relevance, axis=1)[:, :7])


def _log_volume(lists, unit):
    """Mean log-determinant of the lists' similarity matrices: the diversity a DPP maximises."""
    return np.mean([np.linalg.slogdet(unit[row] @ unit[row].T)[1] for row in lists])


@pytest.mark.parametrize("strategy", ["mmr", "dpp"])
def test_lower_relevance_weight_trades_relevance_for_diversity(strategy):
    """Check that diversity rises and NDCG against the scores falls as relevance_weight goes down.

    Diversity is what each strategy trades for: intra-list diversity for MMR,
    the log-volume of the list for the DPP.
    """
    embeddings, relevance = _catalogue(n_queries=60)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    gains = [dict(enumerate(row)) for row in relevance.tolist()]
    diversity, ndcg = [], []
    for weight in (1.0, 0.7, 0.4, 0.0):
        lists = MMRReranker(embeddings, k=8, relevance_weight=weight, strategy=strategy).fit(relevance).predict(
            relevance)
        diversity.append(intra_list_diversity_score(lists, item_features=embeddings) if strategy == "mmr"
                         else _log_volume(lists, unit))
        ndcg.append(ndcg_at_k_score(lists, gains, k=8))
    assert np.all(np.diff(diversity) > 0) and np.all(np.diff(ndcg) < 0)


@pytest.mark.parametrize("strategy", ["mmr", "dpp"])
def test_only_candidates_are_selected_and_short_lists_are_padded(strategy):
    """Check that NaN items are never picked and that lists are padded with -1."""
    embeddings, relevance = _catalogue(n_queries=3, n_items=10)
    relevance[0, 3:] = np.nan  # 3 candidates
    relevance[1, :] = np.nan  # none
    lists = MMRReranker(embeddings, k=5, strategy=strategy).fit(relevance).predict(relevance)
    assert sorted(lists[0, :3].tolist()) == [0, 1, 2] and lists[0, 3:].tolist() == [-1, -1]
    assert lists[1].tolist() == [-1] * 5
    assert (lists[2] >= 0).all() and len(set(lists[2].tolist())) == 5


def test_category_similarity_picks_new_categories_first():
    """Check that a low weight takes one item per category, then (DPP) fills by relevance."""
    categories = np.array(["dress"] * 4 + ["jeans"] * 2 + ["top"])
    relevance = np.array([[0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.2]])
    mmr = MMRReranker(categories, similarity="category", k=5, relevance_weight=0.2).fit(relevance)
    assert mmr.predict(relevance).tolist() == [[0, 4, 6, 1, 2]]
    dpp = MMRReranker(categories, similarity="category", k=5, relevance_weight=0.2, strategy="dpp").fit(relevance)
    # the category kernel has rank 3: one item per category, then the most relevant others
    assert dpp.predict(relevance).tolist() == [[0, 4, 6, 1, 2]]


def test_precomputed_similarity_equals_cosine():
    """Check that a precomputed cosine matrix gives the same lists as the embeddings."""
    embeddings, relevance = _catalogue(n_queries=8, n_items=15)
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    for strategy in ("mmr", "dpp"):
        from_features = MMRReranker(embeddings, k=5, strategy=strategy).fit(relevance).predict(relevance)
        precomputed = MMRReranker(unit @ unit.T, similarity="precomputed", k=5, strategy=strategy)
        assert_array_equal(precomputed.fit(relevance).predict(relevance), from_features)


def test_normalize_relevance_makes_lists_scale_free():
    """Check that with normalize_relevance an affine change of each query's scores changes nothing."""
    embeddings, relevance = _catalogue(n_queries=10, n_items=30)
    scaled = 20 * relevance - 7
    model = MMRReranker(embeddings, k=6, normalize_relevance=True).fit(relevance)
    assert_array_equal(model.predict(scaled), model.predict(relevance))
    raw = MMRReranker(embeddings, k=6).fit(relevance)
    assert not np.array_equal(raw.predict(scaled), raw.predict(relevance))


def test_learned_similarity_without_item_features():
    """Check that without features, items scored alike by the training queries count as similar."""
    rng = np.random.RandomState(0)
    group = np.repeat([0, 1], 5)  # two kinds of items: queries like one kind or the other
    X = np.where(group[None, :] == (np.arange(20) % 2)[:, None], 0.8, 0.2) + 0.01 * rng.rand(20, 10)
    model = MMRReranker(k=2, relevance_weight=0.3).fit(X)
    query = np.array([[0.9, 0.89, 0.88, 0.87, 0.86, 0.5, 0.4, 0.3, 0.2, 0.1]])
    assert model.predict(query).tolist() == [[0, 5]]  # the second pick is of the other kind
    with pytest.raises(ValueError, match="similarity='category' needs item_features"):
        MMRReranker(similarity="category").fit(X)


def test_score_is_weighted_ndcg_and_reranker_pickles():
    """Check score() against ndcg_at_k_score, with query weights, and a pickle round trip."""
    embeddings, relevance = _catalogue(n_queries=12, n_items=20)
    truth = (relevance > 0.7).astype(float)
    model = MMRReranker(embeddings, k=4).fit(relevance)
    lists = model.predict(relevance)
    per_query = ndcg_at_k_score(lists, [set(np.flatnonzero(row).tolist()) for row in truth], k=4, average=False)
    weight = np.arange(12) + 1.0
    assert model.score(relevance, truth) == pytest.approx(np.nanmean(per_query))
    defined = ~np.isnan(per_query)
    assert model.score(relevance, truth, sample_weight=weight) == pytest.approx(
        np.average(per_query[defined], weights=weight[defined]))
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict(relevance), lists)
    assert_array_equal(clone(model).fit(relevance).predict(relevance), lists)


@pytest.mark.parametrize(
    "params, X, err_type, err_msg",
    [
        ({"item_features": np.eye(3)}, np.ones((2, 4)), ValueError, "X has 4 columns but item_features describes 3"),
        ({"item_features": [[1.0, 0.0], [0.0, 0.0]]}, np.ones((2, 2)), ValueError, "row 1 is all zeros"),
        ({"item_features": np.ones((3, 2)), "similarity": "precomputed"}, np.ones((2, 3)), ValueError,
         "must be square"),
        ({"relevance_weight": 1.5}, np.ones((2, 2)), InvalidParameterError, "'relevance_weight' parameter"),
        ({"k": 0}, np.ones((2, 2)), InvalidParameterError, "'k' parameter"),
        ({"strategy": "greedy"}, np.ones((2, 2)), InvalidParameterError, "'strategy' parameter"),
        ({}, np.array([[1.0, np.inf]]), ValueError, "infinity"),
        ({"item_features": [[1.0, 0.9], [0.1, 1.0]], "similarity": "precomputed"}, np.ones((1, 2)), ValueError,
         r"symmetric similarity matrix .* entry \(0, 1\) is 0.9 but \(1, 0\) is 0.1"),
        ({"item_features": [[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]], "similarity": "precomputed",
          "strategy": "dpp"}, np.ones((1, 3)), ValueError, "item_features is not positive semi-definite"),
    ],
)
def test_mmr_reranker_bad_input(params, X, err_type, err_msg):
    """Check the errors for mismatched catalogues, bad features and parameters."""
    with pytest.raises(err_type, match=err_msg):
        MMRReranker(**params).fit(X)


def test_score_needs_relevance_matrix():
    """Check that score() names the expected shape of y and refuses negative gains."""
    embeddings, relevance = _catalogue(n_queries=3, n_items=5)
    model = MMRReranker(embeddings).fit(relevance)
    with pytest.raises(ValueError, match=r"y must have shape \(n_queries, n_items\) = \(3, 5\)"):
        model.score(relevance, np.ones(3))
    with pytest.raises(ValueError, match="relevance gains >= 0"):
        model.score(relevance, -np.ones((3, 5)))


def test_dpp_psd_check_after_set_params():
    """Check that choosing the DPP after fit still refuses a non-PSD matrix at predict."""
    similarity = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, -0.9], [0.9, -0.9, 1.0]])
    relevance = np.array([[0.9, 0.8, 0.1]])
    model = MMRReranker(similarity, similarity="precomputed", k=2).fit(relevance)
    assert model.predict(relevance).shape == (1, 2)  # MMR needs no PSD matrix
    with pytest.raises(ValueError, match="not positive semi-definite"):
        model.set_params(strategy="dpp").predict(relevance)
    rank_deficient = np.ones((3, 3))  # PSD with zero eigenvalues: accepted
    assert MMRReranker(rank_deficient, similarity="precomputed", strategy="dpp", k=2).fit(
        relevance).predict(relevance).shape == (1, 2)


def test_score_refuses_negative_query_weights():
    """Check that score() validates sample_weight with the shared rule."""
    embeddings, relevance = _catalogue(n_queries=3, n_items=5)
    model = MMRReranker(embeddings, k=2).fit(relevance)
    with pytest.raises(ValueError, match=r"sample_weight has a negative weight \(-1.0\) at row 2"):
        model.score(relevance, (relevance > 0.5).astype(float), sample_weight=[1.0, 1.0, -1.0])
