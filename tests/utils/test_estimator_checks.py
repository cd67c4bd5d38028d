"""Tests of the text-aware compliance suite, sk_textrec.utils.estimator_checks."""

from numbers import Real

import numpy as np
import pytest
from imblearn import FunctionSampler
from imblearn.base import BaseSampler
from imblearn.pipeline import Pipeline, make_pipeline
from imblearn.utils import check_target_type
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import EstimatorCheckFailedWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from sk_textrec import BertClassifier, BertRegressor, TextEmbedder
from sk_textrec.utils import (
    check_label_values,
    check_sample_weight,
    check_text_input,
    make_tiny_bert,
)
from sk_textrec.utils.estimator_checks import (
    check_estimator,
    check_no_attributes_set_in_init,
    check_text_batch_invariance,
    check_text_classifier_classes,
    check_text_fit_does_not_change_params,
    check_text_input_containers,
    check_text_input_not_modified,
    check_text_lone_surrogate_raises,
    check_text_missing_label_raises,
    check_text_missing_raises,
    check_text_negative_sample_weight_raises,
    check_text_pickle,
    check_text_sample_order_invariance,
    check_text_sampler_fit_resample,
    parametrize_with_checks,
)

# TfidfVectorizer calls str methods on each item, so bad items raise
# AttributeError, and it iterates a DataFrame over its column names.
TFIDF_EXPECTED_FAILURES = {
    "check_text_missing_raises": "TfidfVectorizer raises AttributeError on None",
    "check_text_non_string_raises": "TfidfVectorizer raises AttributeError on numbers",
    "check_text_two_columns_raises": "TfidfVectorizer raises AttributeError on 2-D rows",
    "check_text_lone_surrogate_raises": "TfidfVectorizer accepts lone surrogates",
    "check_text_missing_label_raises": "LogisticRegression raises TypeError sorting a None label",
    "check_text_input_containers": "TfidfVectorizer reads a DataFrame as its column names",
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, Pipeline):
        return TFIDF_EXPECTED_FAILURES
    return {}


