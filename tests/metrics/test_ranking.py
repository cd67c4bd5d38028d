"""Tests of the ranking metrics (sk_textrec/metrics/_ranking.py) and their input validation."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from sklearn.metrics import ndcg_score

from sk_textrec.metrics import (
    hit_rate_at_k_score,
    map_at_k_score,
    mrr_score,
    ndcg_at_k_score,
    precision_at_k_score,
    recall_at_k_score,
)
from sk_textrec.utils._sklearn_compat import InvalidParameterError

ALL = [precision_at_k_score, recall_at_k_score, hit_rate_at_k_score, ndcg_at_k_score, map_at_k_score,
       mrr_score]

# Two users; hand-computed values at k=3 below.
RECOMMENDED = [["a", "b", "c", "d"], ["e", "f", "g"]]
RELEVANT = [{"b", "d", "z"}, {"e"}]


@pytest.mark.parametrize(
    "metric, expected",
    [
        (precision_at_k_score, [1 / 3, 1 / 3]),
        (recall_at_k_score, [1 / 3, 1.0]),
        (hit_rate_at_k_score, [1.0, 1.0]),
        (map_at_k_score, [(1 / 2) / 3, 1.0]),  # user 0: one hit at rank 2, min(3 relevant, k=3)
        (mrr_score, [1 / 2, 1.0]),
        (ndcg_at_k_score, [(1 / np.log2(3)) / (1 + 1 / np.log2(3) + 1 / np.log2(4)), 1.0]),
    ],
)
def test_ranking_metrics_hand_computed(metric, expected):
    """Check each metric against values computed by hand, per user and averaged."""
    assert_allclose(metric(RECOMMENDED, RELEVANT, k=3, average=False), expected)
    assert metric(RECOMMENDED, RELEVANT, k=3) == pytest.approx(np.mean(expected))


def test_ndcg_graded_hand_computed():
    """Check NDCG with graded gains: linear gain, log2(rank + 1) discount."""
    dcg = 1 / np.log2(2) + 0 + 3 / np.log2(4)
    idcg = 3 / np.log2(2) + 2 / np.log2(3) + 1 / np.log2(4)
    value = ndcg_at_k_score([["x", "q", "y"]], [{"y": 3, "x": 1, "w": 2}], k=3)
    assert value == pytest.approx(dcg / idcg)


@pytest.mark.parametrize("k", [1, 3, 5, 8])
def test_ndcg_matches_sklearn_ndcg_score(k):
    """Check that NDCG@k of score-ordered lists equals sklearn's ndcg_score on the score matrix."""
    rng = np.random.RandomState(k)
    y_true = rng.randint(0, 4, size=(20, 8)) * (rng.rand(20, 8) < 0.5)
    y_true[:, 0] += 1  # every user has a relevant item
    y_score = rng.rand(20, 8)
    lists = np.argsort(-y_score, axis=1)
    relevant = [dict(enumerate(row)) for row in y_true.tolist()]
    assert ndcg_at_k_score(lists, relevant, k=k) == pytest.approx(ndcg_score(y_true, y_score, k=k))


def test_ranking_metrics_perfect_and_empty_lists():
    """Check that a perfect list scores 1 and a list of irrelevant items scores 0."""
    relevant = [{"a", "b"}]
    for metric in (recall_at_k_score, ndcg_at_k_score, map_at_k_score, mrr_score, hit_rate_at_k_score):
        assert metric([["a", "b", "c"]], relevant, k=3) == 1.0
        assert metric([["x", "y", "z"]], relevant, k=3) == 0.0


def test_precision_counts_missing_slots_as_misses():
    """Check that a list shorter than k is divided by k, and by its length when k is None."""
    assert precision_at_k_score([["a"]], [{"a"}], k=4) == 0.25
    assert precision_at_k_score([["a", "x"]], [{"a"}], k=None) == 0.5


def test_map_divides_by_min_of_relevant_and_k():
    """Check that a perfect top-2 scores AP@2 = 1 for a user with 5 relevant items."""
    assert map_at_k_score([["a", "b"]], [{"a", "b", "c", "d", "e"}], k=2) == 1.0
    assert map_at_k_score([["a", "b"]], [{"a", "b", "c", "d", "e"}], k=None) == pytest.approx(2 / 5)


def test_users_without_relevant_items_are_left_out():
    """Check that a user with no relevant item is NaN per user and not in the average."""
    values = recall_at_k_score([["a"], ["b"]], [{"a"}, set()], k=1, average=False)
    assert values[0] == 1.0 and np.isnan(values[1])
    assert recall_at_k_score([["a"], ["b"]], [{"a"}, set()], k=1) == 1.0
    with pytest.raises(ValueError, match="No user has a relevant item"):
        ndcg_at_k_score([["a"]], [set()])


def test_zero_gains_are_not_relevant():
    """Check that an item with gain 0 counts as irrelevant."""
    assert hit_rate_at_k_score([["a", "b"]], [{"a": 0, "c": 1}], k=2) == 0.0


