"""Tests of imbalance_report and expected_calibration_error (sk_textrec/metrics/_classification.py)."""

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score, specificity_score
from sklearn.calibration import calibration_curve
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    classification_report,
    roc_auc_score,
)

from sk_textrec.metrics import expected_calibration_error, imbalance_report
from sk_textrec.utils._sklearn_compat import InvalidParameterError


@pytest.fixture
def binary():
    """An imbalanced binary problem with probabilities and thresholded predictions."""
    rng = np.random.RandomState(0)
    y_true = (rng.rand(300) < 0.15).astype(int)
    y_prob = np.clip(0.25 * y_true + 0.6 * rng.rand(300), 0, 1)
    return y_true, (y_prob >= 0.5).astype(int), y_prob


@pytest.fixture
def multiclass():
    rng = np.random.RandomState(1)
    y_true = rng.choice(["a", "b", "c"], size=200, p=[0.7, 0.2, 0.1])
    proba = rng.dirichlet([1, 1, 1], size=200)
    proba[np.arange(200), np.searchsorted(["a", "b", "c"], y_true)] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    return y_true, np.array(["a", "b", "c"])[proba.argmax(axis=1)], proba


def test_imbalance_report_matches_sklearn_and_imblearn_binary(binary):
    """Check per-class and overall numbers against sklearn and imbalanced-learn."""
    y_true, y_pred, y_prob = binary
    report = imbalance_report(y_true, y_pred, y_score=y_prob, output_dict=True)
    reference = classification_report(y_true, y_pred, output_dict=True, zero_division=0.0)
    for key in ("0", "1", "macro avg", "weighted avg"):
        for name in ("precision", "recall", "f1-score", "support"):
            assert report[key][name] == pytest.approx(reference[key][name])
    assert report["1"]["specificity"] == pytest.approx(specificity_score(y_true, y_pred, pos_label=1))
    assert report["g_mean"] == pytest.approx(geometric_mean_score(y_true, y_pred))
    assert report["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y_true, y_pred))
    assert report["accuracy"] == pytest.approx(reference["accuracy"])
    assert report["average_precision"] == pytest.approx(average_precision_score(y_true, y_prob))
    assert report["roc_auc"] == pytest.approx(roc_auc_score(y_true, y_prob))
    assert report["0"]["average_precision"] == pytest.approx(average_precision_score(1 - y_true, -y_prob))
    assert report["expected_calibration_error"] == pytest.approx(expected_calibration_error(y_true, y_prob))


def test_imbalance_report_multiclass_one_vs_rest(multiclass):
    """Check multiclass AP / ROC-AUC per class (one-vs-rest) and top-label calibration."""
    y_true, y_pred, proba = multiclass
    report = imbalance_report(y_true, y_pred, y_score=proba, output_dict=True)
    for j, label in enumerate("abc"):
        assert report[label]["average_precision"] == pytest.approx(
            average_precision_score(y_true == label, proba[:, j]))
    assert report["macro avg"]["roc_auc"] == pytest.approx(roc_auc_score(y_true, proba, multi_class="ovr"))
    assert "roc_auc" not in report  # the overall AUCs are for binary targets
    assert report["g_mean"] == pytest.approx(geometric_mean_score(y_true, y_pred))
    assert report["expected_calibration_error"] == pytest.approx(expected_calibration_error(y_true, proba))


def test_imbalance_report_decision_scores_have_no_calibration(binary):
    """Check that scores outside [0, 1] give AUCs but no calibration error."""
    y_true, y_pred, y_prob = binary
    report = imbalance_report(y_true, y_pred, y_score=3 * y_prob - 1, output_dict=True)
    assert "expected_calibration_error" not in report
    assert report["roc_auc"] == pytest.approx(roc_auc_score(y_true, y_prob))


@pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn's own warnings about the absent class
def test_imbalance_report_undefined_values_are_nan():
    """Check that a class absent from y_true has NaN AUCs rather than an error."""
    report = imbalance_report([0, 0, 0], [0, 1, 0], y_score=[0.1, 0.6, 0.2], labels=[0, 1], output_dict=True)
    assert np.isnan(report["1"]["roc_auc"]) and np.isnan(report["roc_auc"])


def test_imbalance_report_text_lists_every_measure(binary):
    """Check that the text report has a row per class and the overall measures."""
    y_true, y_pred, y_prob = binary
    text = imbalance_report(y_true, y_pred, y_score=y_prob)
    for needle in ("precision", "specificity", "average_precision", "macro avg", "weighted avg",
                   "balanced_accuracy", "g_mean", "expected_calibration_error"):
        assert needle in text
    assert len([line for line in text.splitlines() if line.strip().startswith(("0 ", "1 "))]) == 2


def test_imbalance_report_sample_weight_equals_repetition(binary):
    """Check that integer sample weights give the report of repeated rows."""
    y_true, y_pred, y_prob = binary
    weight = np.arange(y_true.size) % 3
    repeated = np.repeat(np.arange(y_true.size), weight)
    weighted = imbalance_report(y_true, y_pred, y_score=y_prob, sample_weight=weight, output_dict=True)
    plain = imbalance_report(y_true[repeated], y_pred[repeated], y_score=y_prob[repeated], output_dict=True)
    for key in ("1", "macro avg"):
        for name, value in plain[key].items():
            assert weighted[key][name] == pytest.approx(value)
    assert weighted["g_mean"] == pytest.approx(plain["g_mean"])


@pytest.mark.parametrize("n_bins", [2, 5, 10])
def test_expected_calibration_error_matches_calibration_curve(binary, n_bins):
    """Check ECE as the bin-size weighted gap of sklearn's calibration_curve (quantile bins too)."""
    y_true, _, y_prob = binary
    y_prob = np.round(y_prob, 3) + 1e-4  # no probability exactly on a bin edge
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins)
    counts = np.histogram(y_prob, bins=np.linspace(0, 1, n_bins + 1))[0]
    expected = np.sum(counts[counts > 0] * np.abs(prob_true - prob_pred)) / y_true.size
    assert expected_calibration_error(y_true, y_prob, n_bins=n_bins) == pytest.approx(expected)
    prob_true, prob_pred = calibration_curve(y_true, y_prob, n_bins=n_bins, strategy="quantile")
    value = expected_calibration_error(y_true, y_prob, n_bins=n_bins, strategy="quantile")
    assert value == pytest.approx(np.mean(np.abs(prob_true - prob_pred)), abs=0.02)


