"""Tests of ThresholdTunedClassifier: compliance first, then behaviour."""

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, make_scorer, precision_score, recall_score
from sklearn.model_selection import KFold, TunedThresholdClassifierCV
from sklearn.naive_bayes import GaussianNB
from sklearn.utils.estimator_checks import parametrize_with_checks as sklearn_parametrize_with_checks

from sk_textrec.model_selection import ThresholdTunedClassifier
from sk_textrec.utils.estimator_checks import parametrize_with_checks

# The expected failures scikit-learn lists for its own TunedThresholdClassifierCV in
# sklearn/utils/_test_common/instance_generator.py (PER_ESTIMATOR_XFAIL_CHECKS).
SKLEARN_XFAIL = {
    "check_classifiers_train": "Threshold at probability 0.5 does not hold",
    "check_sample_weight_equivalence_on_dense_data": (
        "Due to the cross-validation and sample ordering, removing a sample"
        " is not strictly equal to putting is weight to zero."
    ),
}
# The text suite's output checks assert predict == argmax(predict_proba): the same
# "threshold at probability 0.5" property as check_classifiers_train.
TEXT_XFAIL = dict.fromkeys(
    ["check_text_outputs", "check_text_classifier_classes", "check_text_classifier_multiclass"],
    "Threshold at probability 0.5 does not hold",
)


@sklearn_parametrize_with_checks(
    [ThresholdTunedClassifier(LogisticRegression(C=1), cv=3)],
    expected_failed_checks=lambda estimator: SKLEARN_XFAIL,
)
def test_threshold_tuned_classifier_sklearn_compliance(estimator, check):
    """Check that the wrapper of LogisticRegression passes scikit-learn's checks."""
    check(estimator)


def _bert(tiny_bert_path):
    from sk_textrec.models import BertClassifier

    return BertClassifier(tiny_bert_path, max_epochs=1, lr=1e-3, random_state=0)


def _text_estimators():
    from sk_textrec.utils import make_tiny_bert

    path = make_tiny_bert()
    return [ThresholdTunedClassifier(_bert(path), cv=0.5, refit=False, random_state=0)]


@parametrize_with_checks(_text_estimators(), expected_failed_checks=TEXT_XFAIL)
def test_threshold_tuned_classifier_text_compliance(estimator, check):
    """Check that the wrapper of BertClassifier passes the text-aware checks."""
    check(estimator)


def test_threshold_tuned_classifier_bert_cv(tiny_bert, reviews):
    """Check that 2-fold tuning of a BERT fits, predicts known labels and keeps predict_proba."""
    X, y = reviews
    model = ThresholdTunedClassifier(_bert(tiny_bert), cv=2).fit(X, y)
    assert set(model.predict(X)) <= {0, 1}
    np.testing.assert_allclose(model.predict_proba(X), model.estimator_.predict_proba(X))


# -- exact binary search --------------------------------------------------------


class _ScoreEcho(ClassifierMixin, BaseEstimator):
    """Prefit-style classifier whose positive-class probability is X[:, 0]."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        p = np.asarray(X, dtype=float)[:, 0]
        return np.column_stack([1 - p, p])


def _frozen_echo():
    return FrozenEstimator(_ScoreEcho().fit(None, np.array([0, 1])))


def _scores(n=400, seed=0, prevalence=0.2):
    rng = np.random.RandomState(seed)
    y = (rng.uniform(size=n) < prevalence).astype(int)
    s = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.5 * y)))
    return s.reshape(-1, 1), y


@pytest.mark.parametrize("scoring", ["f1", "balanced_accuracy"])
def test_threshold_tuned_classifier_exact_search_beats_grid(scoring):
    """Check that the exact search scores at least as well as sklearn's grid on the same scores."""
    X, y = _scores()
    ours = ThresholdTunedClassifier(_frozen_echo(), objective=scoring).fit(X, y)
    theirs = TunedThresholdClassifierCV(_frozen_echo(), scoring=scoring, cv="prefit", refit=False)
    theirs.fit(X, y)
    assert ours.best_score_ >= theirs.best_score_ - 1e-12


