"""Tests of the scorer factories (sk_textrec/metrics/_scorer.py) in searches and cross-validation."""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, GroupKFold, KFold, cross_validate

from sk_textrec.metrics import (
    expected_calibration_error,
    group_disparity_score,
    intra_list_diversity_score,
    make_calibration_scorer,
    make_fairness_scorer,
    make_ranking_scorer,
    ndcg_at_k_score,
    novelty_score,
)
from sk_textrec.metrics._scorer import lists_from_rows
from sk_textrec.rerank import MMRReranker
from sk_textrec.utils._sklearn_compat import InvalidParameterError


@pytest.fixture
def classification():
    X, y = make_classification(n_samples=300, weights=[0.8], random_state=0)
    groups = np.tile(["a", "b", "c"], 100)
    return X, y, groups


def test_calibration_scorer_is_negative_ece(classification):
    """Check the scorer against the metric, for binary int and multiclass string labels."""
    X, y, _ = classification
    model = LogisticRegression().fit(X, y)
    scorer = make_calibration_scorer(n_bins=5)
    assert scorer(model, X, y) == pytest.approx(-expected_calibration_error(y, model.predict_proba(X)[:, 1],
                                                                            n_bins=5))
    labels = np.array(["x", "y", "z"])[np.arange(300) % 3]
    model = LogisticRegression().fit(X, labels)
    expected = expected_calibration_error(labels, model.predict_proba(X), labels=model.classes_, n_bins=5)
    assert scorer(model, X, labels) == pytest.approx(-expected)


def test_fairness_scorer_in_cross_validate_with_routing(classification):
    """Check that routed groups reach the scorer and the scores equal the metric per fold."""
    X, y, groups = classification
    cv = KFold(3)
    with config_context(enable_metadata_routing=True):
        scores = cross_validate(LogisticRegression(), X, y, cv=cv, return_estimator=True,
                                scoring={"eo": make_fairness_scorer("tpr"),
                                         "dp_ratio": make_fairness_scorer("selection_rate", kind="ratio")},
                                params={"groups": groups})
    for (_, test), model, eo, ratio in zip(cv.split(X), scores["estimator"], scores["test_eo"],
                                           scores["test_dp_ratio"]):
        y_pred = model.predict(X[test])
        assert eo == pytest.approx(-group_disparity_score(y[test], y_pred, groups=groups[test]))
        assert ratio == pytest.approx(group_disparity_score(y[test], y_pred, groups=groups[test],
                                                            rate="selection_rate", kind="ratio"))


def test_fairness_scorer_without_groups_explains_routing(classification):
    """Check that a fairness scorer called without groups says how to pass them."""
    X, y, _ = classification
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"enable_metadata_routing=True\).*groups=\.\.\."):
        make_fairness_scorer()(model, X, y)
    assert repr(make_fairness_scorer("fpr")) == "make_fairness_scorer('fpr', kind='difference', pos_label=1)"


