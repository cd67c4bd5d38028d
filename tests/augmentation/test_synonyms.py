"""Tests of DictSynonyms and EmbeddingNeighbourSynonyms (augmentation/_synonyms.py)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from sk_textrec.augmentation import (
    DictSynonyms,
    EmbeddingNeighbourSynonyms,
    SynonymReplacement,
)
from sk_textrec.augmentation import _synonyms
from sk_textrec.augmentation._synonyms import synonym_table

from ._data import SYNONYMS


def test_dict_synonyms_lookup():
    """Check that a word is looked up as written, then lower-cased, else has none."""
    source = DictSynonyms({"Nice": ["Lovely"], "dress": ["gown"]})
    assert source.synonyms_of("Nice") == ["Lovely"]
    assert source.synonyms_of("DRESS") == ["gown"]
    assert source.synonyms_of("unknown") == []


def test_synonym_table_duck_typed_source():
    """Check that any object with synonyms_of serves as a source."""

    class Source:
        def synonyms_of(self, word):
            return [word + "s"]

    table = synonym_table(Source(), ["dress", "top"])
    assert table["dress"] == ("dresss",) and table["top"] == ("tops",)


def test_dict_synonyms_bad_mapping():
    """Check that a mapping that is not a dict is rejected, naming the parameter."""
    with pytest.raises(ValueError, match="The 'mapping' parameter of DictSynonyms must be"):
        DictSynonyms([("dress", "gown")]).synonyms_of("dress")


def test_embedding_neighbours_are_whole_vocabulary_words(tiny_bert):
    """Check n_neighbors, no word pieces or special tokens, and never the word itself."""
    source = EmbeddingNeighbourSynonyms(tiny_bert, n_neighbors=4, min_similarity=-1.0)
    neighbours = source.synonyms_of("dress")
    assert len(neighbours) == 4 and "dress" not in neighbours
    assert not any(n.startswith(("##", "[")) for n in neighbours)
    assert source.synonyms_of("Dress") == neighbours  # lower-cased vocabulary
    assert source.synonyms_of("notaword") == []
    table = source._synonym_table(["dress", "great"])
    assert table["dress"] == tuple(neighbours)


def test_embedding_neighbours_are_nearest_by_cosine(tiny_bert):
    """Check that the neighbours are the most cosine-similar candidates, best first."""
    source = EmbeddingNeighbourSynonyms(tiny_bert, n_neighbors=3, min_similarity=-1.0)
    words, matrix, index = _synonyms._embedding_vocabulary(tiny_bert)
    similarity = matrix @ matrix[index["love"]]
    order = [words[i] for i in np.argsort(-similarity) if words[i] != "love"]
    assert source.synonyms_of("love") == order[:3]


def test_embedding_neighbours_min_similarity_filters(tiny_bert):
    """Check that a higher min_similarity keeps a prefix of the neighbours."""
    loose = EmbeddingNeighbourSynonyms(tiny_bert, n_neighbors=20, min_similarity=-1.0)
    strict = EmbeddingNeighbourSynonyms(tiny_bert, n_neighbors=20, min_similarity=0.3)
    for word in ("dress", "great", "small"):
        assert loose.synonyms_of(word)[:len(strict.synonyms_of(word))] == strict.synonyms_of(word)
    assert sum(map(len, map(strict.synonyms_of, ("dress", "great", "small")))) < 60


def test_embedding_neighbours_cached_and_reset_by_set_params(tiny_bert, monkeypatch):
    """Check that neighbours are computed once per word, and again after set_params."""
    source = EmbeddingNeighbourSynonyms(tiny_bert, min_similarity=-1.0)
    source.synonyms_of("dress")
    calls = []
    original = _synonyms._nearest
    monkeypatch.setattr(_synonyms, "_nearest", lambda *args: calls.append(1) or original(*args))
    assert len(source.synonyms_of("dress")) == 5 and calls == []
    source.set_params(n_neighbors=2)
    assert len(source.synonyms_of("dress")) == 2 and calls == [1]


def test_embedding_neighbours_clone_and_pickle_drop_the_matrix(tiny_bert):
    """Check that loaded state is no parameter and does not travel in pickles or clones."""
    source = EmbeddingNeighbourSynonyms(tiny_bert, min_similarity=-1.0)
    expected = source.synonyms_of("dress")
    assert "_lazy_state" in vars(source) and "_lazy_state" not in source.get_params()
    restored = pickle.loads(pickle.dumps(source))
    assert "_lazy_state" not in vars(restored) and restored.synonyms_of("dress") == expected
    assert "_lazy_state" not in vars(clone(source))


def test_embedding_neighbours_replace_chinese_on_tiny_bert(tiny_bert):
    """Check that Chinese text passes through with the tiny BERT (no CJK vocabulary)."""
    source = EmbeddingNeighbourSynonyms(tiny_bert, min_similarity=-1.0)
    out = SynonymReplacement(p=0.5, synonyms=source).augment(["这件衣服很好", "great dress"], random_state=0)
    assert out[0] == "这件衣服很好" and out[1] != "great dress"


def test_embedding_neighbours_chinese_on_minilm(minilm_path):
    """Check that Chinese characters get Chinese neighbours in the real MiniLM vocabulary."""
    source = EmbeddingNeighbourSynonyms(minilm_path)
    assert source.synonyms_of("国") and all(len(n) == 1 for n in source.synonyms_of("国"))
    assert {"terrific", "excellent"} & set(source.synonyms_of("great"))
    text = "中国大小日本"
    outs = SynonymReplacement(p=0.5, synonyms=source).augment([text] * 5, random_state=0)
    assert all(len(out) == len(text) and out != text for out in outs)


def test_embedding_neighbours_default_model_is_packaged_minilm(minilm_path):
    """Check that model_name_or_path=None loads the packaged MiniLM."""
    default = EmbeddingNeighbourSynonyms().synonyms_of("great")
    assert default == EmbeddingNeighbourSynonyms(minilm_path).synonyms_of("great")


@pytest.mark.parametrize("params, err_msg", [
    ({"n_neighbors": 0}, "The 'n_neighbors' parameter of EmbeddingNeighbourSynonyms must be"),
    ({"min_similarity": 1.5}, "The 'min_similarity' parameter of EmbeddingNeighbourSynonyms"),
    ({"model_name_or_path": 3}, "The 'model_name_or_path' parameter of EmbeddingNeighbour"),
])
def test_embedding_neighbours_bad_params(params, err_msg):
    """Check that bad parameters raise errors naming the parameter, before any loading."""
    with pytest.raises(ValueError, match=err_msg):
        EmbeddingNeighbourSynonyms(**params).synonyms_of("dress")


def test_embedding_neighbours_missing_model(tmp_path):
    """Check that a folder without a model gives an error naming the augmenter and folder."""
    with pytest.raises(OSError, match="EmbeddingNeighbourSynonyms could not load the model"):
        EmbeddingNeighbourSynonyms(str(tmp_path)).synonyms_of("dress")


def test_dict_synonyms_in_replacement_keeps_unknown_words():
    """Check that words without synonyms in the dict are left alone."""
    out = SynonymReplacement(p=1.0, synonyms=DictSynonyms(SYNONYMS)).augment(["xyz great"])
    assert out[0].split()[0] == "xyz" and out[0].split()[1] in SYNONYMS["great"]


@pytest.mark.parametrize("mapping, err_msg", [
    ({"dress": "gown"}, r"synonyms of 'dress' .* must be a list of strings; got str 'gown'.*\['gown'\]"),
    ({"dress": ["gown", 3]}, "must be strings; one is int 3"),
    ({3: ["three"]}, "str keys"),
])
def test_dict_synonyms_string_instead_of_list_raises(mapping, err_msg):
    """Check that a string where a list of synonyms is expected is a TypeError, not letters."""
    with pytest.raises(TypeError, match=err_msg):
        DictSynonyms(mapping).synonyms_of("dress")
    with pytest.raises(TypeError, match=err_msg):
        SynonymReplacement(p=1.0, synonyms=mapping).augment(["a nice dress"], random_state=0)


def test_duck_typed_source_returning_a_string_raises():
    """Check that a source whose synonyms_of returns a str is refused, naming it."""
    class Thesaurus:
        def synonyms_of(self, word):
            return "gown"

    with pytest.raises(TypeError, match=r"from Thesaurus.synonyms_of must be a list"):
        SynonymReplacement(p=1.0, synonyms=Thesaurus()).augment(["nice dress"], random_state=0)


def test_dict_synonyms_set_is_sorted():
    """Check that a set of synonyms is used in sorted order, the same in every process."""
    assert DictSynonyms({"dress": {"gown", "frock", "robe"}}).synonyms_of("dress") == ["frock", "gown", "robe"]


def test_synonyms_of_takes_a_word():
    """Check that synonyms_of refuses a non-string word with a TypeError."""
    with pytest.raises(TypeError, match="synonyms_of takes one word, a str; got int 3"):
        DictSynonyms({"a": ["b"]}).synonyms_of(3)
