"""What every augmenter shares: the ``augment`` contract and lazy heavy state.

Nothing here imports torch or transformers: ``import sk_textrec`` stays light.
"""

import random

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ..utils._validation import check_text_input

_MAX_SEED = np.iinfo(np.int32).max


def child_seed(random_state):
    """An int seed drawn from a RandomState, for a nested RNG or augmenter."""
    return int(random_state.randint(_MAX_SEED))


def python_rng(random_state):
    """A ``random.Random`` seeded from ``random_state``.

    Word and character edits draw a few scalars per text, where the standard
    library is about ten times faster per draw than a numpy RandomState.
    """
    return random.Random(child_seed(random_state))


class BaseAugmenter(BaseEstimator):
    """Base class of the augmenters: ``augment`` validates, ``_augment`` edits.

    A subclass declares ``_parameter_constraints`` and writes
    ``_augment(texts, random_state)``, which receives a non-empty list of
    ``str`` and a ``numpy.random.RandomState`` and returns one string per text.
    """

    _parameter_constraints = {}

    def augment(self, texts, random_state=None):
        """Return one augmented text per input text, in the same order.

        Parameters
        ----------
        texts : list, ndarray, pandas Series or one-column DataFrame of str
            The texts to augment; empty strings are returned unchanged.
        random_state : int, RandomState instance or None, default=None
            Seed of the random edits: the same seed gives the same output.

        Returns
        -------
        augmented : list of str
            The augmented texts, as many as ``texts``.
        """
        self._validate_params()
        texts = check_text_input(texts, input_name="texts", allow_empty=True).tolist()
        try:
            random_state = check_random_state(random_state)
        except ValueError as exc:
            raise ValueError(f"The 'random_state' argument of augment must be None, an int in "
                             f"[0, 2**32 - 1] or a RandomState; got {random_state!r}.") from exc
        if not texts:
            return []
        return self._augment(texts, random_state)

    def _augment(self, texts, random_state):
        raise NotImplementedError


class LazyStateMixin:
    """Build heavy state (a model, a word cache) on first use, not in ``__init__``.

    The state depends only on the parameters named in ``_state_params``: it is
    rebuilt when one of them changes (``set_params`` in a grid search), it is
    never a parameter, and it is left out of pickles and rebuilt after
    loading, so that an augmenter used on a GPU unpickles on a CPU machine and
    joblib workers do not receive whole models.
    """

    _state_params = ()

    def _loaded(self):
        key = tuple(getattr(self, name) for name in self._state_params)
        cached = self.__dict__.get("_lazy_state")
        if cached is None or cached[0] != key:
            cached = self._lazy_state = (key, self._load())
        return cached[1]

    def _load(self):
        raise NotImplementedError

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_lazy_state", None)
        return state