def _ranking_data(n_queries=30, n_candidates=8, seed=0):
    """(query, item) rows whose relevance depends on the first feature."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_queries * n_candidates, 4))
    y = (X[:, 0] + 0.5 * rng.normal(size=len(X)) > 0.7).astype(int)
    query_id = np.repeat(np.arange(n_queries), n_candidates)
    item_id = rng.randint(0, 40, size=len(X))
    for q in range(n_queries):  # items are unique within a query
        item_id[query_id == q] = rng.choice(40, n_candidates, replace=False)
    return X, y, query_id, item_id


def test_lists_from_rows_orders_by_score_and_keeps_ties_in_row_order():
    """Check the grouping of rows into per-query lists and relevance dicts."""
    lists, relevant = lists_from_rows(
        query_id=["q2", "q1", "q2", "q1", "q2"], scores=np.array([0.5, 0.9, 0.5, 0.1, 0.8]),
        gains=np.array([1.0, 0.0, 2.0, 1.0, 0.0]), item_id=["a", "b", "c", "d", "e"],
    )
    assert lists == [["e", "a", "c"], ["b", "d"]]
    assert relevant == [{"a": 1.0, "c": 2.0}, {"d": 1.0}]


def test_ranking_scorer_rows_equal_metric_on_score_ordered_lists():
    """Check the row-format scorer against the metric on lists built by hand."""
    X, y, query_id, item_id = _ranking_data()
    model = LogisticRegression().fit(X, y)
    scores = model.predict_proba(X)[:, 1]
    lists = [np.flatnonzero(query_id == q)[np.argsort(-scores[query_id == q], kind="stable")]
             for q in range(30)]
    relevant = [set(np.flatnonzero((query_id == q) & (y == 1)).tolist()) for q in range(30)]
    scorer = make_ranking_scorer("ndcg", k=5)
    with config_context(enable_metadata_routing=True):
        value = scorer(model, X, y, query_id=query_id)
        regression = make_ranking_scorer("ndcg", k=5)(Ridge().fit(X, y), X, y, query_id=query_id)
    assert value == pytest.approx(ndcg_at_k_score(lists, relevant, k=5))
    assert 0 < regression <= 1


def test_ranking_scorer_in_grid_search_with_group_kfold():
    """Check that a search routes query_id to the scorer and keeps queries whole in folds."""
    X, y, query_id, item_id = _ranking_data()
    embeddings = np.random.RandomState(1).normal(size=(40, 5))
    scoring = {
        "ndcg@5": make_ranking_scorer("ndcg", k=5),
        "map@5": make_ranking_scorer("map", k=5),
        "ild@5": make_ranking_scorer("intra_list_diversity", k=5, item_features=embeddings),
        "gini": make_ranking_scorer("exposure_gini", k=5),
    }
    with config_context(enable_metadata_routing=True):
        search = GridSearchCV(LogisticRegression(), {"C": [0.01, 1.0]}, cv=GroupKFold(3), scoring=scoring,
                              refit="ndcg@5")
        search.fit(X, y, groups=query_id, query_id=query_id, item_id=item_id)
    results = search.cv_results_
    assert np.all(np.isfinite(results["mean_test_ndcg@5"]))
    assert np.all(results["mean_test_ndcg@5"] > 0.5)
    assert np.all((results["mean_test_gini"] <= 0) & (results["mean_test_gini"] > -1))
    assert np.all((results["mean_test_ild@5"] > 0) & (results["mean_test_ild@5"] < 2))


def test_ranking_scorer_beyond_accuracy_rows_use_item_ids():
    """Check a beyond-accuracy scorer on rows against the metric on item-id lists."""
    X, y, query_id, item_id = _ranking_data()
    popularity = np.arange(40)
    model = LogisticRegression().fit(X, y)
    scores = model.predict_proba(X)[:, 1]
    lists = [item_id[query_id == q][np.argsort(-scores[query_id == q], kind="stable")][:3].tolist()
             for q in range(30)]
    with config_context(enable_metadata_routing=True):
        value = make_ranking_scorer("novelty", k=3, item_popularity=popularity)(
            model, X, y, query_id=query_id, item_id=item_id)
        with pytest.raises(ValueError, match="needs the item of each row"):
            make_ranking_scorer("novelty", k=3, item_popularity=popularity)(model, X, y, query_id=query_id)
    assert value == pytest.approx(novelty_score(lists, item_popularity=popularity))


def test_ranking_scorer_tunes_mmr_relevance_weight():
    """Check that a search over relevance_weight scores MMRReranker's lists (no metadata needed)."""
    rng = np.random.RandomState(0)
    categories = rng.choice(list("abcd"), size=50)
    truth = (rng.rand(40, 50) < 0.2).astype(float)
    X = np.clip(truth * 0.5 + rng.rand(40, 50) * 0.6, 0, 1)
    scoring = {"ndcg": make_ranking_scorer("ndcg", k=5),
               "ild": make_ranking_scorer("intra_list_diversity", k=5, item_features=categories,
                                          similarity="category")}
    search = GridSearchCV(MMRReranker(categories, similarity="category", k=5),
                          {"relevance_weight": [0.0, 0.5, 1.0]}, scoring=scoring, refit="ndcg", cv=4)
    search.fit(X, truth)
    ndcg, ild = search.cv_results_["mean_test_ndcg"], search.cv_results_["mean_test_ild"]
    assert ndcg[2] > ndcg[0] and ild[0] > ild[2]  # relevance only: best NDCG, least diverse
    reranker = search.best_estimator_
    lists = reranker.predict(X)
    expected = intra_list_diversity_score([row[row >= 0] for row in lists], item_features=categories,
                                          similarity="category")
    assert scoring["ild"](reranker, X, truth) == pytest.approx(expected)
    assert reranker.score(X, truth) == pytest.approx(scoring["ndcg"](reranker, X, truth))


def test_ranking_scorer_errors():
    """Check errors for unknown metric parameters, metrics, outputs and missing query ids."""
    with pytest.raises(TypeError, match=r"got parameters \['item_features'\] that ndcg_at_k_score does not"):
        make_ranking_scorer("ndcg", item_features=np.eye(2))
    with pytest.raises(InvalidParameterError, match="'metric' parameter of make_ranking_scorer"):
        make_ranking_scorer("auc")
    X, y, query_id, _ = _ranking_data()
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"Without query_id, a ranking scorer expects predict\(X\)"):
        make_ranking_scorer()(model, X, y)
    labels = np.arange(len(y)) % 3
    multiclass = LogisticRegression().fit(X, labels)
    with config_context(enable_metadata_routing=True):
        with pytest.raises(ValueError, match="needs one score per row"):
            make_ranking_scorer()(multiclass, X, y, query_id=query_id)
        with pytest.raises(ValueError, match="relevance gains >= 0"):
            make_ranking_scorer()(model, X, y - 1, query_id=query_id)
    assert repr(make_ranking_scorer("novelty", k=3, item_popularity=[1])) == (
        "make_ranking_scorer('novelty', k=3, item_popularity=...)")



def test_ranking_scorer_refuses_nan_scores():
    """Check that NaN scores (a diverged model) are an error naming the row, not a ranking."""
    X, y, query_id, _ = _ranking_data()

    class NaNModel(LogisticRegression):
        def predict_proba(self, X):
            proba = super().predict_proba(X)
            proba[5] = np.nan
            return proba

    with config_context(enable_metadata_routing=True), pytest.raises(ValueError, match="scored row 5 NaN"):
        make_ranking_scorer("ndcg", k=5)(NaNModel().fit(X, y), X, y, query_id=query_id)
