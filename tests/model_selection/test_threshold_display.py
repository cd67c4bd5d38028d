"""Tests of ThresholdCurveDisplay."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from sk_textrec.model_selection import ThresholdCurveDisplay, ThresholdTunedClassifier

pytest.importorskip("matplotlib")


@pytest.fixture
def fitted():
    import matplotlib

    matplotlib.use("Agg")
    X, y = make_classification(n_samples=400, weights=[0.8], random_state=0)
    return ThresholdTunedClassifier(LogisticRegression(), store_cv_results=True).fit(X, y), X, y


def test_threshold_curve_display_from_cv_results_marks_best(fitted):
    """Check that the stored curve is plotted and the chosen point is on the objective curve."""
    import matplotlib.pyplot as plt

    model, _, _ = fitted
    display = ThresholdCurveDisplay.from_cv_results(model, name="tuned")
    x, y = display.best_point_.get_data()
    assert x[0] == pytest.approx(model.best_threshold_, abs=1e-9)
    assert y[0] == pytest.approx(model.best_score_)
    assert display.ax_.get_title() == "tuned"
    plt.close(display.figure_)


def test_threshold_curve_display_from_estimator_curves_in_unit_range(fitted):
    """Check that from_estimator plots precision and recall in [0, 1], recall falling with the threshold."""
    import matplotlib.pyplot as plt

    model, X, y = fitted
    display = ThresholdCurveDisplay.from_estimator(model, X, y)
    recall = display.lines_["recall"].get_ydata()
    assert np.all((recall >= 0) & (recall <= 1))
    assert np.all(np.diff(recall) <= 1e-12)
    plt.close(display.figure_)


def test_threshold_curve_display_without_cv_results_raises(fitted):
    """Check that from_cv_results explains that store_cv_results=True is needed."""
    _, X, y = fitted
    model = ThresholdTunedClassifier(LogisticRegression()).fit(X, y)
    with pytest.raises(ValueError, match="store_cv_results=True"):
        ThresholdCurveDisplay.from_cv_results(model)
