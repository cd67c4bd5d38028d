"""Tiny deterministic augmenters for the tests (module-level: loky pickles them by name)."""

from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_VOCABULARY = ("nice", "soft", "cheap", "blue", "small", "fine", "new", "warm", "odd", "big")


class AppendWordsAugmenter(BaseEstimator):
    """Appends ``1 + int(p * n_words)`` random 6-letter words drawn with the seed.

    Its output always differs from its input, and two seeds almost never give
    the same output (26**6 words).
    """

    def __init__(self, p=0.5):
        self.p = p

    def augment(self, texts, random_state=None):
        rng = check_random_state(random_state)
        augmented = []
        for text in texts:
            n_new = 1 + int(self.p * len(text.split()))
            letters = rng.choice(list(_LETTERS), size=(n_new, 6))
            augmented.append(" ".join([text, *("".join(word) for word in letters)]))
        return augmented


class FlakyAugmenter(BaseEstimator):
    """Returns each text unchanged with probability ``p_fail``, else appends a random word."""

    def __init__(self, p_fail=0.5):
        self.p_fail = p_fail

    def augment(self, texts, random_state=None):
        rng = check_random_state(random_state)
        return [
            text if rng.uniform() < self.p_fail else f"{text} {rng.choice(_VOCABULARY)}"
            for text in texts
        ]


class UnchangedAugmenter(BaseEstimator):
    """Returns every text as it is."""

    def augment(self, texts, random_state=None):
        return list(texts)


class EmptyAugmenter(BaseEstimator):
    """Returns an empty string for every text."""

    def augment(self, texts, random_state=None):
        return [""] * len(texts)


class RecordingAugmenter(AppendWordsAugmenter):
    """AppendWordsAugmenter that records each call's texts and seed in ``calls``.

    ``calls`` is set on first use, not in ``__init__``: the sampler checks clone it.
    """

    def augment(self, texts, random_state=None):
        self.__dict__.setdefault("calls", []).append((list(texts), random_state))
        return super().augment(texts, random_state)
