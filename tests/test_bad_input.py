"""Property-based bad-input suite over the public API (hypothesis).

For every public estimator, sampler, augmenter and metric (and the CSV reader
of the loader and the command line), generated bad
texts, labels, weights and parameters must raise ValueError, TypeError or
NotFittedError with a message that names the parameter or the row -- or be
accepted with the documented behaviour (checked: outputs of the right size and
type, finite numbers). Never another exception type, never a NaN or garbage
result. The BERT estimators must refuse bad data before any model is loaded:
here loading is replaced by a sentinel that fails the test if reached.
"""

import re
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import is_regressor
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import sk_textrec.augmentation as augmentation
import sk_textrec.metrics as metrics
from sk_textrec import (
    AugmentationOverSampler,
    BertClassifier,
    BertRegressor,
    HoldoutStackingClassifier,
    EmbeddingSpaceSampler,
    LabelNoiseUnderSampler,
    MMRReranker,
    NearDuplicateUnderSampler,
    RandomTextOverSampler,
    RandomTextUnderSampler,
    TextEmbedder,
    ThresholdTunedClassifier,
)
from sk_textrec.feature_extraction import TfidfTextVectorizer
from sk_textrec.models._base import HFEncoderMixin

# About 20 examples per target keeps the file within its time budget.
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
N_ROWS = 12
ERRORS = (ValueError, TypeError, NotFittedError)


class ModelLoaded(Exception):
    """Raised in place of loading a model: bad input must never get this far."""


@contextmanager
def no_model_loading():
    with mock.patch.object(HFEncoderMixin, "_set_up_runtime", side_effect=ModelLoaded):
        yield


@contextmanager
def clear_error(*names, row=None):
    """The block raises one of ERRORS naming the bad row (when given) or one of ``names``."""
    try:
        yield
    except ERRORS as exc:
        message = str(exc)
        if row is not None:
            assert re.search(rf"\brow {row}\b|\[{row}\]", message), f"row {row} not named: {message}"
        else:
            assert any(name in message for name in names), f"none of {names} named: {message}"
    else:
        raise AssertionError(f"bad input accepted silently (expected an error naming {row or names})")


# -- generated inputs ---------------------------------------------------------------------------

# st.text never draws surrogates: every text it draws is valid, control characters included.
GOOD_TEXT = st.text(max_size=15)
LONE_SURROGATE = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "\ud83d"])
BAD_TEXT = st.one_of(
    st.none(), st.just(float("nan")), st.just(pd.NA), st.integers(), st.floats(allow_nan=False),
    st.binary(max_size=4), st.tuples(GOOD_TEXT, GOOD_TEXT, GOOD_TEXT), st.lists(GOOD_TEXT, max_size=1),
    st.builds(lambda left, half, right: left + half + right, GOOD_TEXT, LONE_SURROGATE, GOOD_TEXT),
)
CONTAINERS = ("list", "ndarray", "Series")


def _container(values, kind):
    if kind == "list":
        return list(values)
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array if kind == "ndarray" else pd.Series(array, dtype=object)


@st.composite
def texts_with_a_bad_row(draw, n=N_ROWS):
    """``(row, texts)``: valid texts but for one bad item at ``row``, in a list, array or Series."""
    texts = draw(st.lists(GOOD_TEXT, min_size=n, max_size=n))
    row = draw(st.integers(0, n - 1))
    texts[row] = draw(BAD_TEXT)
    return row, _container(texts, draw(st.sampled_from(CONTAINERS)))


def _labels(n=N_ROWS, kind="str"):
    return (["neg", "pos", "pos"] * n)[:n] if kind == "str" else ([0, 1, 1] * n)[:n]


@st.composite
def labels_with_a_bad_row(draw, n=N_ROWS):
    """``(row, labels)``: binary labels with one missing or other-typed label at ``row``."""
    kind = draw(st.sampled_from(["str", "int"]))
    labels = _labels(n, kind)
    row = draw(st.integers(0, n - 1))
    other_type = st.integers(0, 1) if kind == "str" else st.sampled_from(["0", "1", "pos"])
    labels[row] = draw(st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA), other_type))
    return row, _container(labels, draw(st.sampled_from(CONTAINERS)))


