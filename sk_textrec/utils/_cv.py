"""Cross-validation folds checked before any fit: pairs of index arrays, every class in training.

Shared by the estimators that cross-validate an inner estimator
(ThresholdTunedClassifier, LabelNoiseUnderSampler), so that a bad splitter or a
fold without a class is our error, naming the fold, before the inner
estimator fails with an error about one class -- or silently learns fewer.
"""

import numpy as np


def check_fold_classes(splits, y, *, input_name="cv"):
    """Check that the training part of every fold has a sample of every class of ``y``.

    ``splits`` is a list of ``(train, test)`` index arrays; the error names the
    first fold whose training part lacks a class, before any estimator is
    fitted on it (an inner estimator would fail with an error about one class,
    or silently learn fewer classes).
    """
    classes = np.unique(y)
    for fold, (train, _) in enumerate(splits):
        absent = np.setdiff1d(classes, np.unique(y[train]))
        if absent.size:
            raise ValueError(
                f"The training part of fold {fold} of {input_name} ({len(train)} samples) has no "
                f"sample of the class(es) {absent.tolist()[:10]}; every fold must train on every "
                "class. Use fewer folds, a stratified splitter (StratifiedKFold), or shuffle the "
                "rows before splitting."
            )


def checked_splits(cv, X, y, groups=None, *, input_name="cv"):
    """The ``(train, test)`` index arrays of the splitter ``cv``, checked before any fit.

    ``cv`` is a splitter (after scikit-learn's ``check_cv``). A splitter that
    does not give pairs of index arrays (an iterable of something else) is a
    TypeError naming ``input_name``; its own errors are prefixed with it; a
    training part without a class is :func:`check_fold_classes`' ValueError.
    """
    try:
        splits = [(np.asarray(train), np.asarray(test)) for train, test in cv.split(X, y, groups)]
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"The {input_name!r} parameter does not split the data into (train, test) "
                        f"index arrays: {exc}") from exc
    for fold, (train, test) in enumerate(splits):
        if train.dtype.kind not in "iu" or test.dtype.kind not in "iu":
            raise TypeError(f"The {input_name!r} parameter gave fold {fold} as ({train.dtype}, "
                            f"{test.dtype}) arrays; a fold is a pair of integer index arrays.")
    check_fold_classes(splits, y, input_name=input_name)
    return splits
