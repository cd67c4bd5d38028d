"""Tests of CharacterNoise (sk_textrec/augmentation/_noise.py)."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sk_textrec.augmentation import CharacterNoise
from sk_textrec.augmentation._noise import KEYBOARD_NEIGHBOURS

from ._data import TEXTS

LONG_TEXT = "Great dress, I love the soft fabric and the colour! 😀 这件衣服很好 " * 4


def non_alnum(text):
    return [char for char in text if not char.isalnum()]


def test_character_noise_p_zero_keeps_texts():
    """Check that p=0 returns every text unchanged."""
    assert CharacterNoise(p=0.0).augment(TEXTS, random_state=0) == TEXTS


def test_character_noise_seeds():
    """Check that a seed fixes the output and that other seeds give other outputs."""
    noise = CharacterNoise(p=0.1)
    first = noise.augment([LONG_TEXT] * 2, random_state=0)
    assert noise.augment([LONG_TEXT] * 2, random_state=0) == first
    assert noise.augment([LONG_TEXT], random_state=1)[0] != first[0]
    assert first[0] != first[1]


def test_character_noise_higher_p_changes_more():
    """Check that a higher rate edits more characters on average."""
    def n_edits(p):
        out = CharacterNoise(p=p).augment([LONG_TEXT] * 20, random_state=0)
        return np.mean([sum((Counter(LONG_TEXT) - Counter(o)).values()) + abs(len(o) - len(LONG_TEXT))
                        for o in out])
    assert 0 < n_edits(0.02) < n_edits(0.1) < n_edits(0.3)


@pytest.mark.parametrize("operation", ["keyboard", "drop", "duplicate", "swap"])
def test_character_noise_edits_only_letters_and_digits(operation):
    """Check that spaces, punctuation, emoji and their order are never edited."""
    out = CharacterNoise(p=0.5, operations=(operation,)).augment([LONG_TEXT], random_state=0)[0]
    assert out != LONG_TEXT
    assert non_alnum(out) == non_alnum(LONG_TEXT)


def test_character_noise_operations():
    """Check what each operation does to the letters of a text."""
    text = "qwerty asdfgh zxcvbn"

    def noisy(operation):
        return CharacterNoise(p=0.5, operations=(operation,)).augment([text], random_state=0)[0]

    typos = noisy("keyboard")
    assert len(typos) == len(text) and typos != text
    assert all(b == a or b in KEYBOARD_NEIGHBOURS[a] for a, b in zip(text, typos))
    swapped = noisy("swap")
    assert Counter(swapped) == Counter(text) and swapped != text
    dropped, doubled = noisy("drop"), noisy("duplicate")
    assert len(dropped) < len(text) < len(doubled)
    assert not Counter(dropped) - Counter(text) and not Counter(text) - Counter(doubled)


def test_character_noise_keyboard_keeps_case_and_skips_other_scripts():
    """Check that typos keep upper case and that CJK characters get the other operations."""
    out = CharacterNoise(p=1.0, operations=("keyboard",)).augment(["ABC 好"], random_state=0)[0]
    assert out[:3].isupper() and out[:3] != "ABC" and out[3:] == " 好"
    out = CharacterNoise(p=1.0, operations=("keyboard", "duplicate")).augment(["好"], random_state=0)
    assert out == ["好好"]


def test_keyboard_neighbours_are_symmetric():
    """Check that the QWERTY table is symmetric and covers letters and digits."""
    assert set(KEYBOARD_NEIGHBOURS) == set("abcdefghijklmnopqrstuvwxyz0123456789")
    for key, near in KEYBOARD_NEIGHBOURS.items():
        assert key not in near and all(key in KEYBOARD_NEIGHBOURS[n] for n in near)
    assert set(KEYBOARD_NEIGHBOURS["s"]) == set("awedxz")


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=40), p=st.floats(0.0, 1.0), seed=st.integers(0, 2**16))
def test_character_noise_never_empties_a_text(text, p, seed):
    """Check that a text keeps a letter or digit if it had one, and "" stays ""."""
    out = CharacterNoise(p=p).augment([text], random_state=seed)
    assert len(out) == 1
    if any(char.isalnum() for char in text):
        assert any(char.isalnum() for char in out[0])
    assert (out[0] == "") == (text == "")


def test_character_noise_all_dropped_returns_original():
    """Check that a text whose every letter would be dropped is returned unchanged."""
    assert CharacterNoise(p=1.0, operations=("drop",)).augment(["ab", "a b!"]) == ["ab", "a b!"]


@pytest.mark.parametrize("params, err_msg", [
    ({"p": -0.1}, "The 'p' parameter of CharacterNoise must be a float in the range"),
    ({"operations": "keyboard"}, "The 'operations' parameter of CharacterNoise must be"),
    ({"operations": ("typo",)}, "The 'operations' parameter of CharacterNoise must be a non-empty"),
    ({"operations": ()}, "The 'operations' parameter of CharacterNoise must be a non-empty"),
])
def test_character_noise_bad_params(params, err_msg):
    """Check that bad parameters raise errors naming the parameter."""
    with pytest.raises(ValueError, match=err_msg):
        CharacterNoise(**params).augment(["a text"])
