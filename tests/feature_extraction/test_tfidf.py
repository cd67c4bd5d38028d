"""Tests of TfidfTextVectorizer."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sk_textrec.feature_extraction import TfidfTextVectorizer
from sk_textrec.utils.estimator_checks import parametrize_with_checks

TEXTS = ["great dress, soft fabric", "too small, returned it", "love the colour", "cheap fabric, tore"]
TITLES = ["Love it", "Returned", "", "Bad"]


@parametrize_with_checks(
    [TfidfTextVectorizer(min_df=1), make_pipeline(TfidfTextVectorizer(min_df=1), LogisticRegression())],
    expected_failed_checks=lambda est: {} if isinstance(est, TfidfTextVectorizer) else {
        "check_text_missing_label_raises": "LogisticRegression compares None with str labels (TypeError)"},
)
def test_tfidf_text_vectorizer_text_checks(estimator, check):
    """Check the text-aware compliance suite, pair checks included."""
    check(estimator)


def test_tfidf_text_vectorizer_pairs_keep_fields_apart():
    """Check that each text of a pair gets its own block of features."""
    vectorizer = TfidfTextVectorizer(min_df=1)
    X = vectorizer.fit_transform(list(zip(TITLES, TEXTS)))
    names = vectorizer.get_feature_names_out()
    assert X.shape == (4, len(names))
    assert any(n.startswith("field0__word__love") for n in names)
    assert any(n.startswith("field1__word__love") for n in names)
    single = TfidfTextVectorizer(min_df=1).fit(TEXTS)
    assert not any(n.startswith("field1") for n in single.get_feature_names_out())


def test_tfidf_text_vectorizer_matches_word_and_char_tfidf():
    """Check that single texts give exactly a word + char_wb TF-IDF union."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    expected = make_union(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1),
                          TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1))
    np.testing.assert_allclose(TfidfTextVectorizer(min_df=1).fit_transform(TEXTS).toarray(),
                               expected.fit_transform(TEXTS).toarray())


def test_tfidf_text_vectorizer_form_mismatch():
    """Check that the form of input (texts or pairs) must match fit."""
    vectorizer = TfidfTextVectorizer(min_df=1).fit(TEXTS)
    with pytest.raises(ValueError, match="fitted on single texts"):
        vectorizer.transform(list(zip(TITLES, TEXTS)))


def test_tfidf_text_vectorizer_pandas_output_refused_for_sparse():
    """Check that pandas output is refused as for scikit-learn's TfidfVectorizer: the features are sparse."""
    vectorizer = TfidfTextVectorizer(min_df=1).set_output(transform="pandas")
    with pytest.raises(ValueError, match="sparse matrix"):
        vectorizer.fit_transform(["love this dress", "too small dress"])
