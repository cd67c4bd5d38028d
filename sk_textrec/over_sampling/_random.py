"""Random over-sampling of raw text: minority rows duplicated at random."""

import numpy as np
from sklearn.utils import check_random_state

from ..base import SAMPLING_STRATEGY_CONSTRAINTS, BaseTextSampler, draw_minority_rows


class RandomTextOverSampler(BaseTextSampler):
    """Over-sample the minority classes of a text data set by duplicating rows.

    :class:`imblearn.over_sampling.RandomOverSampler` for raw text: it takes 1-D
    text (a list, 1-D array, pandas Series or one-column DataFrame) and returns
    the same container type. The original rows come first, in their order,
    followed by the drawn copies, class by class.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows each class should have after resampling, with
        imbalanced-learn's over-sampling semantics: a float (binary only) is the
        wanted ratio minority / majority; ``"minority"``, ``"not minority"``,
        ``"not majority"``, ``"all"`` or ``"auto"`` (= ``"not majority"``) name
        the classes brought up to the majority's count; a dict gives
        ``{class: wanted count}``; a callable maps ``y`` to such a dict. See
        :class:`imblearn.over_sampling.RandomOverSampler`.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of rows to copy.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: number of rows added}`` for each resampled class.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        For each output row, the row of the input it copies: ``0..n-1`` for the
        originals, then the copied rows.

    See Also
    --------
    AugmentationOverSampler : Adds augmented texts rather than exact copies.
    RandomTextUnderSampler : Drops majority rows at random.

    Notes
    -----
    pandas outputs get a fresh ``RangeIndex``; the original index labels of the
    output rows are ``X.index[sampler.sample_indices_]``.

    Examples
    --------
    >>> from collections import Counter
    >>> from sk_textrec.over_sampling import RandomTextOverSampler
    >>> X = ["love it", "great fit", "so soft", "nice colour", "returned it"]
    >>> y = ["pos", "pos", "pos", "pos", "neg"]
    >>> X_res, y_res = RandomTextOverSampler(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [('neg', 4), ('pos', 4)]
    >>> X_res[:5] == X, X_res[5:]
    (True, ['returned it', 'returned it', 'returned it'])
    """

    _sampling_type = "over-sampling"
    _parameter_constraints: dict = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS[_sampling_type],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        drawn = draw_minority_rows(self.sampling_strategy_, y, random_state)
        return self._take(X, y, np.concatenate([np.arange(len(y)), *drawn.values()]))
