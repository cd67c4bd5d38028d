"""TfidfTextVectorizer: word and character n-gram TF-IDF of single texts or of each text of a pair."""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, _fit_context
from ..utils._tags import text_input_tags
from ..utils._validation import check_text_input


class TfidfTextVectorizer(TransformerMixin, BaseEstimator):
    """Word and character n-gram TF-IDF features of texts or text pairs.

    The sparse baseline that fine-tuned BERTs are measured against and blended
    with: word 1-2-grams and character 2-5-grams within word boundaries, with
    sublinear term frequencies. It takes the same input as the BERT estimators
    — one text per row, or two (title and body, query and product title) — and
    gives each text of a pair its own vocabulary, side by side, so that "small"
    in a title and "small" in a body are different features. Texts are
    validated like every sk_textrec input (missing texts, non-strings and lone
    surrogates raise naming the row).

    Parameters
    ----------
    word_ngram_range : tuple of int, default=(1, 2)
        Word n-grams.
    char_ngram_range : tuple of int, default=(2, 5)
        Character n-grams within word boundaries (``analyzer="char_wb"``).
    min_df : int, default=2
        Terms in fewer texts are dropped (per field).
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)``.
    max_features : int or None, default=None
        Most frequent terms kept per field and analyzer.

    Attributes
    ----------
    vectorizers_ : list of sklearn.pipeline.FeatureUnion
        One fitted word + character union per text field.
    n_text_fields_ : int
        1 for single texts, 2 for text pairs.

    See Also
    --------
    sklearn.feature_extraction.text.TfidfVectorizer : The vectorizer used for each analyzer.

    Examples
    --------
    >>> from sk_textrec.feature_extraction import TfidfTextVectorizer
    >>> pairs = [("Love it", "great dress, soft fabric"), ("", "too small, returned")] * 2
    >>> X = TfidfTextVectorizer(min_df=1).fit_transform(pairs)
    >>> X.shape[0], X.format
    (4, 'csr')
    """

    _parameter_constraints = {
        "word_ngram_range": [tuple],
        "char_ngram_range": [tuple],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "sublinear_tf": ["boolean"],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, word_ngram_range=(1, 2), char_ngram_range=(2, 5), *, min_df=2,
                 sublinear_tf=True, max_features=None):
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.max_features = max_features

    def _union(self):
        params = {"min_df": self.min_df, "sublinear_tf": self.sublinear_tf, "max_features": self.max_features}
        return FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=self.word_ngram_range, **params)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngram_range, **params)),
        ])

    @staticmethod
    def _fields(texts):
        return [texts] if texts.ndim == 1 else [texts[:, j] for j in range(texts.shape[1])]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary and idf of each text field.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs (two columns).
        y : None
            Ignored.

        Returns
        -------
        self : TfidfTextVectorizer
            The fitted vectorizer.
        """
        self.fit_transform(X)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Learn the vocabularies and return the TF-IDF features of ``X``.

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs (two columns).
        y : None
            Ignored.

        Returns
        -------
        features : scipy.sparse.csr_matrix of shape (n_samples, n_features)
            The features of each field, side by side.
        """
        texts = check_text_input(X, allow_pairs=True)
        fields = self._fields(texts)
        self.n_text_fields_ = len(fields)
        self.vectorizers_ = [clone(self._union()) for _ in fields]
        try:
            blocks = [union.fit_transform(field) for union, field in zip(self.vectorizers_, fields)]
        except ValueError as exc:  # e.g. every term below min_df
            raise ValueError(f"TfidfTextVectorizer cannot build a vocabulary: {exc}") from exc
        return sp.hstack(blocks, format="csr")

    def transform(self, X):
        """TF-IDF features of texts or pairs (the form seen in ``fit``).

        Parameters
        ----------
        X : list, ndarray, pandas Series or DataFrame of str
            Texts, or text pairs if fitted on pairs.

        Returns
        -------
        features : scipy.sparse.csr_matrix of shape (n_samples, n_features)
            The features of each field, side by side.
        """
        check_is_fitted(self, "vectorizers_")
        texts = check_text_input(X, allow_pairs=True)
        fields = self._fields(texts)
        if len(fields) != self.n_text_fields_:
            forms = {1: "single texts", 2: "text pairs (2 columns)"}
            raise ValueError(
                f"TfidfTextVectorizer was fitted on {forms[self.n_text_fields_]}; X holds "
                f"{forms[len(fields)]}."
            )
        return sp.hstack(
            [union.transform(field) for union, field in zip(self.vectorizers_, fields)], format="csr"
        )

    def get_feature_names_out(self, input_features=None):
        """Feature names, prefixed by the field (``field0__word__great``).

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        names : ndarray of str
            One name per column of ``transform``'s output.
        """
        check_is_fitted(self, "vectorizers_")
        return np.concatenate([
            [f"field{i}__{name}" for name in union.get_feature_names_out()]
            for i, union in enumerate(self.vectorizers_)
        ]).astype(object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = text_input_tags(tags.input_tags, text_pairs=True)
        return tags
