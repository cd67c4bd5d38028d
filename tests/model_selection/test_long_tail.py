"""Tests of popularity_buckets and cold_start_split (sk_textrec/model_selection/_long_tail.py)."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sk_textrec.metrics import tail_share_score
from sk_textrec.model_selection import cold_start_split, popularity_buckets
from sk_textrec.utils._sklearn_compat import InvalidParameterError


def test_popularity_buckets_hand_computed():
    """Check head / torso / tail / cold on counts computed by hand."""
    reference = ["a"] * 9 + ["b"] * 5 + ["c"] * 3 + ["d"] * 2 + ["e"] + ["f"]
    items = ["a", "b", "c", "d", "e", "f", "new"]
    # 6 items: head = at most 1/3 of them (a, b); tail = at most 1/2 (d, e, f: 3/6 with counts <= 2)
    buckets = popularity_buckets(items, reference=reference, head=1 / 3, tail=0.5)
    assert buckets.tolist() == ["head", "head", "torso", "tail", "tail", "tail", "cold"]
    # with a smaller tail share, d (3/6 at most as popular) leaves the tail
    buckets = popularity_buckets(items, reference=reference, head=1 / 3, tail=0.4)
    assert buckets.tolist() == ["head", "head", "torso", "torso", "tail", "tail", "cold"]


def test_popularity_buckets_keep_ties_together():
    """Check that items with equal counts share a bucket, even across a boundary."""
    reference = ["a"] * 3 + ["b", "c", "d", "e"]  # four items tied at count 1
    buckets = popularity_buckets(list("abcde"), reference=reference, head=0.2, tail=0.5)
    assert buckets.tolist() == ["head", "torso", "torso", "torso", "torso"]


@given(counts=st.lists(st.integers(1, 30), min_size=1, max_size=40), head=st.floats(0, 0.5),
       tail=st.floats(0, 0.5))
@settings(max_examples=60, deadline=None)
def test_popularity_buckets_properties(counts, head, tail):
    """Check bucket sizes within their shares, popularity ordering, and the tail shared with tail_share."""
    items = np.arange(len(counts))
    reference = np.repeat(items, counts)
    buckets = popularity_buckets(items, reference=reference, head=head, tail=tail)
    counts = np.array(counts)
    assert np.mean(buckets == "head") <= head + 1e-9 and np.mean(buckets == "tail") <= tail + 1e-9
    order = {"head": 0, "torso": 1, "tail": 2}
    rank = np.array([order[b] for b in buckets])
    for i in range(len(counts)):  # a more popular item is never in a less popular bucket
        assert np.all(rank[counts > counts[i]] <= rank[i])
    in_tail = tail_share_score([[i] for i in items], item_popularity=counts, tail=tail, average=False)
    assert np.array_equal(in_tail == 1, buckets == "tail")


def test_popularity_buckets_default_reference_and_containers():
    """Check that items are their own reference by default and pandas input works."""
    items = pd.Series(["x"] * 8 + ["y"] * 2 + ["z"])
    buckets = popularity_buckets(items, head=1 / 3, tail=1 / 3)
    assert Counter(buckets.tolist()) == {"head": 8, "torso": 2, "tail": 1}


@pytest.mark.parametrize(
    "kwargs, err_type, err_msg",
    [
        ({"head": 0.6, "tail": 0.5}, ValueError, "head \\+ tail must be at most 1"),
        ({"head": 1.5}, InvalidParameterError, "'head' parameter"),
        ({"reference": []}, ValueError, "reference is empty"),
        ({"reference": ["a", None]}, ValueError, r"reference has a missing item id \(None or NaN\) at row 1"),
    ],
)
def test_popularity_buckets_bad_input(kwargs, err_type, err_msg):
    """Check errors for overlapping shares and bad references."""
    with pytest.raises(err_type, match=err_msg):
        popularity_buckets(["a", "b"], **kwargs)


def _items(seed=0, n_items=60):
    rng = np.random.RandomState(seed)
    return rng.choice(n_items, size=800, p=np.arange(n_items, 0, -1) / np.arange(n_items, 0, -1).sum())


def test_cold_start_split_cold_items_are_unseen_and_warm_items_kept():
    """Check that cold items are absent from training and every warm test item has training rows."""
    items = _items()
    rows = np.arange(items.size)
    rows_train, rows_test, items_train, items_test = cold_start_split(rows, items, items=items, cold_size=0.25,
                                                                      test_size=0.2, random_state=0)
    assert sorted(np.concatenate([rows_train, rows_test]).tolist()) == rows.tolist()
    cold = ~np.isin(items_test, items_train)
    n_items = np.unique(items).size
    assert np.unique(items_test[cold]).size == round(0.25 * n_items)
    assert set(items_test[cold]).isdisjoint(items_train)
    n_warm_rows = np.isin(items, items_train).sum()
    assert (~cold).sum() == round(0.2 * n_warm_rows)
    buckets = popularity_buckets(items_test, reference=items_train)
    assert np.array_equal(buckets == "cold", cold)


def test_cold_start_split_is_seeded_and_splits_any_container():
    """Check the same seed gives the same split, another seed another, on lists and frames."""
    items = _items(1)
    frame = pd.DataFrame({"item": items, "text": [f"review {i}" for i in range(items.size)]})
    first = cold_start_split(frame, items=items, random_state=3)
    again = cold_start_split(frame, items=items, random_state=3)
    other = cold_start_split(frame, items=items, random_state=4)
    assert first[1].index.tolist() == again[1].index.tolist() != other[1].index.tolist()
    texts_train, texts_test = cold_start_split(frame["text"].tolist(), items=items, random_state=3)
    assert texts_test == first[1]["text"].tolist()


@pytest.mark.parametrize(
    "kwargs, err_type, err_msg",
    [
        ({"cold_size": 4}, ValueError, "cold_size=4 selects 4 of 4"),
        ({"cold_size": 1.0}, InvalidParameterError, "'cold_size' parameter"),
        ({"test_size": 4}, ValueError, "asks for 4 warm rows but only 3 can go to the test part"),
        ({"items": ["a", "b"]}, ValueError, "items has 2 entries but the arrays have 8 rows"),
    ],
)
def test_cold_start_split_bad_sizes(kwargs, err_type, err_msg):
    """Check that sizes that leave a side empty, or too few drawable rows, raise."""
    params = {"items": list("aabbccdd"), "cold_size": 1, "test_size": 1, **kwargs}
    with pytest.raises(err_type, match=err_msg):
        cold_start_split(np.arange(8), **params)


def test_cold_start_split_and_buckets_on_clothing_reviews(clothing_reviews):
    """Check the protocol on the real reviews: unseen cold products, every bucket present."""
    items = clothing_reviews["clothing_id"].to_numpy()
    train, test = cold_start_split(clothing_reviews, items=items, cold_size=0.2, test_size=0.25, random_state=0)
    buckets = popularity_buckets(test["clothing_id"], reference=train["clothing_id"])
    assert set(buckets) == {"head", "torso", "tail", "cold"}
    assert set(test.loc[buckets == "cold", "clothing_id"]).isdisjoint(train["clothing_id"])
    assert np.unique(test.loc[buckets == "cold", "clothing_id"]).size == round(0.2 * np.unique(items).size)
    train_buckets = popularity_buckets(train["clothing_id"])
    shares = pd.Series(train_buckets, index=train["clothing_id"]).groupby(level=0).first().value_counts(
        normalize=True)
    assert shares["head"] <= 0.2 and shares["tail"] <= 0.5