def _brute_force(metric, X, y):
    values = []
    for t in np.append(np.unique(X[:, 0]), np.inf):
        values.append(metric(y, (X[:, 0] >= t).astype(int)))
    return max(values)


def _youden(y, y_pred):
    return recall_score(y, y_pred) + recall_score(1 - y, 1 - y_pred) - 1


_METRICS = {
    "f1": lambda y, p: f1_score(y, p, zero_division=0),
    "balanced_accuracy": lambda y, p: (recall_score(y, p) + recall_score(1 - y, 1 - p)) / 2,
    "youden": _youden,
    "accuracy": lambda y, p: np.mean(y == p),
}


def test_threshold_tuned_classifier_exact_equals_brute_force_hypothesis():
    """Check that the exact search finds the brute-force optimum on small random score sets."""
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=40, deadline=None)
    @hypothesis.given(
        data=st.lists(st.tuples(st.integers(0, 8), st.booleans()), min_size=2, max_size=25),
        objective=st.sampled_from(sorted(_METRICS)),
    )
    def run(data, objective):
        X = np.array([[v / 8] for v, _ in data])
        y = np.array([int(label) for _, label in data])
        hypothesis.assume(0 < y.sum() < len(y))
        model = ThresholdTunedClassifier(_frozen_echo(), objective=objective).fit(X, y)
        expected = _brute_force(_METRICS[objective], X, y)
        assert model.best_score_ == pytest.approx(expected, abs=1e-12)
        # the threshold reproduces the score it reports
        assert _METRICS[objective](y, model.predict(X)) == pytest.approx(expected, abs=1e-12)

    run()


def test_threshold_tuned_classifier_scorer_objective_uses_grid():
    """Check that a scorer objective reaches no more than the exact built-in on the same scores."""
    X, y = _scores()
    exact = ThresholdTunedClassifier(_frozen_echo(), objective="f1").fit(X, y)
    grid = ThresholdTunedClassifier(_frozen_echo(), objective=make_scorer(f1_score), thresholds=20)
    grid.fit(X, y)
    assert grid.best_score_ <= exact.best_score_ + 1e-12
    assert f1_score(y, grid.predict(X)) == pytest.approx(grid.best_score_)


@pytest.mark.parametrize(
    "objective, constraint, check",
    [
        ("recall", {"precision": 0.6}, lambda y, p: precision_score(y, p) >= 0.6),
        ("precision", {"recall": 0.8}, lambda y, p: recall_score(y, p) >= 0.8),
        ("tpr", {"fpr": 0.1}, lambda y, p: recall_score(1 - y, p, pos_label=1) <= 0.1),
    ],
)
def test_threshold_tuned_classifier_constraint_satisfied(objective, constraint, check):
    """Check that the chosen threshold satisfies the constraint on the tuning data."""
    X, y = _scores(n=1000)
    model = ThresholdTunedClassifier(_frozen_echo(), objective=objective, constraint=constraint)
    assert check(y, model.fit(X, y).predict(X))


def test_threshold_tuned_classifier_impossible_constraint_raises():
    """Check that a constraint no threshold meets raises an error naming the best value reached."""
    X, y = _scores()
    model = ThresholdTunedClassifier(_frozen_echo(), objective="recall", constraint={"precision": 1.0})
    X[y == 0, 0] = 1.0  # the top score is always a negative
    with pytest.raises(ValueError, match=r"No threshold satisfies the constraint precision >= 1.0"):
        model.fit(X, y)


def test_threshold_tuned_classifier_cost_of_false_negatives_lowers_threshold():
    """Check that a higher cost of false negatives gives a lower (or equal) threshold."""
    X, y = _scores(n=1000)
    thresholds = [
        ThresholdTunedClassifier(_frozen_echo(), objective="cost", cost_matrix=[[0, 1], [c, 0]])
        .fit(X, y).best_threshold_
        for c in (1, 3, 10, 30)
    ]
    assert thresholds == sorted(thresholds, reverse=True)
    assert thresholds[0] > thresholds[-1]