@parametrize_with_checks(
    [
        BertClassifier(make_tiny_bert(), max_epochs=1, lr=1e-3, random_state=0),
        BertRegressor(make_tiny_bert(), max_epochs=1, lr=1e-3, random_state=0),
        TextEmbedder(make_tiny_bert()),
        make_pipeline(TfidfVectorizer(), LogisticRegression()),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_estimators_text_checks(estimator, check):
    """Check that the package's estimators and a TF-IDF pipeline pass the text checks."""
    check(estimator)


# -- hand-written subjects ---------------------------------------------------


class TextClassifier(ClassifierMixin, BaseEstimator):
    """A correct text classifier: TF-IDF and logistic regression behind text validation."""

    def __init__(self, C=1.0):
        self.C = C

    def _texts(self, X):
        return check_text_input(X)

    def fit(self, X, y):
        texts = self._texts(X)
        check_label_values(y)
        y = column_or_1d(y)
        check_consistent_length(texts, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("TextClassifier needs at least two classes.")
        self.model_ = make_pipeline(TfidfVectorizer(), LogisticRegression(C=self.C)).fit(texts, y)
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        return self.model_.decision_function(self._texts(X))

    def predict_proba(self, X):
        check_is_fitted(self)
        return self.model_.predict_proba(self._texts(X))

    def predict(self, X):
        check_is_fitted(self)
        return self.model_.predict(self._texts(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array, tags.input_tags.two_d_array = True, False
        tags.input_tags.string = True
        return tags


class SetsAttributeInInit(TextClassifier):
    def __init__(self, C=1.0):
        self.C = C
        self.vocabulary = None


class OrderDependentClassifier(TextClassifier):
    def decision_function(self, X):
        scores = super().decision_function(X)
        return scores + 0.01 * np.arange(len(scores))


class BatchDependentClassifier(TextClassifier):
    def decision_function(self, X):
        scores = super().decision_function(X)
        return scores - scores.mean()


class FillsMissingText(TextClassifier):
    def _texts(self, X):
        return check_text_input(["" if text is None else text for text in X])


class UnstablePickle(TextClassifier):
    def __setstate__(self, state):
        super().__setstate__(state)
        if "model_" in state:  # as if the head were re-initialised on load
            self.model_[-1].coef_ = self.model_[-1].coef_ + 1.0


class SortsItsInput(TextClassifier):
    def fit(self, X, y):
        if isinstance(X, list):
            X.sort()
        return super().fit(X, y)


class ChangesItsParams(TextClassifier):
    def fit(self, X, y):
        self.C = 2 * self.C
        return super().fit(X, y)


class PredictsIndices(TextClassifier):
    def predict(self, X):
        return self.predict_proba(X).argmax(axis=1)


class ListOnlyClassifier(TextClassifier):
    def predict(self, X):
        return super().predict(X) if isinstance(X, list) else np.full(len(X), "unknown")


class AcceptsSurrogates(TextClassifier):
    def _texts(self, X):
        return np.asarray(X, dtype=object)


class LabelsAsStrings(TextClassifier):
    def fit(self, X, y):  # the bug of the issue: NaN becomes the class 'nan'
        return super().fit(X, np.asarray(y).astype(str))


class WeightedTextClassifier(TextClassifier):
    """Takes sample weights and validates them."""

    def fit(self, X, y, sample_weight=None):
        check_sample_weight(sample_weight, len(X))
        return super().fit(X, y)


class IgnoresNegativeWeights(TextClassifier):
    def fit(self, X, y, sample_weight=None):
        return super().fit(X, y)


class RandomTextOverSampler(BaseSampler):
    """Random over-sampling of raw texts, imbalanced-learn style."""

    _sampling_type = "over-sampling"
    _parameter_constraints = {
        "sampling_strategy": [Real, str, dict, callable],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None):
        self.sampling_strategy = sampling_strategy
        self.random_state = random_state

    def fit_resample(self, X, y):
        check_label_values(y)  # before imbalanced-learn sorts the labels
        return super().fit_resample(X, y)

    def _check_X_y(self, X, y, accept_sparse=None):
        texts = check_text_input(X)
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        check_consistent_length(texts, y)
        return texts, y, binarize_y

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        indices = [np.arange(len(y))] + [
            random_state.choice(np.flatnonzero(y == label), size=n_samples)
            for label, n_samples in self.sampling_strategy_.items()
        ]
        indices = np.concatenate(indices)
        return X[indices], y[indices]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.one_d_array, tags.input_tags.two_d_array = True, False
        tags.input_tags.string = True
        return tags


# -- the checks catch broken estimators --------------------------------------


def test_check_estimator_correct_classifier_passes():
    """Check that a correct hand-written text classifier passes every check."""
    results = check_estimator(TextClassifier())
    assert {result["status"] for result in results} == {"passed"}
    assert "check_text_classifier_multiclass" in {result["check_name"] for result in results}


@pytest.mark.parametrize(
    "estimator, check, err_msg",
    [
        (SetsAttributeInInit(), check_no_attributes_set_in_init, "should not set any attribute"),
        (OrderDependentClassifier(), check_text_sample_order_invariance, "depends on the order"),
        (BatchDependentClassifier(), check_text_batch_invariance, "differs alone and in a batch"),
        (FillsMissingText(), check_text_missing_raises, "None should raise ValueError; it raised nothing"),
        (UnstablePickle(), check_text_pickle, "changed on pickling"),
        (SortsItsInput(), check_text_input_not_modified, "modified the texts"),
        (ChangesItsParams(), check_text_fit_does_not_change_params, r"changed the parameters \['C'\]"),
        (PredictsIndices(), check_text_classifier_classes, "not in classes_"),
        (AcceptsSurrogates(), check_text_lone_surrogate_raises, "lone surrogate should raise ValueError"),
        (LabelsAsStrings(), check_text_missing_label_raises, "None among str labels should raise"),
        (IgnoresNegativeWeights(), check_text_negative_sample_weight_raises,
         "negative sample_weight should raise ValueError; it raised nothing"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseEstimator) else None,
)
def test_checks_detect_broken_estimator(estimator, check, err_msg):
    """Check that each check fails with a clear message on an estimator that breaks it."""
    with pytest.raises(AssertionError, match=err_msg):
        check(type(estimator).__name__, estimator)


def test_check_estimator_weighted_classifier_gets_weight_check():
    """Check that a classifier whose fit takes sample_weight passes the negative-weight check."""
    results = check_estimator(WeightedTextClassifier())
    assert {result["status"] for result in results} == {"passed"}
    assert "check_text_negative_sample_weight_raises" in {result["check_name"] for result in results}
    names = {result["check_name"] for result in check_estimator(TextClassifier())}
    assert "check_text_negative_sample_weight_raises" not in names


def test_check_estimator_sampler_passes():
    """Check that a text over-sampler passes every check, the sampler check included."""
    results = check_estimator(RandomTextOverSampler(random_state=0))
    assert {result["status"] for result in results} == {"passed"}
    assert "check_text_sampler_fit_resample" in {result["check_name"] for result in results}


def test_check_text_input_containers_without_pandas(monkeypatch):
    """Check that the container check compares lists and arrays when pandas is missing."""
    from sk_textrec.utils import _check_data

    monkeypatch.setattr(_check_data, "_pandas", lambda: None)
    check_text_input_containers("TextClassifier", TextClassifier())
    with pytest.raises(AssertionError, match="differs for ndarray input"):
        check_text_input_containers("ListOnlyClassifier", ListOnlyClassifier())


def test_check_text_sampler_fit_resample_function_sampler():
    """Check that an identity FunctionSampler on raw text passes the sampler check."""
    check_text_sampler_fit_resample("FunctionSampler", FunctionSampler(validate=False))


@pytest.mark.parametrize(
    "func, err_msg",
    [
        (lambda X, y: (X[:-1], y), "returned 15 texts, 16 labels"),
        (lambda X, y: (X, np.where(y == "pos", "other", y)), r"labels \['other'\] not in y"),
        (lambda X, y: (np.asarray(X, dtype=object), y), "returned ndarray for list input"),
    ],
    ids=["length_mismatch", "new_label", "container_type"],
)
def test_check_text_sampler_fit_resample_detects_broken_sampler(func, err_msg):
    """Check that the sampler check fails on a sampler breaking the fit_resample contract."""
    sampler = FunctionSampler(func=func, validate=False)
    with pytest.raises(AssertionError, match=err_msg):
        check_text_sampler_fit_resample("FunctionSampler", sampler)


# -- check_estimator and parametrize_with_checks -----------------------------


def test_check_estimator_tfidf_pipeline_expected_failures():
    """Check that expected failures of the TF-IDF pipeline are reported as xfail."""
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    results = check_estimator(pipe, expected_failed_checks=TFIDF_EXPECTED_FAILURES)
    xfail = {result["check_name"] for result in results if result["status"] == "xfail"}
    assert xfail == set(TFIDF_EXPECTED_FAILURES)
    assert {result["status"] for result in results} == {"passed", "xfail"}
    result = next(result for result in results if result["status"] == "xfail")
    assert result["expected_to_fail"] and result["expected_to_fail_reason"].startswith("TfidfVectorizer")
    assert isinstance(result["exception"], Exception)


def test_check_estimator_tfidf_pipeline_raises():
    """Check that with on_fail='raise' the first unexpected failure is raised."""
    with pytest.raises(AssertionError, match="None should raise ValueError; it raised AttributeError"):
        check_estimator(make_pipeline(TfidfVectorizer(), LogisticRegression()))


def test_check_estimator_warns_and_records():
    """Check that with on_fail='warn' failures are warned about and recorded, not raised."""
    pipe = make_pipeline(TfidfVectorizer(), LogisticRegression())
    with pytest.warns(EstimatorCheckFailedWarning):
        results = check_estimator(pipe, on_fail="warn")
    failed = {result["check_name"] for result in results if result["status"] == "failed"}
    assert failed == set(TFIDF_EXPECTED_FAILURES)


@pytest.mark.parametrize(
    "estimator, params, err_type, err_msg",
    [
        (TextClassifier, {}, TypeError, "instance, not the class"),
        (TextClassifier(), {"on_fail": "ignore"}, ValueError, "on_fail must be"),
        (TextClassifier(), {"expected_failed_checks": {"check_typo": "?"}}, ValueError, "unknown checks"),
    ],
)
def test_check_estimator_invalid_arguments(estimator, params, err_type, err_msg):
    """Check that invalid arguments of check_estimator raise a clear error."""
    with pytest.raises(err_type, match=err_msg):
        check_estimator(estimator, **params)


def test_parametrize_with_checks_ids_and_marks():
    """Check that cases have readable, path-free ids and expected failures are xfail."""
    path = make_tiny_bert()
    mark = parametrize_with_checks(
        [BertClassifier(path, random_state=0), make_pipeline(TfidfVectorizer(), LogisticRegression())],
        expected_failed_checks=_expected_failed_checks,
    )
    argnames, cases = mark.args
    assert argnames == "estimator, check"
    make_id = mark.kwargs["ids"]
    ids = ["-".join(make_id(value) for value in case.values) for case in cases]
    assert "BertClassifier(model_name_or_path=...,random_state=0)-check_text_pickle" in ids
    assert not any(path in case_id for case_id in ids)
    xfail = {case.values[1].func.__name__ for case in cases if case.marks}
    assert xfail == set(TFIDF_EXPECTED_FAILURES)


def test_parametrize_with_checks_rejects_classes():
    """Check that passing a class instead of an instance raises TypeError."""
    with pytest.raises(TypeError, match="instances, not classes"):
        parametrize_with_checks([TextClassifier])
