"""The base of every sk_textrec text sampler: 1-D text in, the same container out.

imbalanced-learn's samplers validate ``X`` as a 2-D numeric-or-object table;
raw text is 1-D, so :class:`BaseTextSampler` replaces that check and the
restoring of the output container, and keeps the rest of imbalanced-learn's
contract (``sampling_strategy`` semantics, ``sampling_strategy_``, tags).
"""

import numbers
from collections.abc import Mapping

import numpy as np
from imblearn.base import BaseSampler
from imblearn.utils import check_sampling_strategy, check_target_type
from sklearn.utils import check_consistent_length
from sklearn.utils.multiclass import check_classification_targets

from .utils._sklearn_compat import Interval, StrOptions, _fit_context
from .utils._validation import check_label_values, check_text_input

# imbalanced-learn's own constraints per sampling type (over-sampling has no
# "majority", cleaning takes a list of classes instead of a dict of counts).
SAMPLING_STRATEGY_CONSTRAINTS = {
    "over-sampling": [
        Interval(numbers.Real, 0, 1, closed="right"),
        StrOptions({"auto", "minority", "not minority", "not majority", "all"}),
        Mapping,
        callable,
    ],
    "under-sampling": [
        Interval(numbers.Real, 0, 1, closed="right"),
        StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
        Mapping,
        callable,
    ],
    "clean-sampling": [
        StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
        list,
        callable,
    ],
}


class BaseTextSampler(BaseSampler):
    """Base class of the samplers that resample raw text (not exported).

    The contract for subclasses:

    - set ``_sampling_type`` to ``"over-sampling"``, ``"under-sampling"`` or
      ``"clean-sampling"``: it selects how imbalanced-learn's
      :func:`~imblearn.utils.check_sampling_strategy` reads
      ``sampling_strategy``; use ``SAMPLING_STRATEGY_CONSTRAINTS[_sampling_type]``
      as the ``"sampling_strategy"`` entry of ``_parameter_constraints``;
    - store every ``__init__`` parameter as is (``sampling_strategy`` included);
    - implement only ``_fit_resample(self, X, y)``. ``X`` is a 1-D object ndarray
      of ``str`` (never a pandas object), ``y`` a 1-D ndarray of labels and
      ``self.sampling_strategy_`` is already set (an ordered dict
      ``{class: n_samples}``). Return ``(X_res, y_res)``: a 1-D object ndarray of
      ``str`` and the labels, as ndarrays of equal length. Set
      ``sample_indices_`` (row of ``X`` behind each output row) when rows are kept
      or copied; :meth:`_take` does both for pure row selection.

    :meth:`fit_resample` validates the texts with
    :func:`~sk_textrec.utils.check_text_input`, the labels with
    imbalanced-learn's target checks (binary, multiclass, or one-hot which is
    returned one-hot), then returns the resampled texts and labels in the
    containers they came in:

    - ``list`` -> ``list`` of ``str`` (and labels as a list);
    - ``ndarray`` -> 1-D ``ndarray`` of dtype object (a ``(n, 1)`` array keeps
      its second axis);
    - pandas ``Series`` -> ``Series`` with the same name and dtype;
    - one-column pandas ``DataFrame`` -> ``DataFrame`` with the same column name
      and dtype;
    - anything else (tuple, ...) -> 1-D ``ndarray`` of dtype object.

    pandas outputs get a fresh ``RangeIndex`` (as in imbalanced-learn): an
    over-sampler would otherwise repeat index labels. The original position of
    each output row is ``sample_indices_``; ``X.index[sampler.sample_indices_]``
    gives the original index labels. Labels and texts of original rows are
    never changed, and the caller's containers are not modified.

    Tags declare 1-D string input (``one_d_array=True``, ``two_d_array=False``,
    ``string=True``, ``sparse=False``) and ``sampler_tags.sample_indices=True``;
    a subclass that does not set ``sample_indices_`` turns the latter off.
    """

    _parameter_constraints: dict = {}

    def _check_X_y(self, X, y):
        """The texts as a 1-D object array, the labels as 1-D, and whether y was one-hot."""
        texts = check_text_input(X)
        check_label_values(y)
        check_classification_targets(y)
        # np.asarray first: a list of one-hot rows has no .sum(axis=1).
        labels, binarize_y = check_target_type(np.asarray(y), indicate_one_vs_all=True)
        check_consistent_length(texts, labels)
        try:
            self.sampling_strategy_ = check_sampling_strategy(
                self.sampling_strategy, labels, self._sampling_type
            )
        except ValueError as exc:  # imbalanced-learn's messages do not name the parameter
            raise ValueError(f"The 'sampling_strategy' parameter of {type(self).__name__}: {exc}") from exc
        return texts, labels, binarize_y

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Check the texts and labels and resolve ``sampling_strategy_``.

        Use :meth:`fit_resample`: samplers do their work there.

        Parameters
        ----------
        X : list, ndarray, pandas Series or one-column DataFrame of str
            The texts.
        y : array-like of shape (n_samples,)
            The labels.

        Returns
        -------
        self : object
            The sampler.
        """
        self._check_X_y(X, y)
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def fit_resample(self, X, y):
        """Resample the texts and their labels.

        Parameters
        ----------
        X : list, ndarray, pandas Series or one-column DataFrame of str
            The texts.
        y : array-like of shape (n_samples,)
            The labels.

        Returns
        -------
        X_resampled : list, ndarray, Series or DataFrame of str
            The resampled texts, in the container type of ``X``.
        y_resampled : list, ndarray or Series
            Their labels, in the container type of ``y``.
        """
        texts, labels, binarize_y = self._check_X_y(X, y)
        X_res, y_res = self._fit_resample(texts, labels)
        if binarize_y:  # back to one-hot rows; labels are the column positions
            y_res = np.eye(np.shape(y)[1], dtype=np.asarray(y).dtype)[y_res]
        return _restore_container(X_res, X), _restore_container(y_res, y)

    def _take(self, X, y, indices):
        """Rows ``indices`` of ``X`` and ``y``, recorded as ``sample_indices_``."""
        self.sample_indices_ = np.asarray(indices, dtype=np.intp)
        return X[self.sample_indices_], y[self.sample_indices_]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        tags.sampler_tags.sample_indices = True
        return tags


def draw_minority_rows(sampling_strategy, y, random_state):
    """Rows drawn with replacement for over-sampling: ``{class: row indices}``.

    ``sampling_strategy`` is a fitted ``sampling_strategy_`` of an over-sampler
    (``{class: n_new_rows}``); classes are drawn in its (sorted) order so that
    one seed gives one draw.
    """
    return {
        label: random_state.choice(np.flatnonzero(y == label), size=n_samples, replace=True)
        for label, n_samples in sampling_strategy.items()
    }


def _restore_container(values, like):
    """``values`` (an ndarray) in the container type the user gave as ``like``."""
    if isinstance(like, list):
        return values.tolist()
    if hasattr(like, "iloc"):  # pandas, duck-typed: it is an optional dependency
        import pandas as pd

        if hasattr(like, "columns"):
            frame = pd.DataFrame(values.reshape(len(values), -1), columns=like.columns)
            return frame.astype(like.dtypes.to_dict())
        return pd.Series(values, dtype=like.dtype, name=like.name)
    if isinstance(like, np.ndarray):
        return values.reshape((-1,) + like.shape[1:])
    return values
