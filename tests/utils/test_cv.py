"""Tests of the cross-validation fold checks shared by the estimators that cross-validate."""

import numpy as np
import pytest
from sklearn.model_selection import KFold, StratifiedKFold, check_cv

from sk_textrec.utils._cv import check_fold_classes, checked_splits

Y = np.array(["a", "a", "b", "b", "c", "c"])


def test_check_fold_classes():
    """Check that a training fold without a class is named with the class, others pass."""
    check_fold_classes([(np.array([0, 2, 4]), np.array([1, 3, 5]))], Y)
    splits = [(np.array([0, 2, 4]), np.array([1, 3, 5])), (np.array([0, 1, 2, 3]), np.array([4, 5]))]
    with pytest.raises(ValueError, match=r"fold 1 of cv \(4 samples\) has no sample of the class\(es\) \['c'\]"):
        check_fold_classes(splits, Y)


def test_checked_splits_returns_index_arrays():
    """Check that a stratified splitter's folds come back as lists of index arrays."""
    splits = checked_splits(StratifiedKFold(2), np.zeros((6, 1)), Y)
    assert len(splits) == 2 and all(train.dtype.kind == "i" for train, _ in splits)


@pytest.mark.parametrize("cv, err_type, err_msg", [
    (check_cv([1, "a"]), TypeError, "'cv' parameter does not split the data into \\(train, test\\)"),
    (check_cv({"x": 1}), ValueError, "'cv' parameter does not split"),
    (check_cv([(["a"], ["b"])]), TypeError, "fold 0 as .* a fold is a pair of integer index arrays"),
    (KFold(7), ValueError, "'cv' parameter does not split .* n_splits=7"),
    (KFold(3), ValueError, "fold 0 of cv .* no sample of the class"),
])
def test_checked_splits_errors_name_cv(cv, err_type, err_msg):
    """Check that malformed splitters and folds without a class are errors naming cv."""
    with pytest.raises(err_type, match=err_msg):
        checked_splits(cv, np.zeros((6, 1)), Y)
