"""Tests of AugmentationOverSampler (sk_textrec/over_sampling/_augmentation.py)."""

import warnings
from collections import Counter
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.pipeline import make_pipeline
from imblearn.utils import check_sampling_strategy
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from sk_textrec import BertClassifier
from sk_textrec.over_sampling import AugmentationOverSampler
from sk_textrec.utils._sklearn_compat import InvalidParameterError
from sk_textrec.utils.estimator_checks import parametrize_with_checks

from ._fakes import (
    AppendWordsAugmenter,
    EmptyAugmenter,
    FlakyAugmenter,
    RecordingAugmenter,
    UnchangedAugmenter,
)

_TEXTS = ["great dress", "love it", "soft fabric", "fits well", "nice colour", "cute top",
          "returned it", "too small", "broken zip", "okay I guess"]
_LABELS = np.array(["pos"] * 6 + ["neg"] * 3 + ["mid"])


def _assert_originals_first(X, y, X_res, y_res):
    assert list(X_res[: len(X)]) == list(X)
    assert list(y_res[: len(y)]) == list(y)


@parametrize_with_checks(
    [
        AugmentationOverSampler(AppendWordsAugmenter()),
        AugmentationOverSampler(FlakyAugmenter(), sampling_strategy="all", max_retries=5),
    ]
)
def test_augmentation_over_sampler_text_checks(estimator, check):
    """Check that AugmentationOverSampler passes the text-aware compliance checks."""
    check(estimator)


@pytest.mark.parametrize(
    "sampling_strategy, expected",
    [
        ("auto", {"pos": 6, "neg": 6, "mid": 6}),
        ("not majority", {"pos": 6, "neg": 6, "mid": 6}),
        ("minority", {"pos": 6, "neg": 3, "mid": 6}),
        ("not minority", {"pos": 6, "neg": 6, "mid": 1}),
        ("all", {"pos": 6, "neg": 6, "mid": 6}),
        ({"neg": 5, "mid": 2}, {"pos": 6, "neg": 5, "mid": 2}),
        (lambda y: {"mid": 4}, {"pos": 6, "neg": 3, "mid": 4}),
    ],
)
def test_augmentation_over_sampler_counts_follow_strategy(sampling_strategy, expected):
    """Check that the class counts follow each form of sampling_strategy."""
    sampler = AugmentationOverSampler(AppendWordsAugmenter(), sampling_strategy=sampling_strategy)
    _, y_res = sampler.fit_resample(_TEXTS, _LABELS)
    assert Counter(y_res) == expected


def test_augmentation_over_sampler_float_strategy_binary():
    """Check that a float strategy sets the minority / majority ratio for binary labels."""
    X, y = _TEXTS[:9], _LABELS[:9]
    sampler = AugmentationOverSampler(AppendWordsAugmenter(), sampling_strategy=5 / 6)
    _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {"pos": 6, "neg": 5}


def test_augmentation_over_sampler_new_rows_are_augmented_sources():
    """Check that new rows extend their source text and keep its label, after the originals."""
    sampler = AugmentationOverSampler(AppendWordsAugmenter(), random_state=0)
    X_res, y_res = sampler.fit_resample(np.asarray(_TEXTS, dtype=object), _LABELS)
    _assert_originals_first(_TEXTS, _LABELS, X_res, y_res)
    n = len(_TEXTS)
    assert sampler.sample_indices_[:n].tolist() == list(range(n))
    sources = sampler.sample_indices_[n:]
    assert all(_LABELS[sources] == y_res[n:])
    for source, text in zip(sources, X_res[n:]):
        assert text != _TEXTS[source] and text.startswith(_TEXTS[source] + " ")
    assert not sampler.augmented_mask_[:n].any() and sampler.augmented_mask_[n:].all()
    assert sampler.n_plain_copies_ == 0


def test_augmentation_over_sampler_one_call_per_class_and_round():
    """Check that the augmenter gets one batch per resampled class, each with an int seed."""
    augmenter = RecordingAugmenter()
    sampler = AugmentationOverSampler(augmenter, random_state=0)
    _, y_res = sampler.fit_resample(_TEXTS, _LABELS)
    assert [len(texts) for texts, _ in augmenter.calls] == [5, 3]  # "mid", then "neg"
    assert all(isinstance(seed, int) for _, seed in augmenter.calls)


