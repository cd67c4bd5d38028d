"""Random under-sampling of raw text: majority rows dropped at random."""

import numpy as np
from sklearn.utils import check_random_state

from ..base import SAMPLING_STRATEGY_CONSTRAINTS, BaseTextSampler


class RandomTextUnderSampler(BaseTextSampler):
    """Under-sample the majority classes of a text data set by dropping rows.

    :class:`imblearn.under_sampling.RandomUnderSampler` for raw text: it takes
    1-D text (a list, 1-D array, pandas Series or one-column DataFrame) and
    returns the same container type. Rows come out grouped by class (classes in
    sorted order); within a class that is not resampled they keep their order.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows each class should keep, with imbalanced-learn's
        under-sampling semantics: a float (binary only) is the wanted ratio
        minority / majority; ``"majority"``, ``"not minority"``,
        ``"not majority"``, ``"all"`` or ``"auto"`` (= ``"not minority"``) name
        the classes brought down to the minority's count; a dict gives
        ``{class: wanted count}``; a callable maps ``y`` to such a dict. See
        :class:`imblearn.under_sampling.RandomUnderSampler`.
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of rows to keep.
    replacement : bool, default=False
        Whether rows are drawn with replacement (then a row may be kept twice).

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{class: number of rows kept}`` for each resampled class.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        For each output row, the row of the input it is.

    See Also
    --------
    RandomTextOverSampler : Duplicates minority rows at random.

    Notes
    -----
    pandas outputs get a fresh ``RangeIndex``; the original index labels of the
    kept rows are ``X.index[sampler.sample_indices_]``.

    Examples
    --------
    >>> from collections import Counter
    >>> from sk_textrec.under_sampling import RandomTextUnderSampler
    >>> X = ["love it", "great fit", "so soft", "nice colour", "returned it"]
    >>> y = ["pos", "pos", "pos", "pos", "neg"]
    >>> sampler = RandomTextUnderSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [('neg', 1), ('pos', 1)]
    >>> all(X[i] == text for i, text in zip(sampler.sample_indices_, X_res))
    True
    """

    _sampling_type = "under-sampling"
    _parameter_constraints: dict = {
        "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINTS[_sampling_type],
        "random_state": ["random_state"],
        "replacement": ["boolean"],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, replacement=False):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state
        self.replacement = replacement

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        kept = []
        for label in np.unique(y):
            rows = np.flatnonzero(y == label)
            if label in self.sampling_strategy_:
                n_samples = self.sampling_strategy_[label]
                chosen = random_state.choice(len(rows), size=n_samples, replace=self.replacement)
                rows = rows[chosen]
            kept.append(rows)
        return self._take(X, y, np.concatenate(kept))