def test_threshold_tuned_classifier_sample_cost_matches_cost_matrix():
    """Check that per-sample costs equal to the cost matrix rows give the same threshold."""
    X, y = _scores()
    cost_matrix = np.array([[0.0, 1.0], [5.0, 0.0]])
    by_matrix = ThresholdTunedClassifier(_frozen_echo(), objective="cost", cost_matrix=cost_matrix)
    by_sample = ThresholdTunedClassifier(_frozen_echo(), objective="cost")
    by_sample.fit(X, y, sample_cost=cost_matrix[y])
    assert by_matrix.fit(X, y).best_threshold_ == by_sample.best_threshold_
    assert by_matrix.best_score_ == pytest.approx(by_sample.best_score_)


def test_threshold_tuned_classifier_sample_weight_changes_objective():
    """Check that sample_weight weights the objective like repeating the samples."""
    X, y = _scores(n=200)
    weight = np.random.RandomState(0).randint(1, 4, size=len(y))
    weighted = ThresholdTunedClassifier(_frozen_echo()).fit(X, y, sample_weight=weight)
    repeated = ThresholdTunedClassifier(_frozen_echo()).fit(np.repeat(X, weight, 0), np.repeat(y, weight))
    assert weighted.best_score_ == pytest.approx(repeated.best_score_)


# -- cv, refit, prefit ----------------------------------------------------------


def test_threshold_tuned_classifier_holdout_without_refit_keeps_fold_model():
    """Check that a float cv with refit=False predicts with the model fitted on the training part."""
    X, y = make_classification(n_samples=300, weights=[0.8], random_state=0)
    model = ThresholdTunedClassifier(LogisticRegression(), cv=0.3, refit=False, random_state=0)
    model.fit(X, y)
    assert model.estimator_.n_features_in_ == X.shape[1]
    refit = ThresholdTunedClassifier(LogisticRegression(), cv=0.3, random_state=0).fit(X, y)
    assert not np.allclose(model.estimator_.coef_, refit.estimator_.coef_)
    assert model.best_threshold_ == refit.best_threshold_  # same held-out scores


def test_threshold_tuned_classifier_prefit_uses_given_estimator():
    """Check that cv='prefit' tunes the given fitted estimator without refitting it."""
    X, y = make_classification(n_samples=300, weights=[0.8], random_state=0)
    fitted = LogisticRegression().fit(X, y)
    model = ThresholdTunedClassifier(fitted, cv="prefit", refit=False).fit(X, y)
    assert model.estimator_ is fitted
    frozen = ThresholdTunedClassifier(FrozenEstimator(fitted)).fit(X, y)
    assert frozen.best_threshold_ == model.best_threshold_


def test_threshold_tuned_classifier_delegates_scores_unchanged():
    """Check that predict_proba and decision_function are the estimator's, and absent methods too."""
    X, y = make_classification(n_samples=200, random_state=0)
    model = ThresholdTunedClassifier(LogisticRegression(), cv=3).fit(X, y)
    np.testing.assert_array_equal(model.predict_proba(X), model.estimator_.predict_proba(X))
    np.testing.assert_array_equal(model.decision_function(X), model.estimator_.decision_function(X))
    assert not hasattr(ThresholdTunedClassifier(GaussianNB()), "decision_function")
    assert model.classes_ is model.estimator_.classes_


def test_threshold_tuned_classifier_string_pos_label():
    """Check that a string positive label is thresholded and predicted."""
    X, y = _scores()
    labels = np.array(["no", "yes"])[y]
    model = ThresholdTunedClassifier(LogisticRegression(), pos_label="yes").fit(X, labels)
    assert set(model.predict(X)) <= {"no", "yes"}
    flipped = ThresholdTunedClassifier(LogisticRegression(), pos_label="no", objective="recall",
                                       constraint={"precision": 0.9}).fit(X, labels)
    assert precision_score(labels, flipped.predict(X), pos_label="no") >= 0.85


# -- multiclass -----------------------------------------------------------------


def _multiclass():
    return make_classification(n_samples=1500, n_classes=4, n_informative=6, weights=[0.6, 0.25, 0.1],
                               random_state=0)


