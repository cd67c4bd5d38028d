"""Combinators: apply augmenters in sequence, or one randomly chosen per text.

Like :class:`~sklearn.pipeline.Pipeline`, they hold a list of ``(name,
augmenter)`` pairs, so that a grid search reaches every nested parameter:
``augmenter__swap__p`` is the ``p`` of the augmenter named ``"swap"``, and
``augmenter__swap`` replaces that augmenter.
"""

import numpy as np

from ..utils._sklearn_compat import _BaseComposition
from ..utils._validation import as_float_array
from ._base import BaseAugmenter


class _NamedAugmenters(BaseAugmenter, _BaseComposition):
    """``augmenters`` as (name, augmenter) pairs, with nested get/set_params."""

    _parameter_constraints = {"augmenters": [list]}

    def get_params(self, deep=True):
        """Get the parameters, with those of the named augmenters when ``deep``.

        Parameters
        ----------
        deep : bool, default=True
            Also return each augmenter by its name and its parameters as
            ``<name>__<parameter>``.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return self._get_params("augmenters", deep=deep)

    def set_params(self, **params):
        """Set parameters, of this object or of a named augmenter.

        Parameters
        ----------
        **params : dict
            ``augmenters``, ``<name>`` to replace an augmenter, or
            ``<name>__<parameter>`` to set one of its parameters.

        Returns
        -------
        self : object
            This object.
        """
        self._set_params("augmenters", **params)
        return self

    def _checked_augmenters(self):
        augmenters = self.augmenters
        if not augmenters or not _is_named_list(augmenters) or not all(
            isinstance(n, str) and hasattr(a, "augment") for n, a in augmenters
        ):
            raise ValueError(
                f"The 'augmenters' parameter of {type(self).__name__} must be a non-empty "
                "list of (name, augmenter) pairs, each augmenter with an augment(texts, "
                f"random_state) method, e.g. [('swap', RandomSwap())]. Got {augmenters!r:.200} "
                "instead."
            )
        # Unique names, no '__', no clash with a parameter name (sklearn's rule).
        self._validate_names([name for name, _ in augmenters])
        return augmenters


def _is_named_list(augmenters):
    return isinstance(augmenters, (list, tuple)) and all(
        isinstance(pair, tuple) and len(pair) == 2 for pair in augmenters
    )


def _apply(name, augmenter, texts, seed):
    augmented = augmenter.augment(texts, random_state=seed)
    if len(augmented) != len(texts):
        raise ValueError(
            f"The augmenter {name!r} returned {len(augmented)} texts for {len(texts)}; "
            "an augmenter must return one text per input text."
        )
    return list(augmented)


class AugmentationSequence(_NamedAugmenters):
    """Apply augmenters one after the other, each to the output of the previous.

    Each augmenter gets its own seed, drawn from ``random_state``.

    Parameters
    ----------
    augmenters : list of (str, augmenter) tuples
        The augmenters in order, with names for their nested parameters
        (``augmenter__<name>__<parameter>`` in a grid search).

    See Also
    --------
    OneOf : One randomly chosen augmenter per text.

    Examples
    --------
    >>> from sk_textrec.augmentation import (AugmentationSequence, RandomSwap,
    ...                                      SynonymReplacement)
    >>> sequence = AugmentationSequence([
    ...     ("synonyms", SynonymReplacement(p=0.5, synonyms={"dress": ["gown"]})),
    ...     ("swap", RandomSwap(p=0.0)),
    ... ])
    >>> sequence.augment(["great dress"], random_state=0)
    ['great gown']
    >>> sequence.set_params(swap__p=0.3).get_params()["swap__p"]
    0.3
    """

    def __init__(self, augmenters):
        self.augmenters = augmenters

    def _augment(self, texts, random_state):
        augmenters = self._checked_augmenters()
        seeds = random_state.randint(np.iinfo(np.int32).max, size=len(augmenters))
        for (name, augmenter), seed in zip(augmenters, seeds.tolist()):
            texts = _apply(name, augmenter, texts, seed)
        return texts


class OneOf(_NamedAugmenters):
    """Augment each text with one augmenter, chosen at random per text.

    The texts that drew the same augmenter are augmented together, in one
    call (a batch for model-based augmenters), and put back in their order.

    Parameters
    ----------
    augmenters : list of (str, augmenter) tuples
        The augmenters to choose from, with names for their nested parameters.
    weights : array-like of shape (n_augmenters,), default=None
        Relative probabilities of the augmenters; ``None`` is uniform.

    See Also
    --------
    AugmentationSequence : All augmenters, one after the other.

    Examples
    --------
    >>> from sk_textrec.augmentation import OneOf, RandomDeletion, RandomSwap
    >>> one_of = OneOf([("swap", RandomSwap(p=0.5)), ("delete", RandomDeletion(p=0.5))],
    ...                weights=[0.0, 1.0])
    >>> one_of.augment(["a b c d"], random_state=0)[0].count(" ")
    1
    """

    _parameter_constraints = {
        **_NamedAugmenters._parameter_constraints,
        "weights": ["array-like", None],
    }

    def __init__(self, augmenters, weights=None):
        self.augmenters = augmenters
        self.weights = weights

    def _augment(self, texts, random_state):
        augmenters = self._checked_augmenters()
        probabilities = self._probabilities(len(augmenters))
        chosen = random_state.choice(len(augmenters), size=len(texts), p=probabilities)
        seeds = random_state.randint(np.iinfo(np.int32).max, size=len(augmenters))
        augmented = list(texts)
        for k, ((name, augmenter), seed) in enumerate(zip(augmenters, seeds.tolist())):
            rows = np.flatnonzero(chosen == k).tolist()
            if rows:
                outputs = _apply(name, augmenter, [texts[row] for row in rows], seed)
                for row, text in zip(rows, outputs):
                    augmented[row] = text
        return augmented

    def _probabilities(self, n_augmenters):
        if self.weights is None:
            return None
        weights = as_float_array(self.weights, input_name="The 'weights' parameter of OneOf")
        if weights.shape != (n_augmenters,) or not np.all(weights >= 0) or not weights.sum() > 0:
            raise ValueError(
                "The 'weights' parameter of OneOf must hold one non-negative weight "
                f"per augmenter ({n_augmenters}), not all zero. Got {self.weights!r} instead."
            )
        return weights / weights.sum()
