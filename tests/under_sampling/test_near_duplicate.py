"""Tests of NearDuplicateUnderSampler (sk_textrec/under_sampling/_near_duplicate.py)."""

import time
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

from sk_textrec import TextEmbedder
from sk_textrec.under_sampling import NearDuplicateUnderSampler
from sk_textrec.under_sampling._minhash import lsh_bands, normalize_text
from sk_textrec.utils import make_tiny_bert
from sk_textrec.utils._sklearn_compat import InvalidParameterError
from sk_textrec.utils.estimator_checks import parametrize_with_checks

_BASE = [
    "I ordered this dress in my usual size and it fits like a glove. The fabric is soft, the "
    "colour is even prettier in person and it washed well. Would buy it again in every colour.",
    "The zip broke the first time I wore these boots and the sole started to peel after a week. "
    "Customer service took ages to answer and the refund still has not arrived. Avoid them.",
    "Nice enough sweater for the price, a bit itchy around the neck and the sleeves run long, "
    "but it is warm and the knit looks more expensive than it is. Keeping it for winter walks.",
]


def _edit(text, n_edits, seed):
    """``text`` with ``n_edits`` characters replaced by others, at seeded positions."""
    rng = np.random.RandomState(seed)
    chars = list(text)
    for position in rng.choice(len(chars), size=n_edits, replace=False):
        chars[position] = "q" if chars[position] != "q" else "z"
    return "".join(chars)


@parametrize_with_checks(
    [
        NearDuplicateUnderSampler(),
        NearDuplicateUnderSampler(conflict="drop", keep="random", threshold=0.5),
        NearDuplicateUnderSampler(method="embedding", embedder=TextEmbedder(make_tiny_bert())),
    ]
)
def test_near_duplicate_under_sampler_text_checks(estimator, check):
    """Check that NearDuplicateUnderSampler passes the text-aware compliance checks."""
    check(estimator)


