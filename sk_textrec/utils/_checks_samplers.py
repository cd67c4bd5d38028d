"""Compliance checks of text samplers (imbalanced-learn style ``fit_resample``)."""

from collections import Counter

import numpy as np
from sklearn.base import clone
from sklearn.utils import get_tags

from ._check_data import _containers, _imbalanced_text_data
from ._sklearn_compat import set_random_state


def check_text_sampler_fit_resample(name, sampler_orig):
    """Check what fit_resample returns: as many texts as labels, in the given containers.

    The texts must be strings and the labels must all be labels of the input.
    """
    X, y = _imbalanced_text_data()
    for container_name, container in _containers().items():
        sampler, X_given = clone(sampler_orig), container(X)
        set_random_state(sampler)
        X_res, y_res = sampler.fit_resample(X_given, y)
        for given, returned in ((X_given, X_res), (y, y_res)):
            assert type(returned) is type(given), (
                f"{name}.fit_resample returned {type(returned).__name__} for "
                f"{type(given).__name__} input."
            )
        texts = np.asarray(X_res, dtype=object).reshape(-1)
        assert len(texts) == len(y_res), (
            f"{name}.fit_resample returned {len(texts)} texts, {len(y_res)} labels."
        )
        assert all(isinstance(text, str) for text in texts), f"{name} returned non-string texts."
        unknown = set(np.asarray(y_res).tolist()) - set(y.tolist())
        assert not unknown, f"{name}.fit_resample returned labels {sorted(unknown)} not in y."


def check_text_sampler_strategy_counts(name, sampler_orig):
    """Check that the class counts after resampling follow ``sampling_strategy_``.

    Over-samplers add ``sampling_strategy_[c]`` rows to class ``c``, under-samplers
    keep that many, cleaning samplers only remove rows of the classes it names;
    other classes keep their count.
    """
    X, y = _imbalanced_text_data()
    sampler = clone(sampler_orig)
    set_random_state(sampler)
    _, y_res = sampler.fit_resample(X, y)
    before, after = Counter(y.tolist()), Counter(np.asarray(y_res).tolist())
    kind, strategy = sampler._sampling_type, sampler.sampling_strategy_
    if kind == "bypass":  # the strategy is a wrapped sampler's, not checkable here
        return
    for label, count in before.items():
        if label not in strategy:
            expected = count
        elif kind == "over-sampling":
            expected = count + strategy[label]
        elif kind == "under-sampling":
            expected = strategy[label]
        else:  # clean-sampling removes an unknown number of rows
            assert after[label] <= count, f"{name} (cleaning) added rows of class {label!r}."
            continue
        assert after[label] == expected, (
            f"{name} left {after[label]} rows of class {label!r}; with "
            f"sampling_strategy_={strategy} it should leave {expected}."
        )


def check_text_sampler_sample_indices(name, sampler_orig):
    """Check that ``sample_indices_`` points at the input row of every kept or copied row.

    A sampler whose tags declare ``sample_indices`` must set it; rows it maps must
    carry their source's label, and their source's text unless they are generated
    (``augmented_mask_`` True).
    """
    X, y = _imbalanced_text_data()
    sampler = clone(sampler_orig)
    set_random_state(sampler)
    X_res, y_res = sampler.fit_resample(X, y)
    sampler_tags = getattr(get_tags(sampler), "sampler_tags", None)
    if sampler_tags is None or not sampler_tags.sample_indices:
        return
    indices = np.asarray(sampler.sample_indices_)
    assert len(indices) == len(y_res), (
        f"{name}.sample_indices_ has {len(indices)} entries for {len(y_res)} rows."
    )
    generated = np.asarray(getattr(sampler, "augmented_mask_", np.zeros(len(indices), bool)))
    texts = np.asarray(X_res, dtype=object).reshape(-1)
    for row, source in enumerate(indices):
        assert np.asarray(y_res)[row] == y[source], (
            f"{name}: row {row} has label {np.asarray(y_res)[row]!r} but its source row "
            f"{source} has {y[source]!r}; samplers must not change labels."
        )
        if not generated[row]:
            assert texts[row] == X[source], (
                f"{name}: row {row} should be a copy of input row {source}."
            )