def test_ranking_metrics_accept_array_and_pandas_inputs():
    """Check that 2-D arrays, object arrays and pandas Series of lists give the same values."""
    lists = [[0, 1, 2], [2, 0, 1]]
    relevant = [{1}, {1, 2}]
    expected = ndcg_at_k_score(lists, relevant, k=2)
    assert ndcg_at_k_score(np.array(lists), relevant, k=2) == expected
    assert ndcg_at_k_score(pd.Series(lists), pd.Series(relevant), k=2) == expected
    assert ndcg_at_k_score([np.array(row) for row in lists], [np.array(list(r)) for r in relevant], k=2) == expected


@pytest.mark.parametrize("metric", ALL)
@given(
    data=st.lists(
        st.tuples(st.permutations(range(6)), st.sets(st.integers(0, 5), min_size=1)), min_size=1, max_size=6
    ),
    k=st.integers(1, 6),
)
@settings(max_examples=25, deadline=None)
def test_ranking_metrics_are_in_unit_interval_and_order_free_across_users(metric, data, k):
    """Check that values are in [0, 1] and that reordering users does not change the mean."""
    lists = [list(order) for order, _ in data]
    relevant = [rel for _, rel in data]
    value = metric(lists, relevant, k=k)
    assert 0.0 <= value <= 1.0
    assert metric(lists[::-1], relevant[::-1], k=k) == pytest.approx(value)


@pytest.mark.parametrize("metric", [recall_at_k_score, hit_rate_at_k_score])
def test_recall_and_hit_rate_grow_with_k(metric):
    """Check that recall and hit rate never decrease as k grows, and reach 1 on whole lists."""
    rng = np.random.RandomState(0)
    lists = [rng.permutation(20).tolist() for _ in range(30)]
    relevant = [set(rng.choice(20, 3, replace=False).tolist()) for _ in range(30)]
    values = [metric(lists, relevant, k=k) for k in range(1, 21)]
    assert np.all(np.diff(values) >= 0)
    assert values[-1] == 1.0


@pytest.mark.parametrize(
    "recommended, relevant, err_type, err_msg",
    [
        (["a", "b"], [{"a"}, {"b"}], TypeError, r"recommended\[0\] is str"),
        ([1, 2], [{1}, {2}], TypeError, r"wrap the list: \[recommended\]"),
        ([{"a", "b"}], [{"a"}], TypeError, r"recommended\[0\] is a set; recommendations are ordered"),
        ([["a", "a"]], [{"a"}], ValueError, r"recommended\[0\] recommends the item 'a' twice"),
        ([["a", None]], [{"a"}], ValueError, r"recommended\[0\] has a missing item id"),
        ([["a", [1]]], [{"a"}], TypeError, r"unhashable item \[1\]"),
        ([["a"], ["b"]], [{"a"}], ValueError, r"relevant has 1 entries but there are 2"),
        ([["a"]], [{"a": -1}], ValueError, r"gains must be finite numbers >= 0"),
        ([["a"]], [{"a": float("nan")}], ValueError, r"gains must be finite"),
        ([["a"]], ["a"], TypeError, r"relevant\[0\] must be a set or list"),
        ([["a"]], [[["a"]]], TypeError, r"relevant\[0\] holds an unhashable item id"),
        ([], [], ValueError, r"recommended is empty"),
        ("abc", [{"a"}], InvalidParameterError, r"'recommended' parameter"),
    ],
)
def test_ranking_metrics_bad_input(recommended, relevant, err_type, err_msg):
    """Check that malformed lists and judgements raise errors that name the row."""
    with pytest.raises(err_type, match=err_msg):
        ndcg_at_k_score(recommended, relevant)


@pytest.mark.parametrize("k", [0, -1, 1.5, "3"])
def test_ranking_metrics_bad_k(k):
    """Check that k must be a positive int or None."""
    with pytest.raises(InvalidParameterError, match="'k' parameter of precision_at_k_score"):
        precision_at_k_score([["a"]], [{"a"}], k=k)


_METRICS = (precision_at_k_score, recall_at_k_score, ndcg_at_k_score, map_at_k_score, mrr_score,
            hit_rate_at_k_score)


@pytest.mark.parametrize("metric", _METRICS, ids=lambda metric: metric.__name__)
@pytest.mark.parametrize("k", [3, None])
def test_ranking_metrics_agree_on_empty_lists(metric, k):
    """Check the one rule: an empty list scores 0, a user without relevant items is NaN."""
    assert metric([[], ["a"]], [{"a"}, {"a"}], k=k, average=False)[0] == 0.0
    assert metric([[], []], [{"a"}, {"b"}], k=k, average=False).tolist() == [0.0, 0.0]
    values = metric([["a"], ["a"]], [set(), {"a"}], k=k, average=False)
    assert np.isnan(values[0]) and values[1] > 0
    with pytest.raises(ValueError, match="No user has a relevant item"):
        metric([[], ["a"]], [set(), {}], k=k)
