"""Tests of the EDA operations (sk_textrec/augmentation/_eda.py)."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sk_textrec.augmentation import (
    DictSynonyms,
    RandomDeletion,
    RandomInsertion,
    RandomSwap,
    SynonymReplacement,
)
from sk_textrec.augmentation._eda import EDA_STOP_WORDS
from sk_textrec.augmentation._tokens import split_words

from ._data import SYNONYMS, TEXTS

ALL_OPERATIONS = [
    lambda p: SynonymReplacement(p, synonyms=SYNONYMS),
    lambda p: RandomInsertion(p, synonyms=SYNONYMS),
    lambda p: RandomSwap(p),
    lambda p: RandomDeletion(p),
]
OPERATION_IDS = ["replacement", "insertion", "swap", "deletion"]
LONG_TEXT = ("great dress and soft fabric , I love the beautiful colour but it is too small "
             "so I returned it ") * 3


def words(text):
    return split_words(text)[1::2]


def n_changed_words(before, after):
    """Words of ``before`` that are not at the same place in ``after``, plus length change."""
    a, b = words(before), words(after)
    return sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))


@pytest.mark.parametrize("make", ALL_OPERATIONS, ids=OPERATION_IDS)
def test_eda_operation_p_zero_keeps_texts(make):
    """Check that p=0 returns every text unchanged."""
    assert make(0.0).augment(TEXTS, random_state=0) == TEXTS


@pytest.mark.parametrize("make", ALL_OPERATIONS, ids=OPERATION_IDS)
def test_eda_operation_seeds(make):
    """Check that a seed fixes the output and that other seeds give other outputs."""
    augmenter = make(0.3)
    first = augmenter.augment([LONG_TEXT] * 3, random_state=0)
    assert augmenter.augment([LONG_TEXT] * 3, random_state=0) == first
    assert augmenter.augment([LONG_TEXT] * 3, random_state=np.random.RandomState(0)) == first
    others = {augmenter.augment([LONG_TEXT], random_state=seed)[0] for seed in range(1, 6)}
    assert len(others | {first[0]}) > 1
    assert len(set(first)) > 1  # three copies of a text get different edits


@pytest.mark.parametrize("make", ALL_OPERATIONS, ids=OPERATION_IDS)
def test_eda_operation_higher_p_changes_more_words(make):
    """Check that a higher rate changes more words on average."""
    changed = [
        np.mean([n_changed_words(LONG_TEXT, out)
                 for out in make(p).augment([LONG_TEXT] * 30, random_state=0)])
        for p in (0.05, 0.2, 0.5)
    ]
    assert 0 < changed[0] < changed[1] < changed[2]


@pytest.mark.parametrize("make", ALL_OPERATIONS, ids=OPERATION_IDS)
def test_eda_operation_keeps_emoji_cjk_and_empty(make):
    """Check that emoji survive, Chinese characters stay characters and "" stays ""."""
    out = make(0.5).augment(TEXTS, random_state=0)
    assert len(out) == len(TEXTS) and out[1] == ""
    assert "😞" in out[2] and "😀" in out[3]
    assert all(len(word) == 1 for word in words(out[3]))


def test_random_swap_keeps_words_and_separators():
    """Check that a swap only reorders words: same words, same separators."""
    out = RandomSwap(0.5).augment(TEXTS, random_state=0)
    for before, after in zip(TEXTS, out):
        assert Counter(words(before)) == Counter(words(after))
        assert split_words(before)[0::2] == split_words(after)[0::2]
    assert out != TEXTS


def test_random_deletion_deletes_n_words_never_all():
    """Check that deletion removes max(1, int(p * n)) words but keeps at least one."""
    delete = RandomDeletion(p=0.3)
    texts = ["one", "one two", "a b c d e f g h i j", LONG_TEXT]
    out = delete.augment(texts, random_state=0)
    for before, after in zip(texts, out):
        n = len(words(before))
        assert len(words(after)) == n - min(max(1, int(0.3 * n)), n - 1)
    assert RandomDeletion(p=1.0).augment(["a b c"], random_state=0)[0] in {"a", "b", "c"}


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=60), p=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_eda_operations_never_empty_a_text(text, p, seed):
    """Check that no operation turns a text with words into a text without words."""
    for make in ALL_OPERATIONS:
        augmented = make(p).augment([text, text], random_state=seed)
        assert len(augmented) == 2
        if words(text):
            assert all(words(out) for out in augmented)
        if text == "":
            assert augmented == ["", ""]


def test_synonym_replacement_uses_the_source():
    """Check that replacements come from the source and keep the capitalisation."""
    out = SynonymReplacement(p=1.0, synonyms=SYNONYMS).augment(
        ["Great dress", "GREAT dress, unknown words"], random_state=0
    )
    first, second = words(out[0]), words(out[1])
    assert first[0] in {"Excellent", "Terrific"} and first[1] in {"gown", "frock"}
    assert second[0] in {"EXCELLENT", "TERRIFIC"} and second[2:] == ["unknown", "words"]


def test_synonym_replacement_skips_stop_words():
    """Check that stop words are not replaced unless stop_words=None."""
    synonyms = {"the": ["teh"], "it": ["IT"], "dress": ["gown"]}
    texts = ["the dress it"] * 10
    kept = SynonymReplacement(p=1.0, synonyms=synonyms).augment(texts, random_state=0)
    assert set(kept) == {"the gown it"}
    replaced = SynonymReplacement(p=1.0, synonyms=synonyms, stop_words=None).augment(texts, random_state=0)
    assert set(replaced) == {"teh gown IT"}
    custom = SynonymReplacement(p=1.0, synonyms=synonyms, stop_words=["Dress"]).augment(texts, random_state=0)
    assert set(custom) == {"teh dress IT"}
    assert {"the", "not", "very"} <= EDA_STOP_WORDS


def test_synonym_replacement_accepts_any_source():
    """Check that a dict, DictSynonyms and a duck-typed source give the same edits."""

    class Source:
        def synonyms_of(self, word):
            return SYNONYMS.get(word.lower(), [])

    outputs = [
        SynonymReplacement(p=0.5, synonyms=source).augment(TEXTS, random_state=3)
        for source in (SYNONYMS, DictSynonyms(SYNONYMS), Source())
    ]
    assert outputs[0] == outputs[1] == outputs[2] != TEXTS


def test_random_insertion_inserts_synonyms_of_text_words():
    """Check that insertion adds n synonyms of the text's words and keeps the others."""
    out = RandomInsertion(p=0.5, synonyms=SYNONYMS).augment(
        ["great dress and nothing else"], random_state=0
    )[0]
    added = Counter(words(out)) - Counter(words("great dress and nothing else"))
    assert sum(added.values()) == 2
    assert set(added) <= {"excellent", "terrific", "gown", "frock"}
    assert RandomInsertion(p=0.5, synonyms=SYNONYMS).augment(["no known word"]) == ["no known word"]


def test_eda_operation_nested_params():
    """Check that a synonym source's parameters are nested parameters of the operation."""
    replace = SynonymReplacement(synonyms=DictSynonyms(SYNONYMS))
    assert replace.get_params()["synonyms__mapping"] is SYNONYMS
    replace.set_params(synonyms__mapping={"dress": ["gown"]}, p=1.0)
    assert replace.augment(["dress"]) == ["gown"]


@pytest.mark.parametrize("augmenter, err_msg", [
    (RandomSwap(p=1.5), "The 'p' parameter of RandomSwap must be a float in the range"),
    (RandomDeletion(p="high"), "The 'p' parameter of RandomDeletion must be"),
    (SynonymReplacement(synonyms=42), "The 'synonyms' parameter of SynonymReplacement must be"),
    (RandomInsertion(stop_words="french"), "The 'stop_words' parameter of RandomInsertion must be"),
])
def test_eda_operation_bad_params(augmenter, err_msg):
    """Check that bad parameters raise errors naming the parameter, at augment time."""
    with pytest.raises(ValueError, match=err_msg):
        augmenter.augment(["a text"])
