"""Tests of the beyond-accuracy metrics (sk_textrec/metrics/_beyond_accuracy.py)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sk_textrec.metrics import (
    catalog_coverage_score,
    distributional_coverage_score,
    exposure_gini_index,
    intra_list_diversity_score,
    novelty_score,
    tail_share_score,
)
from sk_textrec.utils._sklearn_compat import InvalidParameterError

CATALOG = ["a", "b", "c", "d"]


def test_catalog_coverage_hand_computed():
    """Check coverage as the share of catalogue items recommended at least once, with k."""
    lists = [["a", "b"], ["a", "c"]]
    assert catalog_coverage_score(lists, catalog=CATALOG) == 0.75
    assert catalog_coverage_score(lists, catalog=CATALOG, k=1) == 0.25


def test_distributional_coverage_hand_computed():
    """Check the entropy in bits, its normalised form, and its extremes."""
    lists = [["a", "b"], ["a", "c"]]
    assert distributional_coverage_score(lists) == pytest.approx(1.5)
    assert distributional_coverage_score(lists, catalog=CATALOG) == pytest.approx(1.5)
    assert distributional_coverage_score(lists, catalog=CATALOG, normalize=True) == pytest.approx(0.75)
    assert distributional_coverage_score([["a"], ["a"]]) == 0.0
    uniform = [["a", "b"], ["c", "d"]]
    assert distributional_coverage_score(uniform, catalog=CATALOG, normalize=True) == pytest.approx(1.0)


def test_exposure_gini_hand_computed():
    """Check the Gini index: 0 for equal exposure, (n - 1) / n for one item, a middle case."""
    assert exposure_gini_index([["a", "b"], ["c", "d"]], catalog=CATALOG) == 0.0
    assert exposure_gini_index([["a"], ["a"]], catalog=CATALOG) == pytest.approx(3 / 4)
    # counts sorted: 0, 1, 1, 2 -> (-3*0 - 1*1 + 1*1 + 3*2) / (4 * 4)
    assert exposure_gini_index([["a", "b"], ["a", "c"]], catalog=CATALOG) == pytest.approx(6 / 16)


def test_exposure_gini_grows_as_exposure_concentrates():
    """Check that moving recommendations onto fewer items raises the Gini index."""
    spread = [["a"], ["b"], ["c"], ["d"]]
    half = [["a"], ["a"], ["c"], ["d"]]
    one = [["a"], ["a"], ["a"], ["a"]]
    values = [exposure_gini_index(lists, catalog=CATALOG) for lists in (spread, half, one)]
    assert values[0] < values[1] < values[2]


def test_intra_list_diversity_categories_and_cosine():
    """Check diversity from categories (share of mixed pairs) and from embeddings."""
    categories = ["dress", "dress", "jeans"]
    assert intra_list_diversity_score([[0, 1, 2]], item_features=categories, similarity="category") == (
        pytest.approx(1 - 2 / 6)
    )
    embeddings = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # pairs: (0,1) cos 0, (0,2) and (1,2) cos 1/sqrt(2)
    expected = 1 - (0 + 2 / np.sqrt(2)) / 3
    assert intra_list_diversity_score([[0, 1, 2]], item_features=embeddings) == pytest.approx(expected)
    assert intra_list_diversity_score([[0, 1, 2]], item_features=embeddings @ embeddings.T / 2,
                                      similarity="precomputed") == pytest.approx(1 - (0.5 + 0.5 + 1) / 2 / 3)


def test_intra_list_diversity_uses_ids_and_skips_short_lists():
    """Check that ids map through `items` and single-item lists are NaN and not averaged."""
    categories = ["dress", "jeans", "dress"]
    values = intra_list_diversity_score([["x", "y"], ["z"]], item_features=categories, items=["x", "y", "z"],
                                        similarity="category", average=False)
    assert values[0] == 1.0 and np.isnan(values[1])
    with pytest.raises(ValueError, match="undefined for every list"):
        intra_list_diversity_score([["z"]], item_features=categories, items=["x", "y", "z"],
                                   similarity="category")


def test_novelty_hand_computed_and_cold_items_most_novel():
    """Check -log2 of add-one smoothed popularity, and that unseen items are the most novel."""
    counts = [5, 1, 0]  # smoothed p = 6/9, 2/9, 1/9
    assert_allclose(novelty_score([[0], [1], [2]], item_popularity=counts, average=False),
                    -np.log2([6 / 9, 2 / 9, 1 / 9]))
    assert novelty_score([[0, 1]], item_popularity=counts) == pytest.approx(-np.log2([6 / 9, 2 / 9]).mean())


def test_tail_share_hand_computed():
    """Check the tail share with the documented tail: the least popular share of items, ties kept."""
    counts = [50, 9, 1, 0]
    assert tail_share_score([[0, 2], [3]], item_popularity=counts, average=False).tolist() == [0.5, 1.0]
    # a tie across the boundary stays out of the tail: {1, 1} would need 3/4 of the items
    assert tail_share_score([[1, 2]], item_popularity=[50, 1, 1, 1], tail=0.5) == 0.0


AB = [["a", "b"]]


@pytest.mark.parametrize(
    "function, recommended, kwargs, err_type, err_msg",
    [
        (catalog_coverage_score, AB, {"catalog": ["a"]}, ValueError,
         r"recommended\[0\] holds the item 'b', which is not in `catalog`"),
        (catalog_coverage_score, AB, {"catalog": []}, ValueError, "catalog is empty"),
        (catalog_coverage_score, AB, {"catalog": ["a", "a", "b"]}, ValueError, "has the id 'a' twice"),
        (catalog_coverage_score, AB, {"catalog": [["a", "b"], ["c"]]}, TypeError,
         r"catalog has an unhashable id at row 0: list \['a', 'b'\]"),
        (novelty_score, [[0]], {"item_popularity": [1, 2], "items": [[1], [2]]}, TypeError,
         "items has an unhashable id at row 0"),
        (distributional_coverage_score, AB, {"normalize": True}, ValueError, "normalize=True needs the catalog"),
        (novelty_score, [[0]], {"item_popularity": [1, -1]}, ValueError, r"counts >= 0; row 1"),
        (novelty_score, [[0]], {"item_popularity": [[1, 2]]}, ValueError, "must be 1-D"),
        (novelty_score, [[0]], {"item_popularity": ["a", 2]}, TypeError, "item_popularity must hold numbers; row 0"),
        (novelty_score, [[0, 5]], {"item_popularity": [1, 2]}, ValueError,
         r"item 5, which is not a position 0..1 of the item arrays"),
        (intra_list_diversity_score, AB, {"item_features": [[1.0, 0.0], [0.0, 0.0]], "items": ["a", "b"]},
         ValueError, "row 1 is all zeros"),
        (intra_list_diversity_score, AB, {"item_features": [[1.0], [2.0]], "items": ["a"]}, ValueError,
         "items has 1 ids but the item arrays have 2 rows"),
        (intra_list_diversity_score, AB, {"item_features": [1.0, 2.0], "items": ["a", "b"]}, ValueError,
         r"must be 2-D for similarity='cosine'"),
        (intra_list_diversity_score, AB, {"item_features": ["x", None], "items": ["a", "b"],
                                          "similarity": "category"}, ValueError, "missing category"),
        (intra_list_diversity_score, AB, {"item_features": [[1.0]], "similarity": "jaccard"},
         InvalidParameterError, "'similarity' parameter"),
        (tail_share_score, AB, {"item_popularity": [1, 2], "items": ["a", "b"], "tail": 1.5},
         InvalidParameterError, "'tail' parameter"),
    ],
)
def test_beyond_accuracy_bad_input(function, recommended, kwargs, err_type, err_msg):
    """Check that catalogue mismatches and bad features raise errors that name the problem."""
    with pytest.raises(err_type, match=err_msg):
        function(recommended, **kwargs)