def test_expected_calibration_error_extremes():
    """Check 0 for calibrated bins and the largest error for confident mistakes."""
    assert expected_calibration_error([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.0
    assert expected_calibration_error([1, 1, 0, 0], [0.0, 0.0, 1.0, 1.0]) == 1.0
    # top-label: confidence 0.9 on rows that are all right -> |1 - 0.9|
    proba = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05]])
    assert expected_calibration_error(["a", "b"], proba, labels=["a", "b", "c"]) == pytest.approx(0.1)


def test_expected_calibration_error_string_labels_need_pos_label():
    """Check that string labels need pos_label, and that it selects the positive class."""
    y = np.array(["neg", "pos", "pos"])
    with pytest.raises(ValueError, match="pos_label is not specified"):
        expected_calibration_error(y, [0.2, 0.8, 0.9])
    assert expected_calibration_error(y, [0.0, 1.0, 1.0], pos_label="pos") == 0.0


@pytest.mark.parametrize(
    "y_true, y_prob, kwargs, err_type, err_msg",
    [
        ([0, 1], [0.2, 1.2], {}, ValueError, r"probabilities in \[0, 1\]"),
        ([0, 1], [0.2, np.nan], {}, ValueError, r"NaN or infinite values \(row 1\)"),
        ([0, 1], [0.2, "x"], {}, TypeError, "y_prob must hold numbers; row 1 is str"),
        ([0, 1], [0.2, 0.9], {"pos_label": 3}, ValueError, r"pos_label=3 is not one of the labels of y_true \[0, 1\]"),
        ([0, 1, 1], [0.2, 0.3], {}, ValueError, "inconsistent numbers of samples"),
        ([0, 1], [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], {}, ValueError, "y_prob has 3 columns but there are 2 labels"),
        ([0, 1], [0.2, 0.3], {"n_bins": 0}, InvalidParameterError, "'n_bins' parameter"),
        ([0, 1], [0.2, 0.3], {"strategy": "equal"}, InvalidParameterError, "'strategy' parameter"),
    ],
)
def test_expected_calibration_error_bad_input(y_true, y_prob, kwargs, err_type, err_msg):
    """Check the errors for probabilities out of range, shapes and parameters."""
    with pytest.raises(err_type, match=err_msg):
        expected_calibration_error(y_true, y_prob, **kwargs)