def test_near_duplicate_under_sampler_removes_exact_duplicates():
    """Check that texts equal after normalisation are removed and the first row is kept."""
    X = ["Great dress!", "great   dress", "GREAT DRESS.", "Ｇｒｅａｔ dress", "Bad fit", "bad fit!!"]
    y = ["pos", "pos", "pos", "pos", "neg", "neg"]
    sampler = NearDuplicateUnderSampler(threshold=1.0, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res == ["Great dress!", "Bad fit"]
    assert y_res == ["pos", "neg"]
    assert [group.tolist() for group in sampler.duplicate_groups_] == [[0, 1, 2, 3], [4, 5]]
    assert sampler.n_removed_ == 4 and sampler.conflicts_ == []


def test_normalize_text_folds_case_width_punctuation_and_spaces():
    """Check that normalisation applies NFKC, casefolding, punctuation removal and spacing."""
    assert normalize_text("  Ｓtraße, \t 'FITS'\n well!! ") == "strasse fits well"
    assert normalize_text("😀 love") == "😀 love"  # symbols are content, not punctuation


@pytest.mark.parametrize("n_edits", [1, 3])
@pytest.mark.parametrize("ngram_range", [(5, 5), (3, 5)])
def test_near_duplicate_under_sampler_threshold_separates_edits(n_edits, ngram_range):
    """Check that texts a few characters apart are removed at 0.8 and kept at 0.99."""
    X = _BASE + [_edit(text, n_edits, seed) for seed, text in enumerate(_BASE)]
    y = [0, 1, 0, 0, 1, 0]
    loose = NearDuplicateUnderSampler(threshold=0.8, ngram_range=ngram_range, random_state=0)
    X_res, _ = loose.fit_resample(X, y)
    assert X_res == _BASE
    strict = NearDuplicateUnderSampler(threshold=0.99, ngram_range=ngram_range, random_state=0)
    X_res, _ = strict.fit_resample(X, y)
    assert X_res == X and strict.duplicate_groups_ == []


@pytest.mark.parametrize("method", ["minhash", "embedding"])
def test_near_duplicate_under_sampler_lower_threshold_removes_more(method, tiny_bert):
    """Check that a lower threshold removes at least the rows a higher one removes."""
    X = _BASE + [_edit(text, n, seed) for seed, text in enumerate(_BASE) for n in (1, 5, 15, 40, 80)]
    y = np.arange(len(X)) % 2
    grouped_before, n_removed_before = set(), 0
    for threshold in [1.0, 0.99, 0.95, 0.9, 0.8, 0.6, 0.4, 0.2]:
        sampler = NearDuplicateUnderSampler(
            method=method, threshold=threshold, embedder=TextEmbedder(tiny_bert), random_state=0
        )
        sampler.fit_resample(X, y)
        grouped = {row for group in sampler.duplicate_groups_ for row in group}
        assert grouped_before <= grouped and sampler.n_removed_ >= n_removed_before, threshold
        grouped_before, n_removed_before = grouped, sampler.n_removed_
    assert n_removed_before > 0


# One group of four copies, labels a b b a, and one clean pair.
_GROUP_X = [_BASE[0], _BASE[0].upper(), _BASE[1], _BASE[0] + "!", _BASE[1] + ".", _BASE[0] + "?"]
_GROUP_Y = ["a", "b", "c", "b", "c", "a"]


@pytest.mark.parametrize(
    "conflict, kept",
    [
        ("majority", [0, 2]),  # a and b tie: the first row's label wins, the row keeps it
        ("drop", [2]),
        ("keep", [0, 1, 2]),  # one row per label, each the first of its label
    ],
)
def test_near_duplicate_under_sampler_conflict_policies(conflict, kept):
    """Check that each conflict policy keeps the documented rows and never changes labels."""
    sampler = NearDuplicateUnderSampler(conflict=conflict, random_state=0)
    X_res, y_res = sampler.fit_resample(_GROUP_X, _GROUP_Y)
    assert sampler.sample_indices_.tolist() == kept
    assert X_res == [_GROUP_X[i] for i in kept]
    assert y_res == [_GROUP_Y[i] for i in kept]
    assert len(sampler.conflicts_) == 1
    assert sampler.conflicts_[0]["indices"].tolist() == [0, 1, 3, 5]
    assert sampler.conflicts_[0]["labels"].tolist() == ["a", "b", "b", "a"]


def test_near_duplicate_under_sampler_majority_keeps_majority_label():
    """Check that "majority" keeps the first row of the most frequent label, not row 0."""
    X, y = [_BASE[0], _BASE[0] + "!", _BASE[0] + "?"], ["neg", "pos", "pos"]
    sampler = NearDuplicateUnderSampler(conflict="majority", random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert sampler.sample_indices_.tolist() == [1] and y_res == ["pos"]


def test_near_duplicate_under_sampler_strategy_limits_classes():
    """Check that rows of classes outside sampling_strategy are kept, though grouped."""
    sampler = NearDuplicateUnderSampler(conflict="drop", sampling_strategy=["a"], random_state=0)
    _, y_res = sampler.fit_resample(_GROUP_X, _GROUP_Y)
    assert sorted(y_res) == ["b", "b", "c", "c"]
    assert len(sampler.duplicate_groups_) == 2 and len(sampler.conflicts_) == 1


@pytest.mark.parametrize("keep", ["first", "random"])
def test_near_duplicate_under_sampler_same_seed_same_output(keep):
    """Check that one random_state gives one output, and that seeds leave clear pairs alone."""
    X = _BASE * 4 + [_edit(text, 2, seed) for seed, text in enumerate(_BASE * 3)]
    y = [row % 3 for row in range(len(X))]
    outputs = [
        NearDuplicateUnderSampler(keep=keep, random_state=seed).fit_resample(X, y)
        for seed in (0, 0, 1, 2)
    ]
    assert outputs[0] == outputs[1]
    if keep == "first":  # pairs far from the threshold are found whatever the permutations
        assert all(output == outputs[0] for output in outputs)


def test_near_duplicate_under_sampler_random_keep_picks_group_members():
    """Check that keep="random" keeps one member of the group, not always the first."""
    X, y = [_BASE[0], _BASE[0] + "!", _BASE[0] + "?", _BASE[1]], [0, 0, 0, 1]
    chosen = set()
    for seed in range(20):
        sampler = NearDuplicateUnderSampler(keep="random", random_state=seed)
        sampler.fit_resample(X, y)
        assert len(sampler.sample_indices_) == 2 and sampler.sample_indices_[-1] == 3
        chosen.add(int(sampler.sample_indices_[0]))
    assert chosen == {0, 1, 2}


def test_near_duplicate_under_sampler_pandas_in_pandas_out():
    """Check that a Series and a DataFrame come back as such, with the kept rows."""
    index = [10, 11, 12, 13]
    X = pd.Series([_BASE[0], _BASE[1], _BASE[0] + "!", _BASE[2]], index=index, name="review")
    y = pd.Series([1, 0, 1, 0], index=index, name="label")
    sampler = NearDuplicateUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.Series) and X_res.name == "review"
    assert X_res.tolist() == X.iloc[sampler.sample_indices_].tolist()
    assert_array_equal(X.index[sampler.sample_indices_], [10, 11, 13])
    X_res, y_res = sampler.fit_resample(X.to_frame(), y)
    assert isinstance(X_res, pd.DataFrame) and list(X_res.columns) == ["review"]
    assert isinstance(y_res, pd.Series) and y_res.tolist() == [1, 0, 0]


_FORMS = ["love it", "Love it!", "LOVE   it", "returned", "too small", "", " ", "great fit, great dress"]


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.sampled_from(_FORMS), st.sampled_from(["a", "b", "c"])),
                  min_size=2, max_size=30),
    conflict=st.sampled_from(["majority", "drop", "keep"]),
    keep=st.sampled_from(["first", "random"]),
)
def test_near_duplicate_under_sampler_properties(rows, conflict, keep):
    """Check that rows are only dropped, labels unchanged, one row per text and label kept."""
    X, y = (list(column) for column in zip(*rows))
    assume(len(set(y)) > 1)
    sampler = NearDuplicateUnderSampler(conflict=conflict, keep=keep, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    kept = sampler.sample_indices_.tolist()
    assert kept == sorted(set(kept)) and len(kept) == len(X) - sampler.n_removed_
    assert X_res == [X[i] for i in kept] and y_res == [y[i] for i in kept]
    kept_forms = Counter(normalize_text(X[i]) for i in kept)
    assert set(Counter((normalize_text(X[i]), y[i]) for i in kept).values()) <= {1}
    if conflict != "keep":
        assert set(kept_forms.values()) <= {1}
    if conflict != "drop":  # every text survives in some row
        assert set(kept_forms) == {normalize_text(text) for text in X}


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"method": "simhash"}, InvalidParameterError, "'method' parameter"),
        ({"threshold": 0}, InvalidParameterError, "'threshold' parameter"),
        ({"threshold": 1.5}, InvalidParameterError, "'threshold' parameter"),
        ({"num_perm": 0}, InvalidParameterError, "'num_perm' parameter"),
        ({"conflict": "vote"}, InvalidParameterError, "'conflict' parameter"),
        ({"keep": "last"}, InvalidParameterError, "'keep' parameter"),
        ({"ngram_range": [3, 5]}, InvalidParameterError, "'ngram_range' parameter"),
        ({"ngram_range": (0, 5)}, ValueError, "'ngram_range' parameter .* 1 <= min_n"),
        ({"ngram_range": (5, 3)}, ValueError, "'ngram_range' parameter .* 1 <= min_n"),
        ({"sampling_strategy": "minority"}, InvalidParameterError, "'sampling_strategy' parameter"),
        ({"embedder": "minilm"}, InvalidParameterError, "'embedder' parameter"),
    ],
)
def test_near_duplicate_under_sampler_invalid_params(params, err_type, err_msg):
    """Check that invalid parameters raise a clear error naming the parameter."""
    with pytest.raises(err_type, match=err_msg):
        NearDuplicateUnderSampler(**params).fit_resample(_BASE, [0, 1, 0])


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8, 0.9, 0.99])
def test_lsh_bands_catch_pairs_at_the_threshold(threshold):
    """Check that the chosen bands make a pair at the threshold a candidate with p >= 0.99."""
    bands, rows = lsh_bands(threshold, 128)
    assert bands * rows <= 128
    assert 1 - (1 - threshold**rows) ** bands >= 0.99


def test_near_duplicate_under_sampler_clothing_reviews(clothing_reviews):
    """Check that all ~15,800 shared reviews are de-duplicated, exact duplicates included."""
    X, y = clothing_reviews["text"], clothing_reviews["recommended_ind"]
    start = time.perf_counter()
    sampler = NearDuplicateUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    elapsed = time.perf_counter() - start
    repeated = np.flatnonzero(X.duplicated().to_numpy())
    assert 0 < len(repeated) < 0.001 * len(X)  # the README's "0.03% of rows repeat"
    assert not set(repeated) & set(sampler.sample_indices_)
    grouped = {row for group in sampler.duplicate_groups_ for row in group}
    assert set(np.flatnonzero(X.duplicated(keep=False).to_numpy())) <= grouped
    assert len(X_res) == len(X) - sampler.n_removed_ == len(y_res)
    print(f"{len(X)} reviews de-duplicated in {elapsed:.1f} s; {sampler.n_removed_} removed")
