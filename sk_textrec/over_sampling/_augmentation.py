"""Over-sampling of raw text by augmentation: new minority rows are rewrites."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ..base import SAMPLING_STRATEGY_CONSTRAINTS, BaseTextSampler, draw_minority_rows
from ..utils._sklearn_compat import HasMethods, Interval

# Seeds handed to the augmenter: any int a RandomState accepts.
_MAX_SEED = np.iinfo(np.int32).max


class AugmentationOverSampler(BaseTextSampler):
    """Over-sample the minority classes with augmented copies of their texts.

    Rows of each resampled class are drawn at random with replacement (as
    :class:`RandomTextOverSampler` does) and their texts rewritten by
    ``augmenter``, so that the class counts match ``sampling_strategy``. The
    original rows come first, in their order, then the new rows, class by class.

    A new row is never an empty (or blank) string nor an exact copy of its
    source: such rows are augmented again, with fresh randomness, up to
    ``max_retries`` times; rows still unchanged after that are plain copies of
    their source, and one warning says how many.

    Parameters
    ----------
    augmenter : object with an ``augment(texts, random_state=None)`` method
        Rewrites texts: given a list of ``str`` and a seed, it returns a list of
        as many ``str``. It is called once per resampled class and retry round,
        on all that round's texts (so model-based augmenters batch on their
        device), and is used as given, not cloned. Its parameters are tunable
        as ``augmenter__<param>``.
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows each class should have after resampling, with
        imbalanced-learn's over-sampling semantics: a float (binary only) is the
        wanted ratio minority / majority; ``"minority"``, ``"not minority"``,
        ``"not majority"``, ``"all"`` or ``"auto"`` (= ``"not majority"``) name
        the classes brought up to the majority's count; a dict gives
        ``{class: wanted count}``; a callable maps ``y`` to such a dict.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of source rows and the seed of every ``augment`` call:
        a fixed seed (and a deterministic augmenter) gives the same output.
    max_retries : int, default=3
        How many more times a row is augmented when its augmentation came back
        empty or unchanged. ``0`` accepts the first attempt.
    verbose : int, default=0
        Shows a progress bar (tqdm) over the new rows, and a line per class.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: number of rows added}`` for each resampled class.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        For each output row, the input row it comes from: ``0..n-1`` for the
        originals, then the source row of each new row.
    augmented_mask_ : ndarray of shape (n_samples_resampled,), dtype=bool
        True for the new rows whose text is an augmentation of their source;
        False for the originals and for new rows that are plain copies. The new
        rows are the last ``n_samples_resampled - n_samples``.
    n_plain_copies_ : int
        How many new rows fell back to a plain copy because the augmenter
        returned their text unchanged or empty in every attempt.

    See Also
    --------
    RandomTextOverSampler : Adds exact copies of minority rows.

    Notes
    -----
    A source text that is blank (empty or only whitespace) has nothing to
    augment: its new rows are copies of it, as it is, without a retry or a
    warning (and ``augmented_mask_`` False). That is the only way an empty
    string can be among the new rows.

    pandas outputs get a fresh ``RangeIndex``; the original index labels of the
    output rows' sources are ``X.index[sampler.sample_indices_]``.

    Examples
    --------
    Any object with an ``augment`` method works; this one shouts:

    >>> from collections import Counter
    >>> from sklearn.base import BaseEstimator
    >>> from sk_textrec.over_sampling import AugmentationOverSampler
    >>> class Shout(BaseEstimator):
    ...     def augment(self, texts, random_state=None):
    ...         return [text.upper() + "!" for text in texts]
    >>> X = ["love it", "great fit", "so soft", "nice colour", "returned it"]
    >>> y = ["pos", "pos", "pos", "pos", "neg"]
    >>> sampler = AugmentationOverSampler(Shout(), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [('neg', 4), ('pos', 4)]
    >>> X_res[:5] == X, X_res[5:]
    (True, ['RETURNED IT!', 'RETURNED IT!', 'RETURNED IT!'])
    >>> sampler.sample_indices_.tolist()
    [0, 1, 2, 3, 4, 4, 4, 4]
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        "augmenter": [HasMethods(["augment"])],
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS[_sampling_type],
        "random_state": ["random_state"],
        "max_retries": [Interval(Integral, 0, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(
        self, augmenter, *, sampling_strategy="auto", random_state=None, max_retries=3, verbose=0
    ):
        self.augmenter = augmenter
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.max_retries = max_retries
        self.verbose = verbose

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        drawn = draw_minority_rows(self.sampling_strategy_, y, random_state)
        X_res, y_res = self._take(X, y, np.concatenate([np.arange(len(y)), *drawn.values()]))
        self.augmented_mask_ = np.zeros(len(y_res), dtype=bool)
        self.n_plain_copies_ = 0
        n_new = len(y_res) - len(y)
        bar = _progress_bar(type(self).__name__, n_new) if self.verbose else None
        try:
            start = len(y)
            for label, sources in drawn.items():
                rows = np.arange(start, start + len(sources))
                start += len(sources)
                texts, augmented, n_copies = self._augment_class(X[sources], random_state)
                X_res[rows], self.augmented_mask_[rows] = texts, augmented
                self.n_plain_copies_ += n_copies
                if bar is not None:
                    bar.update(len(rows))
                    bar.write(f"class {label}: {len(rows)} new rows, {n_copies} plain copies")
        finally:
            if bar is not None:
                bar.close()
        if self.n_plain_copies_:
            warnings.warn(
                f"{self.n_plain_copies_} of {n_new} new rows are plain copies of their "
                f"source text: {type(self.augmenter).__name__} returned them unchanged or "
                f"empty in {1 + self.max_retries} attempts. Use an augmenter that changes "
                "more of the text, or raise max_retries.",
                UserWarning,
            )
        return X_res, y_res

    def _augment_class(self, sources, random_state):
        """Augmentations of ``sources``, which rows got one, and how many fell back."""
        texts, augmented = sources.copy(), np.zeros(len(sources), dtype=bool)
        pending = np.flatnonzero(_not_blank(sources))
        for _ in range(1 + self.max_retries):
            if len(pending) == 0:
                break
            # A fresh int seed per call: the same sampler seed replays every call.
            seed = random_state.randint(_MAX_SEED)
            candidates = self._augment(sources[pending], seed)
            accepted = (candidates != sources[pending]) & _not_blank(candidates)
            texts[pending[accepted]] = candidates[accepted]
            augmented[pending[accepted]] = True
            pending = pending[~accepted]
        return texts, augmented, len(pending)

    def _augment(self, texts, seed):
        """One ``augment`` call, its output checked and made a 1-D object array."""
        name = type(self.augmenter).__name__
        output = self.augmenter.augment(texts.tolist(), random_state=seed)
        if isinstance(output, str) or not hasattr(output, "__len__"):
            raise TypeError(
                f"{name}.augment must return a list of strings; got {type(output).__name__}."
            )
        if len(output) != len(texts):
            raise ValueError(
                f"{name}.augment returned {len(output)} texts for {len(texts)} inputs; it "
                "must return one text per input, in order."
            )
        candidates = np.empty(len(texts), dtype=object)
        candidates[:] = list(output)
        for text in candidates:
            if not isinstance(text, str):
                raise TypeError(
                    f"{name}.augment must return strings; got {type(text).__name__} "
                    f"{text!r:.40}."
                )
        return candidates


def _not_blank(texts):
    return np.array([bool(text.strip()) for text in texts], dtype=bool)


def _progress_bar(description, total):
    # tqdm comes with transformers; imported only when progress is asked for.
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="text")
