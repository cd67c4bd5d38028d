"""Tests of HoldoutStackingClassifier and of scikit-learn's ensembles around BertClassifier."""

import numpy as np
import pytest
import sklearn
from sklearn.ensemble import StackingClassifier, VotingClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

from sk_textrec import BertClassifier
from sk_textrec.datasets import make_product_reviews
from sk_textrec.ensemble import HoldoutStackingClassifier
from sk_textrec.feature_extraction import TfidfTextVectorizer
from sk_textrec.utils.estimator_checks import parametrize_with_checks

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def data():
    texts, y = make_product_reviews(120, positive_rate=0.25, random_state=0)
    return list(texts), y


def _tfidf():
    return make_pipeline(TfidfVectorizer(), LogisticRegression())


def _bert(tiny_bert, **params):
    return BertClassifier(tiny_bert, **{"max_epochs": 1, "lr": 1e-3, "batch_size": 16,
                                        "random_state": 0, **params})


@parametrize_with_checks([HoldoutStackingClassifier(
    [("words", make_pipeline(TfidfTextVectorizer(min_df=1), LogisticRegression())),
     ("chars", make_pipeline(TfidfTextVectorizer(min_df=1, word_ngram_range=(1, 1)), LogisticRegression()))],
    holdout_size=0.5, random_state=0)])
def test_holdout_stacking_text_checks(estimator, check):
    """Check the text-aware compliance suite (pair checks included) on a blend of two TF-IDF pipelines."""
    check(estimator)


def test_holdout_stacking_fits_base_models_once_on_the_training_part(data):
    """Check that base models never train on the holdout and are fitted exactly once."""
    texts, y = data
    fits = []

    class Recording(LogisticRegression):
        def fit(self, X, y, sample_weight=None):
            fits.append(X.shape[0])
            return super().fit(X, y, sample_weight)

    blend = HoldoutStackingClassifier(
        [("tfidf", make_pipeline(TfidfVectorizer(), Recording()))], holdout_size=0.25, random_state=0,
    ).fit(texts, y)
    assert fits == [90]
    assert len(blend.holdout_indices_) == 30 and set(np.unique(y[blend.holdout_indices_])) == {0, 1}
    holdout_text = texts[blend.holdout_indices_[0]]
    rare_words = {w for w in holdout_text.lower().split() if sum(w in t.lower().split() for t in texts) == 1}
    vocabulary = blend.named_estimators_["tfidf"][0].vocabulary_
    assert not any(word in vocabulary for word in rare_words)


def test_holdout_stacking_blends_bert_and_tfidf(tiny_bert, data):
    """Check a BERT + TF-IDF blend: weights learned on the holdout, outputs of a classifier."""
    texts, y = data
    blend = HoldoutStackingClassifier(
        [("bert", _bert(tiny_bert)), ("tfidf", _tfidf())], stack_method="decision_function", random_state=0
    ).fit(texts, y)
    proba = blend.predict_proba(texts)
    assert proba.shape == (120, 2) and blend.final_estimator_.coef_.shape == (1, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    assert set(blend.predict(texts)) <= {0, 1}


def test_holdout_stacking_with_text_pairs(tiny_bert, data):
    """Check that pairs reach every base model as they are (a BERT on pairs, TF-IDF on one column)."""
    texts, y = data
    pairs = np.array([("Review", text) for text in texts], dtype=object)
    from sklearn.compose import make_column_transformer

    tfidf_on_text = make_pipeline(make_column_transformer((TfidfVectorizer(), 1)), LogisticRegression())
    blend = HoldoutStackingClassifier([("bert", _bert(tiny_bert)), ("tfidf", tfidf_on_text)],
                                      random_state=0).fit(pairs, y)
    assert blend.named_estimators_["bert"].n_text_fields_ == 2
    assert blend.predict_proba(pairs).shape == (120, 2)


def test_holdout_stacking_routes_fit_parameters(tiny_bert, data):
    """Check that sample weights and auxiliary targets reach the base models that ask for them."""
    texts, y = data
    aux = np.array(["a", "b", "c"] * 40)
    with sklearn.config_context(enable_metadata_routing=True):
        bert = _bert(tiny_bert).set_fit_request(auxiliary_targets=True, sample_weight=True)
        tfidf = make_pipeline(TfidfVectorizer(), LogisticRegression().set_fit_request(sample_weight=True))
        blend = HoldoutStackingClassifier([("bert", bert), ("tfidf", tfidf)], random_state=0)
        blend.fit(texts, y, auxiliary_targets=aux, sample_weight=np.ones(120))
    assert len(blend.named_estimators_["bert"].auxiliary_classes_) == 1


def test_holdout_stacking_in_grid_search(data):
    """Check clone and nested parameters in a search."""
    texts, y = data
    blend = HoldoutStackingClassifier([("tfidf", _tfidf())], random_state=0)
    search = GridSearchCV(blend, {"estimators": [[("tfidf", _tfidf())], [("char", make_pipeline(
        TfidfVectorizer(analyzer="char_wb"), LogisticRegression()))]]}, cv=StratifiedKFold(2),
        scoring="average_precision").fit(texts, y)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.mark.parametrize("params, err_msg", [
    ({"estimators": []}, "at least one"),
    ({"estimators": [("a", LogisticRegression()), ("a", LogisticRegression())]}, "unique"),
    ({"holdout_size": 1.5}, "'holdout_size' parameter"),
])
def test_holdout_stacking_errors(data, params, err_msg):
    """Check clear errors for bad estimators and holdout sizes."""
    texts, y = data
    blend = HoldoutStackingClassifier([("tfidf", _tfidf())]).set_params(**params)
    with pytest.raises(ValueError, match=err_msg):
        blend.fit(texts, y)


def test_sklearn_stacking_and_voting_accept_bert_on_raw_texts(tiny_bert, data):
    """Check that scikit-learn's own StackingClassifier (k-fold) and VotingClassifier work."""
    texts, y = data
    estimators = [("bert", _bert(tiny_bert)), ("tfidf", _tfidf())]
    stacking = StackingClassifier(estimators, cv=StratifiedKFold(2)).fit(texts, y)
    voting = VotingClassifier(estimators, voting="soft").fit(texts, y)
    for model in (stacking, voting):
        assert model.predict_proba(texts).shape == (120, 2)