@pytest.mark.parametrize("objective", ["f1", "balanced_accuracy"])
def test_threshold_tuned_classifier_multiclass_improves_on_argmax(objective):
    """Check that tuned offsets score no worse than the plain argmax on the tuning scores."""
    X, y = _multiclass()
    fitted = LogisticRegression().fit(X, y)
    model = ThresholdTunedClassifier(FrozenEstimator(fitted), objective=objective, store_cv_results=True)
    model.fit(X, y)
    assert model.offsets_.shape == (4,)
    assert np.all(np.diff(model.cv_results_["scores"]) >= 0)
    if objective == "f1":
        assert f1_score(y, model.predict(X), average="macro") >= f1_score(y, fitted.predict(X), average="macro")
        assert f1_score(y, model.predict(X), average="macro") == pytest.approx(model.best_score_)


def test_threshold_tuned_classifier_multiclass_cost_and_scorer():
    """Check that multiclass cost matrices and scorers are optimised and cost penalises a class."""
    X, y = _multiclass()
    fitted = FrozenEstimator(LogisticRegression().fit(X, y))
    cost = np.ones((4, 4)) - np.eye(4)
    cost[3, :3] = 20.0  # missing class 3 is expensive
    model = ThresholdTunedClassifier(fitted, objective="cost", cost_matrix=cost).fit(X, y)
    assert np.sum(model.predict(X) == 3) > np.sum(fitted.predict(X) == 3)
    scorer = ThresholdTunedClassifier(fitted, objective="f1_macro", thresholds=20, max_iter=2).fit(X, y)
    assert scorer.best_score_ >= f1_score(y, fitted.predict(X), average="macro")


# -- groups -----------------------------------------------------------------------


def _grouped(n=2000):
    rng = np.random.RandomState(0)
    groups = rng.choice(["a", "b", "c"], size=n)
    y = (rng.uniform(size=n) < 0.3).astype(int)
    shift = np.select([groups == "a", groups == "b"], [0.0, 0.8], 1.6)
    s = 1 / (1 + np.exp(-(rng.normal(size=n) + 1.5 * y - 1 + shift)))
    return s.reshape(-1, 1), y, groups


def test_threshold_tuned_classifier_group_thresholds_and_unseen_group():
    """Check that groups get their own thresholds and unseen groups the global one."""
    X, y, groups = _grouped()
    model = ThresholdTunedClassifier(_frozen_echo()).fit(X, y, groups=groups)
    assert set(model.group_thresholds_) == {"a", "b", "c"}
    assert model.group_thresholds_["a"] < model.group_thresholds_["c"]
    unseen = model.predict(X, groups=np.full(len(y), "z"))
    np.testing.assert_array_equal(unseen, model.predict(X))
    np.testing.assert_array_equal(model.predict(X), (X[:, 0] >= model.best_threshold_).astype(int))


@pytest.mark.parametrize("tolerance", [0.02, 0.1])
def test_threshold_tuned_classifier_equal_opportunity_within_tolerance(tolerance):
    """Check that equal opportunity keeps the groups' TPR gaps within tolerance on the tuning data."""
    X, y, groups = _grouped()
    model = ThresholdTunedClassifier(_frozen_echo(), equal_opportunity=True, groups_tolerance=tolerance)
    y_pred = model.fit(X, y, groups=groups).predict(X, groups=groups)
    tprs = [recall_score(y[groups == g], y_pred[groups == g]) for g in "abc"]
    assert max(tprs) - min(tprs) <= tolerance + 1e-12


def test_threshold_tuned_classifier_groups_metadata_routing():
    """Check that groups and sample_weight are routed to fit and predict when routing is on."""
    from sklearn.pipeline import make_pipeline

    X, y, groups = _grouped(600)
    with config_context(enable_metadata_routing=True):
        tuned = ThresholdTunedClassifier(LogisticRegression().set_fit_request(sample_weight=True), cv=3)
        tuned.set_fit_request(groups=True).set_predict_request(groups=True)
        pipe = make_pipeline(tuned).fit(X, y, groups=groups, sample_weight=np.ones(len(y)))
        assert set(pipe[-1].group_thresholds_) == {"a", "b", "c"}
        assert pipe.predict(X, groups=groups).shape == y.shape


