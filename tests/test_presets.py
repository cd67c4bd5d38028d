"""Tests of the measured presets (structure and behaviour on the tiny BERT)."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_textrec import BertClassifier, ThresholdTunedClassifier, make_rare_class_classifier
from sk_textrec.datasets import make_product_reviews
from sk_textrec.ensemble import HoldoutStackingClassifier

pytest.importorskip("torch")


@pytest.mark.parametrize("preset, inner", [("fast", BertClassifier), ("best", HoldoutStackingClassifier)])
def test_make_rare_class_classifier_is_an_unfitted_tuned_estimator(preset, inner):
    """Check that a preset is an unfitted ThresholdTunedClassifier with a 20% holdout and one fit."""
    clf = make_rare_class_classifier(preset)
    assert isinstance(clf, ThresholdTunedClassifier) and isinstance(clf.estimator, inner)
    assert clf.get_params()["cv"] == 0.2 and clf.get_params()["refit"] is False
    assert not hasattr(clf, "estimator_")
    clone(clf)


@pytest.mark.parametrize("preset", ["fast", "best"])
def test_make_rare_class_classifier_fits_texts_and_pairs(tiny_bert, preset):
    """Check that a preset fits single texts and (title, text) pairs alike."""
    texts, y = make_product_reviews(150, positive_rate=0.2, random_state=0)
    pairs = [("Review", text) for text in texts]
    for X in (list(texts), pairs):
        clf = make_rare_class_classifier(preset, model_name_or_path=tiny_bert, device="cpu")
        clf.set_params(**{("estimator__" if preset == "fast" else "estimator__bert__") + "max_epochs": 1})
        clf.fit(X, y)
        assert clf.predict_proba(X[:5]).shape == (5, 2)
        assert set(clf.predict(X)) <= {0, 1}


def test_make_rare_class_classifier_in_grid_search(tiny_bert):
    """Check that a preset's parameters can be searched like any estimator's."""
    texts, y = make_product_reviews(120, positive_rate=0.25, random_state=0)
    clf = make_rare_class_classifier("fast", model_name_or_path=tiny_bert, device="cpu")
    search = GridSearchCV(clf, {"estimator__lr": [1e-3, 5e-4]}, cv=StratifiedKFold(2), scoring="f1")
    search.fit(list(texts), y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


def test_make_rare_class_classifier_bad_preset():
    """Check that an unknown preset names the parameter."""
    with pytest.raises(ValueError, match="'preset' parameter"):
        make_rare_class_classifier("fastest")
