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


def test_threshold_curve_display_from_predictions_matches_from_estimator(fitted):
    """Check that from_predictions on a tuner's scores draws the curves from_estimator draws."""
    import matplotlib.pyplot as plt

    model, X, y = fitted
    expected = ThresholdCurveDisplay.from_estimator(model, X, y)
    display = ThresholdCurveDisplay.from_predictions(
        y, model.predict_proba(X)[:, 1], best_threshold=model.best_threshold_)
    for name in ("objective", "precision", "recall"):
        np.testing.assert_allclose(display.lines_[name].get_ydata(), expected.lines_[name].get_ydata())
    assert display.best_point_ is not None
    plt.close("all")


@pytest.mark.parametrize(
    "params, err_msg",
    [
        ({"y_true": [0, 1, 2], "y_score": [0.1, 0.2, 0.3]}, "two classes"),
        ({"y_true": [0, 1, 1], "y_score": [0.1, 0.2, 0.3], "pos_label": 2}, "pos_label=2 is not"),
        ({"y_true": [0, 1, 1], "y_score": [0.1, 0.2, 0.3], "objective": "cost"}, "objective must be"),
    ],
)
def test_threshold_curve_display_from_predictions_errors(params, err_msg):
    """Check that from_predictions rejects non-binary labels, unknown classes and objectives."""
    with pytest.raises(ValueError, match=err_msg):
        ThresholdCurveDisplay.from_predictions(**params)