@st.composite
def weights_with_a_bad_row(draw, n=N_ROWS):
    """``(row, weights)``: one negative, NaN, infinite, missing or non-number weight at ``row``."""
    weights = draw(st.lists(st.floats(0.1, 10), min_size=n, max_size=n))
    row = draw(st.integers(0, n - 1))
    weights[row] = draw(st.one_of(st.floats(max_value=-1e-3), st.sampled_from(
        [float("nan"), float("inf"), -float("inf"), None, "1", [1.0]])))
    return row, weights


def _good_texts():
    return ["great dress, love it", "awful, returned it", "soft and warm", "too small",
            "nice colour", "cheap fabric"] * (N_ROWS // 6)


# Values no parameter of ours accepts (each is refused, or documented as unused).
BAD_PARAM = st.sampled_from([float("nan"), -1.5, "?", [1, "a"], object(), {"x": 1}])


# -- estimators and samplers ----------------------------------------------------------------------


def _samplers(tiny_bert):
    embedder = TextEmbedder(tiny_bert)
    return [
        RandomTextOverSampler(random_state=0),
        RandomTextUnderSampler(random_state=0),
        AugmentationOverSampler(augmentation.RandomSwap(0.3), random_state=0),
        EmbeddingSpaceSampler(RandomUnderSampler(random_state=0), embedder=embedder),
        NearDuplicateUnderSampler(random_state=0),
        LabelNoiseUnderSampler(cv=2, random_state=0),
    ]


def _text_estimators(tiny_bert):
    blend = HoldoutStackingClassifier(
        [("tfidf", make_pipeline(TfidfTextVectorizer(min_df=1), LogisticRegression()))],
        holdout_size=0.5, random_state=0)
    return [BertClassifier(tiny_bert, max_epochs=1, random_state=0), BertRegressor(tiny_bert, max_epochs=1),
            TextEmbedder(tiny_bert), blend, *_samplers(tiny_bert)]


def _fit(estimator, X, y, **fit_params):
    if is_regressor(estimator):  # star ratings for the labels' rows (labels are checked elsewhere)
        y = np.where(np.asarray(y, dtype=object) == "pos", 5.0, 1.0)
    if hasattr(estimator, "fit_resample"):
        return estimator.fit_resample(X, y, **fit_params)
    return estimator.fit(X, y, **fit_params)


def _ids(estimators):
    return [type(estimator).__name__ for estimator in estimators]


@pytest.fixture(scope="module")
def estimators(tiny_bert):
    return {type(estimator).__name__: estimator for estimator in _text_estimators(tiny_bert)}


ESTIMATOR_NAMES = ["BertClassifier", "BertRegressor", "TextEmbedder", "HoldoutStackingClassifier",
                   "RandomTextOverSampler", "RandomTextUnderSampler",
                   "AugmentationOverSampler", "EmbeddingSpaceSampler", "NearDuplicateUnderSampler",
                   "LabelNoiseUnderSampler"]


def test_every_public_text_estimator_is_covered(estimators):
    """Check that the suite targets every text estimator and sampler the package exports."""
    import sk_textrec

    exported = {name for name in sk_textrec.__all__ if hasattr(getattr(sk_textrec, name), "fit")}
    covered = set(ESTIMATOR_NAMES) | {"ThresholdTunedClassifier", "MMRReranker"}
    assert exported == covered == set(estimators) | {"ThresholdTunedClassifier", "MMRReranker"}


@pytest.mark.parametrize("name", ESTIMATOR_NAMES)
@SETTINGS
@given(bad=texts_with_a_bad_row())
def test_bad_texts_name_the_row_before_any_model_loads(estimators, name, bad):
    """Check that a bad text (None, NaN, number, bytes, nested, lone surrogate) names its row."""
    row, X = bad
    with no_model_loading(), clear_error(row=row):
        _fit(estimators[name], X, np.array(_labels()))


@pytest.mark.parametrize("name", [n for n in ESTIMATOR_NAMES if n not in ("TextEmbedder", "BertRegressor")])
@SETTINGS
@given(bad=labels_with_a_bad_row())
def test_bad_labels_name_the_row_before_any_model_loads(estimators, name, bad):
    """Check that a missing (None, NaN, NA) or other-typed label names its row, never a class."""
    row, y = bad
    with no_model_loading(), clear_error(row=row):
        _fit(estimators[name], _good_texts(), y)


@SETTINGS
@given(bad=weights_with_a_bad_row())
def test_bert_bad_sample_weight_names_the_row_before_loading(estimators, bad):
    """Check that BertClassifier refuses a bad weight, naming its row, before loading a model."""
    row, weights = bad
    with no_model_loading(), clear_error(row=row):
        estimators["BertClassifier"].fit(_good_texts(), _labels(), sample_weight=weights)


@SETTINGS
@given(bad=weights_with_a_bad_row())
def test_bert_regressor_bad_target_names_the_row_before_loading(estimators, bad):
    """Check that a missing, infinite or non-number target names its row before loading a model."""
    row, targets = bad
    if isinstance(targets[row], float) and np.isfinite(targets[row]):
        targets[row] = None  # a negative weight is a valid target: make it a missing one
    with no_model_loading(), clear_error(row=row):
        estimators["BertRegressor"].fit(_good_texts(), targets)


def _with(obj, /, **params):
    """A new estimator with ``params`` changed; construction never validates (sklearn's contract)."""
    return type(obj)(**{**obj.get_params(deep=False), **params})


@pytest.mark.parametrize("name", ESTIMATOR_NAMES)
@SETTINGS
@given(data=st.data())
def test_bad_parameters_are_named(estimators, name, data):
    """Check that a nonsense parameter value is refused naming it, or is accepted (validated later)."""
    param = data.draw(st.sampled_from(sorted(estimators[name].get_params(deep=False))), label="param")
    value = data.draw(BAD_PARAM, label="value")
    estimator = _with(estimators[name], **{param: value})
    with no_model_loading():
        try:
            result = _fit(estimator, _good_texts(), np.array(_labels()))
        except ModelLoaded:
            return  # valid as far as validation goes; the model's own checks come at loading
        except ERRORS as exc:
            assert param in str(exc), f"{param}={value!r}: {exc}"
            return
    if isinstance(result, tuple):  # a sampler that accepted it: its contract still holds
        X_res, y_res = result
        assert len(X_res) == len(y_res) and all(isinstance(text, str) for text in X_res)


@pytest.mark.parametrize("name", ["BertClassifier", "TextEmbedder"])
@SETTINGS
@given(bad=texts_with_a_bad_row())
def test_fitted_bert_estimators_refuse_bad_texts_at_predict(fitted, name, bad):
    """Check that predict / predict_proba / transform name the bad row before any batch runs."""
    row, X = bad
    estimator = fitted[name]
    for method in ("predict", "predict_proba", "transform"):
        if hasattr(estimator, method):
            with clear_error(row=row):
                getattr(estimator, method)(X)


@pytest.fixture(scope="module")
def fitted(estimators):
    X, y = _good_texts(), np.array(_labels())
    return {name: _with(estimators[name]).fit(X, y) for name in ("BertClassifier", "TextEmbedder")}


@pytest.mark.parametrize("name", ["BertClassifier", "TextEmbedder"])
def test_unfitted_bert_estimators_raise_not_fitted(estimators, name):
    """Check that predicting before fit is NotFittedError, whatever the input."""
    estimator = _with(estimators[name])
    for method in ("predict", "predict_proba", "transform"):
        if hasattr(estimator, method):
            with pytest.raises((NotFittedError, ValueError, TypeError)):
                getattr(estimator, method)([None, 3])


@pytest.mark.parametrize("name", [n for n in ESTIMATOR_NAMES if n.endswith("Sampler")])
@SETTINGS
@given(texts=st.lists(GOOD_TEXT, min_size=N_ROWS, max_size=N_ROWS))
def test_samplers_accept_any_valid_text(estimators, name, texts):
    """Check that any valid text (control characters, emoji, empty) is resampled, not mangled."""
    sampler = estimators[name]
    try:
        X_res, y_res = sampler.fit_resample(texts, np.array(_labels()))
    except ValueError as exc:  # documented: the default TF-IDF model needs some words
        assert name == "LabelNoiseUnderSampler" and "has no word" in str(exc), exc
        return
    assert len(X_res) == len(y_res) and all(isinstance(text, str) for text in X_res)
    generated = np.asarray(getattr(sampler, "augmented_mask_", np.zeros(len(X_res), bool)))
    kept = [text for text, new in zip(X_res, generated) if not new]
    assert set(kept) <= set(texts)  # original rows are copied as they are


# -- CSV files: the loader and the command line read them with one reader ------------------------

# Any text but NUL (which csv cannot read) and the blank ones (an empty text is a bad row).
CSV_TEXT = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                   min_size=1, max_size=15).filter(str.strip)
ASCII_CSV_TEXT = st.text(st.characters(min_codepoint=1, max_codepoint=127), min_size=1,
                         max_size=15).filter(str.strip)
