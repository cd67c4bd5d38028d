"""Tests of the group fairness metrics and report (sk_textrec/metrics/_fairness.py)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import average_precision_score, precision_score, recall_score

from sk_textrec.metrics import (
    demographic_parity_difference,
    equal_opportunity_difference,
    group_classification_report,
    group_disparity_score,
)
from sk_textrec.utils._sklearn_compat import InvalidParameterError


@pytest.fixture
def grouped():
    """Predictions for three groups of different base rates, with scores."""
    rng = np.random.RandomState(0)
    groups = rng.choice(["18-29", "30-49", "50+"], size=400)
    y_true = (rng.rand(400) < np.where(groups == "50+", 0.3, 0.15)).astype(int)
    y_score = np.clip(0.35 * y_true + rng.rand(400) * np.where(groups == "18-29", 0.9, 0.6), 0, 1)
    return y_true, (y_score >= 0.5).astype(int), y_score, groups


def test_group_report_rates_match_sklearn_per_group(grouped):
    """Check each group's TPR, FPR, precision, selection rate and AP against sklearn on that group."""
    y_true, y_pred, y_score, groups = grouped
    report = group_classification_report(y_true, y_pred, groups=groups, y_score=y_score, output_dict=True)
    for name in np.unique(groups):
        rows = groups == name
        row = report["groups"][name]
        assert row["tpr"] == pytest.approx(recall_score(y_true[rows], y_pred[rows]))
        assert row["fpr"] == pytest.approx(1 - recall_score(1 - y_true[rows], 1 - y_pred[rows]))
        assert row["precision"] == pytest.approx(precision_score(y_true[rows], y_pred[rows]))
        assert row["selection_rate"] == pytest.approx(y_pred[rows].mean())
        assert row["support"] == rows.sum() and row["positives"] == y_true[rows].sum()
        assert row["average_precision"] == pytest.approx(average_precision_score(y_true[rows], y_score[rows]))
    assert report["overall"]["tpr"] == pytest.approx(recall_score(y_true, y_pred))


def test_group_report_gaps_are_max_minus_min_and_min_over_max(grouped):
    """Check the difference and ratio rows against the per-group rates."""
    y_true, y_pred, _, groups = grouped
    report = group_classification_report(y_true, y_pred, groups=groups, output_dict=True)
    for rate in ("tpr", "fpr", "precision", "selection_rate"):
        values = [row[rate] for row in report["groups"].values()]
        assert report["difference"][rate] == pytest.approx(max(values) - min(values))
        assert report["ratio"][rate] == pytest.approx(min(values) / max(values))
        assert report["difference"][rate] == pytest.approx(
            group_disparity_score(y_true, y_pred, groups=groups, rate=rate))


def test_named_gaps_hand_computed():
    """Check equal opportunity and demographic parity on a case computed by hand."""
    y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    y_pred = [1, 1, 1, 0, 1, 0, 0, 0]
    groups = ["a"] * 4 + ["b"] * 4
    assert equal_opportunity_difference(y_true, y_pred, groups=groups) == 0.5  # TPR 1 vs 1/2
    assert demographic_parity_difference(y_true, y_pred, groups=groups) == 0.5  # 3/4 vs 1/4
    assert group_disparity_score(y_true, y_pred, groups=groups, rate="fpr") == 0.5  # 1/2 vs 0
    assert group_disparity_score(y_true, y_pred, groups=groups, kind="ratio") == 0.5


def test_parity_is_zero_difference_and_unit_ratio():
    """Check that identical groups have no gap, and that all-zero rates have ratio 1."""
    y_true, y_pred = [1, 0, 1, 0], [1, 0, 1, 0]
    groups = ["a", "a", "b", "b"]
    assert equal_opportunity_difference(y_true, y_pred, groups=groups) == 0.0
    assert group_disparity_score(y_true, y_pred, groups=groups, rate="fpr", kind="ratio") == 1.0


def test_string_labels_and_pos_label():
    """Check one-vs-rest rates for a chosen positive class of string labels."""
    y_true = ["bad", "bad", "ok", "good", "bad", "ok"]
    y_pred = ["bad", "ok", "ok", "good", "bad", "bad"]
    groups = ["x", "x", "x", "y", "y", "y"]
    assert equal_opportunity_difference(y_true, y_pred, groups=groups, pos_label="bad") == 0.5
    with pytest.raises(ValueError, match="pos_label=1 is neither in y_true nor in y_pred"):
        equal_opportunity_difference(y_true, y_pred, groups=groups)


