"""Character noise: keyboard typos, dropped, doubled and swapped characters."""

from numbers import Real

import numpy as np

from ..utils._sklearn_compat import Interval
from ._base import BaseAugmenter, python_rng

_OPERATIONS = ("keyboard", "drop", "duplicate", "swap")

# QWERTY rows; each row is shifted right of the row above by about half a
# key, so a key touches keys (i, i+1) of the row above and (i-1, i) below.
_QWERTY_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOUR_OFFSETS = ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0))


def _keyboard_neighbours():
    neighbours = {}
    for row, keys in enumerate(_QWERTY_ROWS):
        for column, key in enumerate(keys):
            near = [
                _QWERTY_ROWS[row + dr][column + dc]
                for dr, dc in _NEIGHBOUR_OFFSETS
                if 0 <= row + dr < len(_QWERTY_ROWS)
                and 0 <= column + dc < len(_QWERTY_ROWS[row + dr])
            ]
            neighbours[key] = "".join(near)
    return neighbours


KEYBOARD_NEIGHBOURS = _keyboard_neighbours()


class CharacterNoise(BaseAugmenter):
    """Typos: keyboard-neighbour substitution, character drop, duplicate and swap.

    Each letter or digit is edited with probability ``p`` by one of
    ``operations``, chosen uniformly: ``"keyboard"`` replaces it by a
    neighbouring key of a QWERTY keyboard (keeping its case), ``"drop"``
    deletes it, ``"duplicate"`` doubles it and ``"swap"`` exchanges it with the
    next letter or digit. Characters that no keyboard operation applies to
    (CJK, accented letters) get one of the other operations. Spaces,
    punctuation and emoji are never edited, and a text never loses all its
    letters and digits: such a text is returned unchanged.

    Parameters
    ----------
    p : float, default=0.05
        Probability that a letter or digit is edited.
    operations : tuple of str, default=("keyboard", "drop", "duplicate", "swap")
        The edits to choose from; any non-empty subset.

    See Also
    --------
    RandomDeletion : Delete whole words.

    Examples
    --------
    >>> from sk_textrec.augmentation import CharacterNoise
    >>> noise = CharacterNoise(p=0.2, operations=("duplicate",))
    >>> text = noise.augment(["great dress"], random_state=0)[0]
    >>> len(text) > len("great dress"), text.replace(" ", "").isalpha()
    (True, True)
    """

    _parameter_constraints = {
        "p": [Interval(Real, 0, 1, closed="both")],
        "operations": [list, tuple],
    }

    def __init__(self, p=0.05, operations=_OPERATIONS):
        self.p = p
        self.operations = operations

    def _augment(self, texts, random_state):
        operations = self._check_operations()
        if self.p == 0:
            return list(texts)
        # How many characters of each text are drawn, in one vectorised call;
        # those that are not letters or digits are then left alone.
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        counts = random_state.binomial(lengths, self.p).tolist()
        rng = python_rng(random_state)
        without_keyboard = tuple(op for op in operations if op != "keyboard")
        return [
            _noisy(text, rng.sample(range(len(text)), count), rng, operations, without_keyboard)
            if count else text
            for text, count in zip(texts, counts)
        ]

    def _check_operations(self):
        operations = tuple(self.operations)
        if not operations or any(op not in _OPERATIONS for op in operations):
            raise ValueError(
                "The 'operations' parameter of CharacterNoise must be a non-empty "
                f"sequence of {', '.join(map(repr, _OPERATIONS))}. "
                f"Got {self.operations!r} instead."
            )
        return operations


def _noisy(text, positions, rng, operations, without_keyboard):
    chars = list(text)
    random = rng.random
    dropped = False
    # Right to left, so that an insertion or deletion does not move the
    # positions still to edit.
    for i in sorted(positions, reverse=True):
        char = chars[i]
        if not char.isalnum():
            continue
        near = KEYBOARD_NEIGHBOURS.get(char.lower())
        choices = operations if near else without_keyboard
        if not choices:
            continue
        operation = choices[int(random() * len(choices))]
        if operation == "keyboard":
            typo = near[int(random() * len(near))]
            chars[i] = typo.upper() if char.isupper() else typo
        elif operation == "drop":
            del chars[i]
            dropped = True
        elif operation == "duplicate":
            chars.insert(i, char)
        elif i + 1 < len(chars) and chars[i + 1].isalnum():
            chars[i], chars[i + 1] = chars[i + 1], char
    if dropped and not any(map(str.isalnum, chars)):
        return text
    return "".join(chars)