BAD_CSV_CELLS = {"empty text": ("text", " "), "empty label": ("label", ""),
                 "missing label": ("label", "NA"), "other spelling": ("label", "1.0")}


@st.composite
def csv_with_a_bad_row(draw, n=N_ROWS):
    """``(row, kind, rows)``: (text, label) rows, quoted as csv writes them, one bad at ``row``
    (an empty text or label, a missing-value marker, or row 0's label 1 written as 1.0)."""
    texts = draw(st.lists(CSV_TEXT, min_size=n, max_size=n))
    rows = [[text, label] for text, label in zip(texts, draw(st.lists(st.sampled_from("01"), min_size=n,
                                                                        max_size=n)))]
    rows[0][1] = "1"
    row, kind = draw(st.integers(1, n - 1)), draw(st.sampled_from(sorted(BAD_CSV_CELLS)))
    column, value = BAD_CSV_CELLS[kind]
    rows[row][column == "label"] = value
    return row, kind, rows


def _csv_file(folder, rows, encoding="utf-8"):
    import csv

    path = folder / "data.csv"
    with open(path, "w", newline="", encoding=encoding) as file:
        csv.writer(file).writerows([["text", "label"], *rows])
    return path


@SETTINGS
@given(bad=csv_with_a_bad_row(), chunk_rows=st.integers(1, N_ROWS + 1))
def test_csv_bad_row_is_named_by_the_loader_and_the_command_line(tmp_path_factory, bad, chunk_rows):
    """Check that a bad CSV row is named by load_reviews_csv and by the CLI's chunked reader."""
    from sk_textrec._cli._common import CommandError, read_csv_chunks
    from sk_textrec.datasets import load_reviews_csv

    row, kind, rows = bad
    path = _csv_file(tmp_path_factory.mktemp("csv"), rows)
    with clear_error(row=row):
        load_reviews_csv(path, label_col="label")
    if kind == "other spelling":  # a label the reader keeps; the labels' check refuses it
        return
    columns = {"text_col": "text", "label_col": "label"}
    with pytest.raises(CommandError, match=rf"\brow {row} \(line \d+\) has"):
        for _ in read_csv_chunks(path, columns, required=tuple(columns), encoding="utf-8-sig",
                                 chunk_rows=chunk_rows):
            pass