def test_undefined_group_is_left_out_with_a_warning():
    """Check that a group without positives is left out of the TPR gap, loudly."""
    y_true = [1, 0, 1, 1, 0, 0]
    y_pred = [1, 0, 0, 1, 1, 0]
    groups = ["a", "a", "b", "b", "c", "c"]
    with pytest.warns(UndefinedMetricWarning, match=r"tpr is undefined for the groups \['c'\]"):
        assert equal_opportunity_difference(y_true, y_pred, groups=groups) == 0.5
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert np.isnan(equal_opportunity_difference([1, 0], [1, 0], groups=["a", "b"]))
    assert [str(w.message)[:30] for w in caught] == ["tpr is undefined for the group", "tpr is defined for fewer than "]
    report = group_classification_report(y_true, y_pred, groups=groups, output_dict=True)
    assert np.isnan(report["groups"]["c"]["tpr"]) and report["difference"]["tpr"] == 0.5


def test_sample_weight_equals_repetition(grouped):
    """Check that integer weights give the rates of repeated rows."""
    y_true, y_pred, _, groups = grouped
    weight = np.arange(y_true.size) % 4
    repeated = np.repeat(np.arange(y_true.size), weight)
    for rate in ("tpr", "selection_rate"):
        assert group_disparity_score(y_true, y_pred, groups=groups, rate=rate, sample_weight=weight) == (
            pytest.approx(group_disparity_score(y_true[repeated], y_pred[repeated], groups=groups[repeated],
                                                rate=rate)))


def test_group_report_text(grouped):
    """Check that the text report has a row per group, overall and the gap rows."""
    y_true, y_pred, y_score, groups = grouped
    lines = group_classification_report(y_true, y_pred, groups=groups, y_score=y_score).splitlines()
    starts = [line.split()[0] for line in lines if line.strip()]
    assert {"18-29", "30-49", "50+", "overall", "difference", "ratio"} <= set(starts)


@pytest.mark.parametrize(
    "kwargs, err_type, err_msg",
    [
        ({"groups": ["a", "b"]}, ValueError, "groups has 2 entries but there are 3 samples"),
        ({"groups": ["a", None, "b"]}, ValueError, r"missing value \(None or NaN\) at row 1"),
        ({"groups": ["a", "b", "b"], "rate": "recall"}, InvalidParameterError, "'rate' parameter"),
        ({"groups": ["a", "b", "b"], "kind": "max"}, InvalidParameterError, "'kind' parameter"),
        ({"groups": [["a"], ["b"], ["a", "b"]]}, TypeError, "groups has an unhashable id at row 0"),
        ({"groups": ["a", "b", "b"], "sample_weight": [1, 1, -2]}, ValueError, "negative weight .* at row 2"),
    ],
)
def test_group_disparity_bad_input(kwargs, err_type, err_msg):
    """Check errors for misaligned or missing groups and unknown options."""
    with pytest.raises(err_type, match=err_msg):
        group_disparity_score([1, 0, 1], [1, 1, 0], **kwargs)


def test_gaps_match_fairlearn(grouped):
    """Check the demographic-parity and equal-opportunity gaps against fairlearn's."""
    fairlearn_metrics = pytest.importorskip("fairlearn.metrics")
    y_true, y_pred, _, groups = grouped
    assert demographic_parity_difference(y_true, y_pred, groups=groups) == pytest.approx(
        fairlearn_metrics.demographic_parity_difference(y_true, y_pred, sensitive_features=groups))
    assert group_disparity_score(y_true, y_pred, groups=groups, rate="selection_rate", kind="ratio") == (
        pytest.approx(fairlearn_metrics.demographic_parity_ratio(y_true, y_pred, sensitive_features=groups)))
    frame = fairlearn_metrics.MetricFrame(
        metrics={"tpr": fairlearn_metrics.true_positive_rate, "fpr": fairlearn_metrics.false_positive_rate},
        y_true=y_true, y_pred=y_pred, sensitive_features=groups)
    assert equal_opportunity_difference(y_true, y_pred, groups=groups) == pytest.approx(frame.difference()["tpr"])
    assert group_disparity_score(y_true, y_pred, groups=groups, rate="fpr", kind="ratio") == pytest.approx(
        frame.ratio()["fpr"])



def test_group_metrics_empty_input_says_empty():
    """Check that empty input is reported as empty rather than as a pos_label problem."""
    with pytest.raises(ValueError, match="y_true is empty"):
        group_classification_report([], [], groups=[])
    with pytest.raises(ValueError, match="y_true is empty"):
        equal_opportunity_difference([], [], groups=[])
