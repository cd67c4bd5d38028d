"""Any scikit-learn scorer on outputs already computed (for early stopping on a metric).

A scorer calls ``predict_proba`` / ``decision_function`` / ``predict`` of an
estimator on ``X``. During training the validation outputs already exist, so a
stand-in estimator serves them: every scorer string of scikit-learn and every
``make_scorer`` object works, with their own response methods and pos_label.
"""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.metrics import get_scorer


class _PrecomputedOutputs(BaseEstimator):
    """An estimator whose prediction methods return fixed arrays, whatever ``X`` is."""

    def __init__(self, estimator_type, classes=None, outputs=None):
        self.estimator_type = estimator_type
        self.classes = classes
        self.outputs = outputs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = self.estimator_type
        return tags

    @property
    def classes_(self):
        return self.classes

    def fit(self, X=None, y=None):
        return self

    def predict(self, X):
        return self.outputs["predict"]

    def predict_proba(self, X):
        return self.outputs["predict_proba"]

    def decision_function(self, X):
        return self.outputs["decision_function"]


def check_early_stopping_scoring(scoring):
    """The scorer that ``early_stopping_scoring`` names: a string or a scorer callable."""
    if isinstance(scoring, str):
        try:
            return get_scorer(scoring)
        except ValueError as exc:
            raise ValueError(
                f"The 'early_stopping_scoring' parameter must be a scikit-learn scorer name "
                f"(see sklearn.metrics.get_scorer_names()) or a scorer callable; got "
                f"{scoring!r}."
            ) from exc
    return scoring


class ScoreOutputs:
    """``score(raw_outputs, target_rows)`` for the ValidationScoring callback.

    Parameters
    ----------
    scorer : callable
        ``scorer(estimator, X, y_true)``, as returned by ``get_scorer``.
    estimator_type : {"classifier", "regressor"}
    outputs : callable
        Raw module outputs -> ``{"predict": ..., "predict_proba": ..., ...}``.
    y_true : callable
        Target rows (as encoded for training) -> the true values the scorer reads.
    classes : ndarray, default=None
        The classifier's ``classes_``.
    """

    def __init__(self, scorer, estimator_type, outputs, y_true, classes=None):
        self.scorer = scorer
        self.estimator_type = estimator_type
        self.outputs = outputs
        self.y_true = y_true
        self.classes = classes

    def __call__(self, raw_outputs, targets):
        stand_in = _PrecomputedOutputs(self.estimator_type, self.classes, self.outputs(raw_outputs))
        y_true = self.y_true(targets)
        return self.scorer(stand_in, np.zeros((len(y_true), 1)), y_true)