@pytest.mark.parametrize(
    "kwargs, err_msg",
    [
        ({"y_score": [[0.1, 0.9], [0.5, 0.5], [0.2, 0.8]]}, r"one column per label \(3"),
        ({"y_score": [0.1, 0.9, 0.5]}, "1-D y_score is the score of the positive class of a binary target"),
        ({"y_score": [0.1, 0.9]}, "inconsistent numbers of samples"),
        ({"y_score": [[0.1, 0.9, 0.0], [0.5, np.nan, 0.0], [0.2, 0.8, 0.0]]}, r"y_score has NaN .* \(row 1\)"),
    ],
)
def test_imbalance_report_bad_scores(kwargs, err_msg):
    """Check that scores that do not match the labels are refused."""
    with pytest.raises(ValueError, match=err_msg):
        imbalance_report(["a", "b", "c"], ["a", "b", "b"], **kwargs)



def test_imbalance_report_labels_absent_from_data_are_nan_with_warning():
    """Check that a label in neither y_true nor y_pred gets NaN, not 0, and a warning naming it."""
    with pytest.warns(UndefinedMetricWarning, match=r"labels \[2\] are neither in y_true nor in y_pred"):
        report = imbalance_report([0, 1, 0, 1], [0, 1, 1, 1], labels=[0, 1, 2], output_dict=True)
    assert np.isnan(report["2"]["recall"]) and np.isnan(report["2"]["precision"])
    assert report["2"]["support"] == 0
    present = imbalance_report([0, 1, 0, 1], [0, 1, 1, 1], output_dict=True)
    assert report["macro avg"]["recall"] == pytest.approx(present["macro avg"]["recall"])


@pytest.mark.parametrize("labels, err_msg", [
    (["0", "1"], r"None of labels \['0', '1'\] is in y_true or y_pred.*'1' versus 1"),
    ([0, 1, 1], "more than once"),
    ([0, None], "labels has a missing label"),
])
def test_imbalance_report_bad_labels(labels, err_msg):
    """Check that labels of the wrong type, repeated or missing are refused."""
    with pytest.raises(ValueError, match=err_msg):
        imbalance_report([0, 1, 0, 1], [0, 1, 1, 1], labels=labels)


@pytest.mark.parametrize("call", [
    lambda: imbalance_report([], []),
    lambda: expected_calibration_error([], []),
], ids=["imbalance_report", "expected_calibration_error"])
def test_metrics_empty_input_says_empty(call):
    """Check that empty input is reported as empty, not as a sample-weight problem."""
    with pytest.raises(ValueError, match="y_true is empty: a metric needs at least one sample"):
        call()


@pytest.mark.parametrize("kwargs, err_type, err_msg", [
    ({"sample_weight": [1, -1, 1, 1]}, ValueError, r"negative weight \(-1.0\) at row 1"),
    ({"sample_weight": [0, 0, 0, 0]}, ValueError, "0 for every sample"),
    ({"sample_weight": [1, 1]}, ValueError, r"shape \(4,\)"),
])
def test_classification_metrics_bad_weights(kwargs, err_type, err_msg):
    """Check that both metrics validate sample_weight with the shared rule."""
    with pytest.raises(err_type, match=err_msg):
        imbalance_report([0, 1, 0, 1], [0, 1, 1, 1], **kwargs)
    with pytest.raises(err_type, match=err_msg):
        expected_calibration_error([0, 1, 0, 1], [0.1, 0.9, 0.6, 0.7], **kwargs)


def test_classification_metrics_missing_and_mixed_labels():
    """Check that a None or mixed-type label in y_true or y_pred names the row."""
    with pytest.raises(ValueError, match="y_pred has a missing label .* at row 2"):
        imbalance_report(["a", "b", "a"], ["a", "b", None])
    with pytest.raises(TypeError, match="y_true mixes label types"):
        expected_calibration_error([0, "1"], [0.2, 0.8])