# -- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, fit_params, err_msg",
    [
        ({"objective": "f2"}, {}, "Unknown objective 'f2'"),
        ({"objective": "roc_auc"}, {}, "do not depend on the decision threshold"),
        ({"objective": "f1", "constraint": {"ppv": 0.9}}, {}, r"Unknown constraint \['ppv'\]"),
        ({"objective": "f1", "constraint": {"precision": 1.5}}, {}, "must be in"),
        ({"objective": "f1_macro", "constraint": {"precision": 0.5}}, {}, "built-in objective"),
        ({"objective": "cost"}, {}, "needs cost_matrix"),
        ({"objective": "cost", "cost_matrix": np.ones((3, 3))}, {}, "cost_matrix must have shape"),
        ({"objective": "cost"}, {"sample_cost": np.ones((5, 2))}, "sample_cost must have shape"),
        ({"pos_label": 7}, {}, "pos_label=7 is not a class"),
        ({}, {"groups": np.zeros(5)}, "groups must have one entry per sample"),
        ({"equal_opportunity": True}, {}, "needs groups"),
        ({"cv": "prefit"}, {}, "refit cannot be True"),
        ({"cv": 3, "refit": False}, {}, "refit cannot be False"),
        ({}, {"sample_weight": np.r_[-1.0, np.ones(99)]}, r"negative weight \(-1.0\) at row 0"),
        ({}, {"sample_weight": np.r_[np.ones(99), np.nan]}, "NaN .* at row 99"),
        ({}, {"sample_weight": np.zeros(100)}, "0 for every sample"),
        ({"objective": "matthews_corrcoef", "thresholds": [0.2, np.nan, 0.5]}, {},
         "'thresholds' parameter has a NaN candidate at position 1"),
        ({"objective": "matthews_corrcoef", "thresholds": []}, {}, "non-empty 1-D"),
        ({"objective": "cost", "cost_matrix": [[0, np.nan], [1, 0]]}, {},
         "costs must be finite; cost_matrix has nan at row 0, column 1"),
        ({}, {"groups": [None] + ["a"] * 99}, r"groups has a missing label \(None or NaN\) at row 0"),
    ],
)
def test_threshold_tuned_classifier_invalid_input(params, fit_params, err_msg):
    """Check that bad parameters and fit inputs raise a ValueError that names the problem."""
    X, y = _scores(n=100)
    with pytest.raises(ValueError, match=err_msg):
        ThresholdTunedClassifier(LogisticRegression(), **params).fit(X, y, **fit_params)


def test_threshold_tuned_classifier_input_errors():
    """Check errors for one-class groups, mismatched lengths, multiclass groups and unfitted prefit."""
    X, y, groups = _grouped(300)
    only_pos = np.where(y == 1, "p", "n")
    with pytest.raises(ValueError, match="Group 'n' has samples of one class only"):
        ThresholdTunedClassifier(_frozen_echo()).fit(X, y, groups=only_pos)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ThresholdTunedClassifier(LogisticRegression()).fit(X, y[:-1])
    with pytest.raises(ValueError, match="binary targets only"):
        ThresholdTunedClassifier(LogisticRegression()).fit(X, y % 3 + (X[:, 0] > 0.5), groups=groups)
    with pytest.raises(ValueError, match="at least 2 classes"):
        ThresholdTunedClassifier(LogisticRegression()).fit(X, np.zeros(len(y)))
    with pytest.raises(NotFittedError, match="must be fitted"):
        ThresholdTunedClassifier(LogisticRegression(), cv="prefit", refit=False).fit(X, y)
    with pytest.raises(ValueError, match="not defined for multiclass"):
        ThresholdTunedClassifier(LogisticRegression(), objective="youden").fit(*_multiclass())