def test_augmentation_over_sampler_retries_only_failed_rows():
    """Check that retries re-augment only the rows that came back unchanged, until none do."""
    augmenter = FlakyAugmenter(p_fail=0.5)
    sampler = AugmentationOverSampler(augmenter, sampling_strategy={"mid": 40}, max_retries=20,
                                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, _ = sampler.fit_resample(_TEXTS, _LABELS)
    assert sampler.augmented_mask_[len(_TEXTS):].all()
    assert all(text != "okay I guess" for text in X_res[len(_TEXTS):])


@pytest.mark.parametrize("augmenter_class", [UnchangedAugmenter, EmptyAugmenter])
@pytest.mark.parametrize("max_retries", [0, 2])
def test_augmentation_over_sampler_warns_about_plain_copies(augmenter_class, max_retries):
    """Check that rows never augmented become plain copies, with one warning giving the count."""
    augmenter = augmenter_class()
    sampler = AugmentationOverSampler(augmenter, max_retries=max_retries)
    with (
        mock.patch.object(augmenter, "augment", wraps=augmenter.augment) as augment,
        pytest.warns(UserWarning, match=rf"^8 of 8 new rows are plain copies .* in "
                                        rf"{1 + max_retries} attempts") as record,
    ):
        X_res, _ = sampler.fit_resample(_TEXTS, _LABELS)
    assert len(record) == 1
    assert augment.call_count == 2 * (1 + max_retries)  # two classes resampled
    sources = sampler.sample_indices_[len(_TEXTS):]
    assert X_res[len(_TEXTS):] == [_TEXTS[i] for i in sources]
    assert sampler.n_plain_copies_ == 8 and not sampler.augmented_mask_.any()


def test_augmentation_over_sampler_copies_blank_sources_silently():
    """Check that a blank source text is copied as it is, without a call or a warning."""
    augmenter = RecordingAugmenter()
    sampler = AugmentationOverSampler(augmenter)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X_res, y_res = sampler.fit_resample(["a b", "c", "d", " "], [0, 0, 0, 1])
    assert X_res[4:] == [" ", " "] and y_res[4:] == [1, 1]
    assert not hasattr(augmenter, "calls") and sampler.n_plain_copies_ == 0


def test_augmentation_over_sampler_seeds():
    """Check that one seed gives one output and another seed other augmentations."""
    def resample(seed):
        sampler = AugmentationOverSampler(AppendWordsAugmenter(), random_state=seed)
        return sampler.fit_resample(_TEXTS, _LABELS)[0]

    assert resample(0) == resample(0)
    assert resample(0)[len(_TEXTS):] != resample(1)[len(_TEXTS):]


def test_augmentation_over_sampler_verbose_shows_progress(capsys):
    """Check that verbose shows a progress bar and a line per resampled class."""
    AugmentationOverSampler(AppendWordsAugmenter(), verbose=1).fit_resample(_TEXTS, _LABELS)
    captured = capsys.readouterr()
    assert "class mid: 5 new rows, 0 plain copies" in captured.out
    assert "class neg: 3 new rows, 0 plain copies" in captured.out
    assert "AugmentationOverSampler" in captured.err and "8/8" in captured.err
    AugmentationOverSampler(AppendWordsAugmenter()).fit_resample(_TEXTS, _LABELS)
    assert capsys.readouterr() == ("", "")


class _FuncAugmenter(BaseEstimator):
    def __init__(self, func=None):
        self.func = func

    def augment(self, texts, random_state=None):
        return self.func(texts)


@pytest.mark.parametrize(
    "params, err_type, err_msg",
    [
        ({"augmenter": "synonyms"}, InvalidParameterError,
         "The 'augmenter' parameter of AugmentationOverSampler must be an object implementing "
         "'augment'"),
        ({"max_retries": -1}, InvalidParameterError, "The 'max_retries' parameter"),
        ({"sampling_strategy": "majority"}, InvalidParameterError,
         "The 'sampling_strategy' parameter"),
        ({"sampling_strategy": {"neg": 2}}, ValueError, "With over-sampling methods"),
        ({"augmenter": _FuncAugmenter(lambda texts: texts[:-1])}, ValueError,
         r"_FuncAugmenter.augment returned 4 texts for 5 inputs"),
        ({"augmenter": _FuncAugmenter(lambda texts: [1] * len(texts))}, TypeError,
         "_FuncAugmenter.augment must return strings; got int 1"),
        ({"augmenter": _FuncAugmenter(lambda texts: "text")}, TypeError,
         "_FuncAugmenter.augment must return a list of strings; got str"),
    ],
)
def test_augmentation_over_sampler_errors(params, err_type, err_msg):
    """Check the errors raised for bad parameters and bad augmenter outputs."""
    sampler = AugmentationOverSampler(AppendWordsAugmenter()).set_params(**params)
    with pytest.raises(err_type, match=err_msg):
        sampler.fit_resample(_TEXTS, _LABELS)


# -- properties ---------------------------------------------------------------

_WORDS = st.sampled_from(["", " ", "a", "b c", "d e f", "很好", "😀"])


@st.composite
def labelled_texts(draw):
    """Texts (some blank) and 2-4 classes of 1-6 rows, in a random order."""
    counts = draw(st.lists(st.integers(1, 6), min_size=2, max_size=4))
    y = np.repeat([f"c{i}" for i in range(len(counts))], counts)
    y = np.asarray(draw(st.permutations(y.tolist())))
    return draw(st.lists(_WORDS, min_size=len(y), max_size=len(y))), y


_STRATEGIES = st.sampled_from(["auto", "minority", "not minority", "not majority", "all"])


@settings(max_examples=40, deadline=None)
@given(data=labelled_texts(), strategy=_STRATEGIES, seed=st.integers(0, 2**31 - 1))
def test_augmentation_over_sampler_properties(data, strategy, seed):
    """Check counts, originals, labels, seeding and non-empty new rows on random data."""
    X, y = data
    sampler = AugmentationOverSampler(AppendWordsAugmenter(), sampling_strategy=strategy,
                                      random_state=seed)
    X_res, y_res = sampler.fit_resample(X, y)
    wanted = check_sampling_strategy(strategy, y, "over-sampling")
    assert Counter(y_res) == {c: n + wanted.get(c, 0) for c, n in Counter(y).items()}
    _assert_originals_first(X, y, X_res, y_res)
    sources = sampler.sample_indices_
    assert (y_res == y[sources]).all()
    for text, source in zip(X_res[len(X):], sources[len(X):]):
        assert text.strip() or not X[source].strip()  # empty only from a blank source
        assert text != X[source] or not X[source].strip()
    assert sampler.fit_resample(X, y)[0] == X_res
    if any(text.strip() for text in X_res[len(X):]):  # something was augmented
        other = sampler.set_params(random_state=seed + 1).fit_resample(X, y)[0]
        assert other != X_res


# -- pipelines ----------------------------------------------------------------


def _reviews(n_repeats=3):
    X = ["great dress love it", "soft fabric fits well", "nice colour cute top",
         "returned it too small", "broken zip awful"] * n_repeats
    y = [0, 0, 0, 1, 1] * n_repeats
    return X, np.asarray(y)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_augmentation_over_sampler_in_grid_search(n_jobs):
    """Check that the augmenter's parameters can be tuned in a GridSearchCV, in parallel too."""
    pipe = make_pipeline(AugmentationOverSampler(AppendWordsAugmenter(), random_state=0),
                         TfidfVectorizer(), LogisticRegression())
    grid = {"augmentationoversampler__augmenter__p": [0.0, 1.0]}
    search = GridSearchCV(pipe, grid, cv=StratifiedKFold(3), n_jobs=n_jobs, error_score="raise")
    search.fit(*_reviews())
    assert search.best_params_["augmentationoversampler__augmenter__p"] in (0.0, 1.0)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_augmentation_over_sampler_with_bert_classifier(tiny_bert):
    """Check that the sampler feeds a BertClassifier inside a pipeline and a grid search."""
    pipe = make_pipeline(AugmentationOverSampler(AppendWordsAugmenter(), random_state=0),
                         BertClassifier(tiny_bert, max_epochs=1, lr=1e-3, random_state=0))
    grid = {"augmentationoversampler__augmenter__p": [0.0, 1.0]}
    search = GridSearchCV(pipe, grid, cv=StratifiedKFold(2), error_score="raise")
    X, y = _reviews(n_repeats=2)
    search.fit(X, y)
    assert set(search.predict(X)) <= {0, 1}