@SETTINGS
@given(rows=st.lists(st.tuples(ASCII_CSV_TEXT, st.sampled_from("01")), min_size=2, max_size=N_ROWS),
       data=st.data())
def test_csv_other_encoding_names_the_line(tmp_path_factory, rows, data):
    """Check that a byte that is not UTF-8 is a ValueError naming the file and its line."""
    from sk_textrec.datasets import load_reviews_csv

    row = data.draw(st.integers(0, len(rows) - 1))
    rows = [list(r) for r in rows]
    rows[row][0] = "caf\u00e9"  # one line, latin-1: b"\xe9" is not UTF-8 here
    path = _csv_file(tmp_path_factory.mktemp("csv"), rows, encoding="latin-1")
    first = path.read_bytes().index(b"\xe9")
    line = path.read_bytes().count(b"\n", 0, first) + 1
    with pytest.raises(ValueError, match=rf"is not 'utf-8-sig' text: .* on line {line} cannot"):
        load_reviews_csv(path, label_col="label")


# -- ThresholdTunedClassifier and MMRReranker (numeric inputs) ------------------------------------


def _scores_data(n=40):
    rng = np.random.RandomState(0)
    return rng.normal(size=(n, 2)), np.array([0, 1] * (n // 2))


@st.composite
def groups_with_a_bad_row(draw, n):
    groups = ["a", "b"] * (n // 2)
    row = draw(st.integers(0, n - 1))
    groups[row] = draw(st.sampled_from([None, float("nan"), pd.NA, ["a"]]))
    return row, groups


@SETTINGS
@given(labels=labels_with_a_bad_row(n=40), weights=weights_with_a_bad_row(n=40),
       groups=groups_with_a_bad_row(n=40), which=st.sampled_from(["labels", "weights", "groups"]))
def test_threshold_tuned_classifier_bad_data_named(labels, weights, groups, which):
    """Check that bad labels, weights and groups name the row before the estimator is cloned."""
    X, y = _scores_data()
    model = ThresholdTunedClassifier(LogisticRegression(), cv=2)
    fit_params = {"labels": {"y": labels[1]}, "weights": {"sample_weight": weights[1]},
                  "groups": {"groups": groups[1]}}[which]
    row = {"labels": labels, "weights": weights, "groups": groups}[which][0]
    with mock.patch("sk_textrec.model_selection._threshold.clone",
                    side_effect=AssertionError("the estimator was cloned before validation")):
        with clear_error(row=row):
            model.fit(X, **{"y": y, **fit_params})


@pytest.mark.parametrize("estimator", [ThresholdTunedClassifier(LogisticRegression(), cv=2), MMRReranker(k=2)],
                         ids=["ThresholdTunedClassifier", "MMRReranker"])
@SETTINGS
@given(data=st.data())
def test_numeric_estimators_bad_parameters_are_named(estimator, data):
    """Check that a nonsense parameter of the numeric estimators is refused naming it, or unused."""
    param = data.draw(st.sampled_from(sorted(estimator.get_params(deep=False))), label="param")
    value = data.draw(BAD_PARAM, label="value")
    model = _with(estimator, **{param: value})
    X, y = _scores_data()
    try:
        model.fit(np.abs(X), y)
    except ERRORS as exc:
        assert param in str(exc), f"{param}={value!r}: {exc}"
        return
    predictions = model.predict(np.abs(X))  # accepted: documented as unused in this configuration
    assert len(predictions) == len(X)


@SETTINGS
@given(row=st.integers(0, 3), column=st.integers(0, 4),
       value=st.sampled_from([np.inf, -np.inf, "x", [1.0]]))
def test_mmr_reranker_bad_scores_refused(row, column, value):
    """Check that infinite or non-number relevance scores are refused (NaN, None mark non-candidates)."""
    X = np.random.RandomState(0).uniform(size=(4, 5)).astype(object)
    X[row, column] = value
    with pytest.raises(ERRORS):
        MMRReranker(k=2).fit(X)


# -- augmenters -------------------------------------------------------------------------------------


def _augmenters():
    def reverse(texts, src, tgt):
        return [" ".join(reversed(text.split())) for text in texts]

    synonyms = {"dress": ["gown"], "love": ["adore"]}
    # The masked LM points at a missing folder: bad texts must fail before it is looked for.
    return [
        augmentation.SynonymReplacement(0.5, synonyms=synonyms),
        augmentation.RandomInsertion(0.5, synonyms=synonyms),
        augmentation.RandomSwap(0.5),
        augmentation.RandomDeletion(0.5),
        augmentation.CharacterNoise(0.2),
        augmentation.BackTranslation(reverse),
        augmentation.MaskedLMSubstitution("./no/such/model"),
        augmentation.AugmentationSequence([("swap", augmentation.RandomSwap(0.5))]),
        augmentation.OneOf([("swap", augmentation.RandomSwap(0.5)), ("noise", augmentation.CharacterNoise())]),
    ]


AUGMENTERS = _augmenters()


def test_every_public_augmenter_is_covered():
    """Check that the suite targets every augmenter the subpackage exports."""
    exported = {name for name in augmentation.__all__ if hasattr(getattr(augmentation, name), "augment")}
    assert exported == set(_ids(AUGMENTERS))


@pytest.mark.parametrize("augmenter", AUGMENTERS, ids=_ids(AUGMENTERS))
@SETTINGS
@given(bad=texts_with_a_bad_row())
def test_augmenters_bad_texts_name_the_row(augmenter, bad):
    """Check that every augmenter names the bad row before it edits or loads anything."""
    row, texts = bad
    with clear_error(row=row):
        augmenter.augment(texts, random_state=0)


@pytest.mark.parametrize("augmenter", [a for a in AUGMENTERS if not isinstance(a, augmentation.MaskedLMSubstitution)],
                         ids=_ids([a for a in AUGMENTERS if not isinstance(a, augmentation.MaskedLMSubstitution)]))
@SETTINGS
@given(texts=st.lists(GOOD_TEXT, max_size=6), seed=st.integers(0, 2**32 - 1))
def test_augmenters_accept_any_valid_text(augmenter, texts, seed):
    """Check one string per text, empty texts unchanged, and one seed -> one output."""
    out = augmenter.augment(texts, random_state=seed)
    assert len(out) == len(texts) and all(isinstance(text, str) for text in out)
    assert all(new == "" for old, new in zip(texts, out) if old == "")
    assert augmenter.augment(texts, random_state=seed) == out


@pytest.mark.parametrize("augmenter", AUGMENTERS, ids=_ids(AUGMENTERS))
@SETTINGS
@given(data=st.data())
def test_augmenters_bad_parameters_are_named(augmenter, data):
    """Check that a nonsense parameter value is refused naming it, or left unused."""
    param = data.draw(st.sampled_from(sorted(augmenter.get_params(deep=False))), label="param")
    value = data.draw(BAD_PARAM, label="value")
    bad = _with(augmenter, **{param: value})
    try:
        out = bad.augment(["a lovely dress", "love it"], random_state=0)
    except ERRORS as exc:
        assert param in str(exc), f"{param}={value!r}: {exc}"
        return
    assert len(out) == 2 and all(isinstance(text, str) for text in out)


# -- metrics ----------------------------------------------------------------------------------------

_CLASSIFICATION = {
    "imbalance_report": lambda y_true, y_pred, **kw: metrics.imbalance_report(y_true, y_pred, **kw),
    "expected_calibration_error": lambda y_true, y_pred, **kw: metrics.expected_calibration_error(
        y_true, np.linspace(0.05, 0.95, len(y_pred)), **kw),
    "group_classification_report": lambda y_true, y_pred, **kw: metrics.group_classification_report(
        y_true, y_pred, groups=["a", "b"] * (len(y_pred) // 2), pos_label=_pos(y_true), **kw),
    "group_disparity_score": lambda y_true, y_pred, **kw: metrics.group_disparity_score(
        y_true, y_pred, groups=["a", "b"] * (len(y_pred) // 2), pos_label=_pos(y_true), **kw),
    "equal_opportunity_difference": lambda y_true, y_pred, **kw: metrics.equal_opportunity_difference(
        y_true, y_pred, groups=["a", "b"] * (len(y_pred) // 2), pos_label=_pos(y_true), **kw),
    "demographic_parity_difference": lambda y_true, y_pred, **kw: metrics.demographic_parity_difference(
        y_true, y_pred, groups=["a", "b"] * (len(y_pred) // 2), pos_label=_pos(y_true), **kw),
}


def _is_str_labels(y):
    return any(isinstance(label, str) and label in ("neg", "pos") for label in y)


def _pos(y):
    return "pos" if _is_str_labels(y) else 1


@pytest.mark.parametrize("name", sorted(_CLASSIFICATION))
@SETTINGS
@given(bad=labels_with_a_bad_row(), where=st.sampled_from(["y_true", "y_pred"]))
def test_classification_metrics_bad_labels_name_the_row(name, bad, where):
    """Check that a missing or other-typed label in y_true or y_pred names its row."""
    row, labels = bad
    good = _container(_labels(N_ROWS, "str" if _is_str_labels(labels) else "int"), "list")
    y_true, y_pred = (labels, good) if where == "y_true" else (good, labels)
    if name == "expected_calibration_error" and where == "y_pred":
        return  # it takes probabilities, not predicted labels
    with clear_error(row=row):
        _CLASSIFICATION[name](y_true, y_pred)


@pytest.mark.parametrize("name", sorted(_CLASSIFICATION))
@SETTINGS
@given(bad=weights_with_a_bad_row())
def test_classification_metrics_bad_weights_name_the_row(name, bad):
    """Check that a negative, NaN, infinite or non-number weight names its row."""
    row, weights = bad
    with clear_error(row=row):
        _CLASSIFICATION[name](_labels(N_ROWS, "int"), _labels(N_ROWS, "int")[::-1], sample_weight=weights)


@pytest.mark.parametrize("name", sorted(_CLASSIFICATION))
def test_classification_metrics_empty_input(name):
    """Check that empty input says it is empty."""
    with clear_error("is empty"):
        _CLASSIFICATION[name]([], [])


_RANKING = ["precision_at_k_score", "recall_at_k_score", "ndcg_at_k_score", "map_at_k_score", "mrr_score",
            "hit_rate_at_k_score"]
_CATALOGUE = ["a", "b", "c", "d", "e"]
_BEYOND = {
    "catalog_coverage_score": lambda rec: metrics.catalog_coverage_score(rec, catalog=_CATALOGUE),
    "distributional_coverage_score": lambda rec: metrics.distributional_coverage_score(rec, catalog=_CATALOGUE),
    "exposure_gini_index": lambda rec: metrics.exposure_gini_index(rec, catalog=_CATALOGUE),
    "intra_list_diversity_score": lambda rec: metrics.intra_list_diversity_score(
        rec, item_features=["x", "y", "x", "z", "y"], items=_CATALOGUE, similarity="category"),
    "novelty_score": lambda rec: metrics.novelty_score(rec, item_popularity=[5, 4, 3, 2, 1], items=_CATALOGUE),
    "tail_share_score": lambda rec: metrics.tail_share_score(rec, item_popularity=[5, 4, 3, 2, 1],
                                                             items=_CATALOGUE),
}
BAD_LIST = st.one_of(
    st.sampled_from(["a b", 3, None, {"a", "b"}, {"a": 1}]),  # not a list of ids
    st.sampled_from([["a", None], ["a", float("nan")], ["a", ["b"]], ["a", "a"], ["a", {}]]),  # bad ids
)


def test_every_public_metric_is_covered():
    """Check that the suite targets every metric function the subpackage exports."""
    functions = {name for name in metrics.__all__ if not name.startswith("make_")}
    assert functions == set(_CLASSIFICATION) | set(_RANKING) | set(_BEYOND)


@pytest.mark.parametrize("name", _RANKING + sorted(_BEYOND))
@SETTINGS
@given(row=st.integers(0, 3), bad=BAD_LIST)
def test_list_metrics_bad_lists_name_the_user(name, row, bad):
    """Check that a malformed list or id names the user's row, recommended[row]."""
    recommended = [["a", "b"], ["c"], ["d", "e", "a"], ["b"]]
    recommended[row] = bad
    relevant = [{"a"}, {"c"}, {"e"}, {"b"}]
    with clear_error(row=row):
        if name in _RANKING:
            getattr(metrics, name)(recommended, relevant, k=3)
        else:
            _BEYOND[name](recommended)


@pytest.mark.parametrize("name", _RANKING)
@SETTINGS
@given(row=st.integers(0, 2), gain=st.sampled_from([-1.0, float("nan"), float("inf"), "2", None]))
def test_ranking_metrics_bad_gains_name_the_user(name, row, gain):
    """Check that a negative, NaN, infinite or non-number gain names the user's row."""
    relevant = [{"a": 1}, {"c": 2}, {"e": 1}]
    relevant[row] = {"a": gain}
    with clear_error(row=row):
        getattr(metrics, name)([["a"], ["c"], ["e"]], relevant, k=2)


@pytest.mark.parametrize("name", _RANKING)
@SETTINGS
@given(recommended=st.lists(st.lists(st.sampled_from(_CATALOGUE), unique=True, max_size=4), min_size=1, max_size=5),
       k=st.one_of(st.none(), st.integers(1, 5)))
def test_ranking_metrics_valid_input_gives_finite_values(name, recommended, k):
    """Check that valid lists, empty ones included, give values in [0, 1] (never NaN) for users with relevant items."""
    relevant = [{"a", "c"}] * len(recommended)
    value = getattr(metrics, name)(recommended, relevant, k=k)
    assert 0.0 <= value <= 1.0


@pytest.mark.parametrize("factory, params", [
    (metrics.make_ranking_scorer, {"metric": "?"}),
    (metrics.make_ranking_scorer, {"metric": "ndcg", "k": -1}),
    (metrics.make_fairness_scorer, {"rate": "?"}),
    (metrics.make_fairness_scorer, {"rate": "tpr", "kind": "?"}),
    (metrics.make_calibration_scorer, {"n_bins": 0}),
    (metrics.make_calibration_scorer, {"strategy": "?"}),
])
def test_scorer_factories_bad_parameters_are_named(factory, params):
    """Check that the scorer factories name a bad parameter."""
    name = list(params)[-1]
    with clear_error(f"'{name}'"):
        factory(**params)