@pytest.mark.parametrize("labels, err_type, err_msg", [
    (np.array([0, 1, np.nan, 1] * 25), ValueError, r"missing label \(NaN\) at row 2"),
    (np.array([0, 1, None, 1] * 25, dtype=object), ValueError, "missing label .* at row 2"),
    (np.array([0, 1, "1", 1] * 25, dtype=object), TypeError, "row 2 is a str"),
])
def test_threshold_tuned_classifier_bad_labels(labels, err_type, err_msg):
    """Check that missing and mixed-type labels raise naming the row, before any fit."""
    X, _ = _scores(n=100)
    with pytest.raises(err_type, match=err_msg):
        ThresholdTunedClassifier(LogisticRegression()).fit(X, labels)


class _FailsOnOneClass(LogisticRegression):
    """Records that it was fitted: the fold check must come before any fit."""

    fitted = []

    def fit(self, X, y, sample_weight=None):
        _FailsOnOneClass.fitted.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight)


def test_threshold_tuned_classifier_fold_without_a_class_named_before_fitting():
    """Check that a training fold lacking a class is named by our check before any fit."""
    X, y = _scores(n=100)
    order = np.argsort(y, kind="stable")  # unshuffled KFold on sorted labels: a fold of one class
    _FailsOnOneClass.fitted.clear()
    with pytest.raises(ValueError, match=r"training part of fold \d of cv .* no sample of the class"):
        ThresholdTunedClassifier(_FailsOnOneClass(), cv=KFold(2)).fit(X[order], y[order])
    assert _FailsOnOneClass.fitted == []


class _NaNScores(_ScoreEcho):
    def predict_proba(self, X):
        proba = super().predict_proba(X)
        proba[3] = np.nan  # as a diverged model would give
        return proba


def test_threshold_tuned_classifier_nan_scores_raise():
    """Check that NaN scores from the estimator raise naming the row, not a NaN threshold."""
    X, y = _scores(n=100)
    with pytest.raises(ValueError, match=r"_NaNScores.predict_proba returned NaN for row 3"):
        ThresholdTunedClassifier(_NaNScores().fit(X, y), cv="prefit", refit=False).fit(X, y)
    model = ThresholdTunedClassifier(_frozen_echo()).fit(X, y)
    X[2, 0] = np.nan  # NaN scores at predict: an error, not the negative class
    with pytest.raises(ValueError, match="returned NaN for row 2"):
        model.predict(X)


def test_threshold_tuned_classifier_scorer_nan_points_are_skipped():
    """Check that a scorer undefined at some thresholds never picks one of those."""
    X, y = _scores(n=200)

    def undefined_above_half(y_true, y_pred):
        return np.nan if np.mean(y_pred == 1) > 0.5 else f1_score(y_true, y_pred)

    model = ThresholdTunedClassifier(_frozen_echo(), objective=make_scorer(undefined_above_half),
                                     store_cv_results=True).fit(X, y)
    assert np.isfinite(model.best_score_) and np.isfinite(model.best_threshold_)
    assert np.mean(X[:, 0] >= model.best_threshold_) <= 0.5

    def always_undefined(y_true, y_pred):
        return np.nan

    with pytest.raises(ValueError, match="undefined \\(NaN\\) at every candidate threshold"):
        ThresholdTunedClassifier(_frozen_echo(), objective=make_scorer(always_undefined)).fit(X, y)


@pytest.mark.parametrize("params, fit_params, err_msg", [
    ({"objective": "matthews_corrcoef", "thresholds": ["a", 0.5]}, {},
     "'thresholds' parameter must hold numbers; row 0 is str 'a'"),
    ({"objective": "cost"}, {"sample_cost": [["a", "b"]] * 100}, "sample_cost must hold numbers; row 0, column 0"),
])
def test_threshold_tuned_classifier_non_numbers_named(params, fit_params, err_msg):
    """Check that non-numeric thresholds and costs are TypeErrors naming the parameter and cell."""
    X, y = _scores(n=100)
    with pytest.raises(TypeError, match=err_msg):
        ThresholdTunedClassifier(LogisticRegression(), **params).fit(X, y, **fit_params)
