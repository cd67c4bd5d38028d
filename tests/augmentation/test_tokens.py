"""Tests of the word/separator tokenizer shared by the EDA operations."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sk_textrec.augmentation._tokens import (
    delete_word,
    insert_word,
    is_word,
    match_case,
    split_words,
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_split_words_round_trip(text):
    """Check that joining the parts restores any text, with words at odd indices."""
    parts = split_words(text)
    assert "".join(parts) == text and len(parts) % 2 == 1
    assert all(is_word(word) for word in parts[1::2])
    assert not any(is_word(sep) for sep in parts[0::2] if sep)


@pytest.mark.parametrize("text, words", [
    ("Great dress, I love it!", ["Great", "dress", "I", "love", "it"]),
    ("don't buy this t-shirt", ["don't", "buy", "this", "t-shirt"]),
    ("这件衣服很好", ["这", "件", "衣", "服", "很", "好"]),
    ("I love 中国 😀 size_12", ["I", "love", "中", "国", "size", "12"]),
    ("café naïve", ["café", "naïve"]),
    ("😀 !!", []),
    ("", []),
])
def test_split_words_words(text, words):
    """Check which substrings are words: CJK characters one by one, punctuation never."""
    assert split_words(text)[1::2] == words


@pytest.mark.parametrize("text, index, expected", [
    ("great dress, love it!", 1, "dress, love it!"),
    ("great dress, love it!", 3, "great, love it!"),
    ("great dress, love it!", 5, "great dress, it!"),
    ("great dress, love it!", 7, "great dress, love!"),
    ("  padded  words  ", 1, "  words  "),
    ("我爱你", 3, "我你"),
    ("line one\nline two", 5, "line one\ntwo"),
])
def test_delete_word_merges_separators(text, index, expected):
    """Check that deleting a word keeps punctuation and adds no stray spaces."""
    parts = split_words(text)
    delete_word(parts, index)
    assert "".join(parts) == expected


@pytest.mark.parametrize("text, index, word, expected", [
    ("great dress", 3, "lovely", "great lovely dress"),
    ("great dress", 1, "very", "very great dress"),
    ("我喜欢", 3, "很", "我很喜欢"),
    ("我喜欢", 3, "really", "我really 喜欢"),
])
def test_insert_word_spacing(text, index, word, expected):
    """Check that an inserted word gets a space, except between CJK characters."""
    parts = split_words(text)
    insert_word(parts, index, word)
    assert "".join(parts) == expected and len(parts) % 2 == 1


@pytest.mark.parametrize("original, replacement, expected", [
    ("dress", "gown", "gown"),
    ("Dress", "gown", "Gown"),
    ("DRESS", "gown", "GOWN"),
    ("I", "me", "Me"),
    ("good", "Nice", "Nice"),
    ("好", "佳", "佳"),
])
def test_match_case(original, replacement, expected):
    """Check that a replacement takes the capitalisation of the word it replaces."""
    assert match_case(original, replacement) == expected
