"""Words and separators: the token lists that the word-level augmenters edit.

A text is split once into ``parts = [sep, word, sep, word, ..., sep]``: words at
the odd indices, the exact text between them (spaces, punctuation, emoji) at the
even ones. ``"".join(parts)`` restores the text, so every edit below changes only
the words it touches and keeps the punctuation in its place in the sentence.
"""

import re

# Han ideographs (with extension A and compatibility forms), kana and the
# supplementary ideograph planes: scripts written without spaces, where one
# character is the useful unit of editing (and the unit of BERT vocabularies).
_CJK_RANGES = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002ebef\U00030000-\U0003134f"
)
# A letter or digit that is not CJK: `[^\W_]` is "alphanumeric" in `re`.
_LETTER = rf"[^\W_{_CJK_RANGES}]"
# Words keep their inner apostrophes and hyphens ("don't", "t-shirt"), so that
# an edit never splits them; any other non-letter is a separator. (Latin first:
# the common case; the two branches never match the same text.)
WORD_PATTERN = rf"{_LETTER}+(?:['\u2019-]{_LETTER}+)*|[{_CJK_RANGES}]"

_SPLIT = re.compile(f"({WORD_PATTERN})")
_WORD = re.compile(WORD_PATTERN)
_CJK = re.compile(f"[{_CJK_RANGES}]")


def split_words(text):
    """Split ``text`` into ``[sep, word, sep, ..., word, sep]`` (always odd length)."""
    return _SPLIT.split(text)


def is_word(string):
    """Whether ``string`` is exactly one word of the tokenizer (e.g. a synonym)."""
    return _WORD.fullmatch(string) is not None


def word_positions(parts):
    """Indices of the words in ``parts``."""
    return range(1, len(parts), 2)


def is_cjk_char(string):
    """Whether ``string`` is one CJK character (written without spaces)."""
    return len(string) == 1 and _CJK.match(string) is not None


def insert_word(parts, index, word):
    """Insert ``word`` before the word at ``parts[index]`` (an odd index).

    The new word is followed by a space, except between two CJK characters,
    which are written without one.
    """
    joiner = "" if is_cjk_char(word) and is_cjk_char(parts[index]) else " "
    parts[index:index] = [word, joiner]


def delete_word(parts, index):
    """Delete the word at ``parts[index]`` and merge the separators around it.

    Of two separators the one that carries punctuation is kept ("great dress,
    love" -> "great, love"); the first and last words take the outer whitespace
    with them, so no text gains a leading or trailing space.
    """
    left, right = parts[index - 1], parts[index + 1]
    if index == 1:
        merged = left + right.lstrip()
    elif index == len(parts) - 2:
        merged = left.rstrip() + right
    elif not right or right.isspace():
        merged = left
    elif not left or left.isspace():
        merged = right
    else:
        merged = left + right.lstrip()
    parts[index - 1:index + 2] = [merged]


def match_case(original, replacement):
    """Give ``replacement`` the capitalisation of ``original`` (Title, UPPER)."""
    if len(original) > 1 and original.isupper():
        return replacement.upper()
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement
